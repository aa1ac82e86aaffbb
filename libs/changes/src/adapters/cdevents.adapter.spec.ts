import { ChangeValidator } from '../change-validator';
import { adaptCdevents, purlVersion } from './cdevents.adapter';
import { fixture, refusal } from './spec-support';
import { validateAdapted } from './validate-adapted';

const ARTIFACT =
  'pkg:oci/myapp@sha256%3A0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427';
const DIGEST = 'sha256:0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427';

describe('adaptCdevents', () => {
  // https://github.com/cdevents/spec/blob/main/conformance/service_deployed.json
  it('reads service.deployed: a succeeded deploy of the subject’s service, versioned by the artifact', () => {
    expect(adaptCdevents(fixture('cdevents-service-deployed.json'))).toEqual({
      changes: [
        {
          input: {
            id: 'cdevents:271069a8-fc18-44f1-b38f-9d70a1695819',
            entity: 'service:mySubject123',
            kind: 'deploy',
            status: 'succeeded',
            startedAt: '2023-03-20T14:27:05.315384Z',
            finishedAt: '2023-03-20T14:27:05.315384Z',
            source: 'cdevents',
            version: DIGEST,
            summary: `mySubject123 deployed ${DIGEST} in test123 (CDEvents)`,
            labels: {
              artifactId: ARTIFACT,
              'cdevents.source': '/event/source/123',
              'cdevents.type': 'dev.cdevents.service.deployed.0.3.0',
              environment: 'test123',
            },
          },
          paths: expect.objectContaining({
            entity: '/subject/id',
            startedAt: '/context/timestamp',
          }),
        },
      ],
      ignored: [],
    });
  });

  // https://github.com/cdevents/spec/blob/main/conformance/service_upgraded.json,
  // service_rolledback.json, service_removed.json, environment_modified.json
  it('reads upgraded, rolledback, removed and environment.modified', () => {
    const input = (name: string) => adaptCdevents(fixture(name)).changes[0].input;
    expect(input('cdevents-service-upgraded.json')).toMatchObject({
      kind: 'deploy',
      status: 'succeeded',
    });
    expect(input('cdevents-service-rolledback.json')).toMatchObject({
      kind: 'deploy',
      status: 'rolled-back',
      summary: `mySubject123 rolled back ${DIGEST} in test123 (CDEvents)`,
    });
    const removed = input('cdevents-service-removed.json');
    expect(removed).toMatchObject({
      kind: 'scale',
      status: 'succeeded',
      entity: 'service:mySubject123',
    });
    expect(removed.version).toBeUndefined();
    expect(input('cdevents-environment-modified.json')).toMatchObject({
      entity: 'zone:testEnv',
      kind: 'config',
      status: 'succeeded',
      summary: 'environment testEnv modified (CDEvents)',
      links: [{ href: 'https://example.org/testEnv', text: 'environment testEnv' }],
    });
  });

  it('takes the service from a path-like subject id, the entity from ?entity=, and validates as native', () => {
    const event = fixture('cdevents-service-deployed.json');
    event.subject.id = 'deployment/billing';
    expect(adaptCdevents(event).changes[0].input.entity).toBe('service:billing');
    const forced = adaptCdevents(event, { entity: 'instance:billing/billing-7' }).changes[0];
    expect(forced.input.entity).toBe('instance:billing/billing-7');
    expect(forced.paths.entity).toBe('/entity');
    // Natively validated, a refusal names the CDEvent's field.
    const old = validateAdapted(adaptCdevents(event), new ChangeValidator(), {
      now: Date.parse('2026-11-25T12:00:00Z'),
      retentionMs: 30 * 86_400_000,
    });
    expect(old).toEqual({
      ok: false,
      errors: [{ path: '/context/timestamp', reason: 'is older than the retention window' }],
    });
  });

  it('unwraps CloudEvents in structured mode, reads batches, and ignores CDEvents that are no change', () => {
    const deployed = fixture('cdevents-service-deployed.json');
    const cloudEvent = {
      specversion: '1.0',
      id: deployed.context.id,
      source: deployed.context.source,
      type: deployed.context.type,
      time: deployed.context.timestamp,
      datacontenttype: 'application/json',
      data: deployed,
    };
    const build = {
      ...deployed,
      context: { ...deployed.context, type: 'dev.cdevents.build.finished.0.3.0' },
    };
    const result = adaptCdevents([cloudEvent, build]);
    expect(result.changes).toHaveLength(1);
    expect(result.changes[0].paths.startedAt).toBe('/0/data/context/timestamp');
    expect(result.ignored).toEqual([
      {
        path: '/1/context/type',
        reason:
          'build.finished is not a change Faultline records (it reads service.deployed, service.upgraded, service.rolledback, service.removed, environment.modified)',
      },
    ]);
  });

  it('refuses what is no CDEvent, naming the place', () => {
    expect(refusal(() => adaptCdevents({ hello: 'world' }))).toEqual([
      {
        path: '/',
        reason: 'must be a CDEvent ({context, subject}) or a CloudEvent carrying one as its data',
      },
    ]);
    const event = fixture('cdevents-service-deployed.json');
    expect(
      refusal(() => adaptCdevents([{ ...event, context: { ...event.context, type: 'deployed' } }])),
    ).toEqual([
      {
        path: '/0/context/type',
        reason: 'must be a CDEvents type, dev.cdevents.<subject>.<predicate>.<version>',
      },
    ]);
    delete event.context.timestamp;
    expect(refusal(() => adaptCdevents(event))).toEqual([
      { path: '/context/timestamp', reason: 'is required' },
    ]);
  });

  it('reads versions from package URLs', () => {
    expect(purlVersion(ARTIFACT)).toBe(DIGEST);
    expect(purlVersion('pkg:golang/mygit.com/myorg/myapp@234fd47e07d1004f0aed9c')).toBe(
      '234fd47e07d1004f0aed9c',
    );
    expect(purlVersion('pkg:npm/%40scope/app@1.2.3?arch=x64#sub')).toBe('1.2.3');
    expect(purlVersion('six-1.14.0-py2.py3-none-any.whl')).toBe('six-1.14.0-py2.py3-none-any.whl');
  });
});
