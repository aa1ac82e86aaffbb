import {
  describeGroup,
  eventFacts,
  groupInstances,
  groupRecovered,
  splitInstanceKey,
  UNKNOWN_SERVICE,
} from './event-facts';
import {
  INSTANCE_COUNT,
  openedEvent,
  resolvedEvent,
  SERVICE_COUNT,
  serviceName,
  stormEvent,
} from './spec-support';

describe('event facts', () => {
  it('groups instances by service, services and instances sorted by name', () => {
    const facts = eventFacts(openedEvent());
    expect(facts.cause.key).toBe('backend:amqp://rabbit-1:5672');
    expect(facts.otherCauses.map((c) => c.key)).toEqual(['host:rabbit-1']);
    expect(facts.affected).toEqual([
      { service: 'cinder-volume', instanceCount: 2, instances: ['cv-1', 'cv-2'] },
      {
        service: 'nova-api',
        instanceCount: 3,
        instances: ['nova-api-1', 'nova-api-2', 'nova-api-3'],
      },
    ]);
    expect(facts.affectedInstanceCount).toBe(5);
    expect(facts.recovered).toBeNull();
    expect(facts.durationMs).toBeNull();
  });

  it('groups a storm of 500 instances into 20 services of 25', () => {
    const facts = eventFacts(stormEvent());
    expect(facts.affected.map((g) => g.service)).toEqual(
      Array.from({ length: SERVICE_COUNT }, (_, i) => serviceName(i)),
    );
    expect(facts.affected.every((g) => g.instanceCount === INSTANCE_COUNT / SERVICE_COUNT)).toBe(
      true,
    );
    expect(facts.affectedInstanceCount).toBe(INSTANCE_COUNT);
  });

  it('counts a repeated instance once, keeps a service without listed instances, and files odd keys under an unknown service', () => {
    const groups = groupInstances(['b', 'a'], ['instance:b/1', 'instance:b/1', 'stray']);
    expect(groups).toEqual([
      { service: UNKNOWN_SERVICE, instanceCount: 1, instances: ['stray'] },
      { service: 'a', instanceCount: 0, instances: [] },
      { service: 'b', instanceCount: 1, instances: ['1'] },
    ]);
    expect(splitInstanceKey('instance:nova-api/host/with/slash')).toEqual({
      service: 'nova-api',
      instance: 'host/with/slash',
    });
    expect(splitInstanceKey('instance:team/app/app-1', new Set(['team/app']))).toEqual({
      service: 'team/app',
      instance: 'app-1',
    });
    expect(groupInstances(['team/app'], ['instance:team/app/app-1'])).toEqual([
      { service: 'team/app', instanceCount: 1, instances: ['app-1'] },
    ]);
  });

  it('merges recovered entries of one service and accepts names or instance keys', () => {
    expect(
      groupRecovered([
        { service: 'x', instances: ['instance:x/2', '1'] },
        { service: 'x', instances: ['x/1', '3'] },
      ]),
    ).toEqual([{ service: 'x', instanceCount: 3, instances: ['1', '2', '3'] }]);
  });

  it('knows what recovered and how long a resolved incident lasted', () => {
    const facts = eventFacts(resolvedEvent());
    expect(facts.recovered?.map(describeGroup)).toEqual([
      'cinder-volume: 2 instances (cv-1, cv-2)',
      'nova-api: 3 instances (nova-api-1, nova-api-2, nova-api-3)',
    ]);
    expect(facts.recoveredInstanceCount).toBe(5);
    expect(facts.durationMs).toBe(750_000);
    expect(facts.recoveredAllAffected).toBe(true);
    const partial = resolvedEvent();
    partial.incident.recovered = [
      { service: 'nova-api', instances: ['nova-api-1', 'nova-api-2', 'nova-api-3'] },
    ];
    expect(eventFacts(partial).recoveredAllAffected).toBe(false);
    expect(eventFacts(openedEvent()).recoveredAllAffected).toBe(false);
  });

  it('takes the affected instances as recovered when a resolved event does not list them', () => {
    const event = resolvedEvent();
    delete event.incident.recovered;
    expect(eventFacts(event).recoveredInstanceCount).toBe(5);
  });

  it('describes a group with a few instance names, then how many more', () => {
    const [first] = eventFacts(stormEvent()).affected;
    expect(describeGroup(first)).toBe(
      'service-00: 25 instances (pod-0000, pod-0020, pod-0040 +22 more)',
    );
  });

  it('refuses an incident without a root cause', () => {
    expect(() => eventFacts(openedEvent({ incident: { rootCauses: [] } }))).toThrow(TypeError);
  });
});
