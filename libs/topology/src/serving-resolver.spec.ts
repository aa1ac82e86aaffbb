import { backendHost, candidateNames, type NameIndex, resolveServing } from './serving-resolver';

const index = (
  over: Partial<{
    aliases: Record<string, string>;
    instances: Record<string, string[]>;
    services: Record<string, string[]>;
    hosts: string[];
  }> = {},
): NameIndex => ({
  alias: (k) => over.aliases?.[k],
  instancesNamed: (n) => over.instances?.[n] ?? [],
  instancesOfService: (s) => over.services?.[s] ?? [],
  hasHost: (h) => (over.hosts ?? []).includes(h),
});

describe('backendHost / candidateNames', () => {
  it.each([
    ['backend:amqp://rabbit-1:5672', 'rabbit-1'],
    ['backend:custom://thing', 'thing'],
    ['backend:http://[::1]:8080', '[::1]'],
    ['host:rabbit-1', null],
  ])('%s → %s', (key, host) => {
    expect(backendHost(key)).toBe(host);
  });

  it('tries a DNS name and its first label, but never splits an IP literal', () => {
    expect(candidateNames('rabbit-1.mq.internal')).toEqual(['rabbit-1.mq.internal', 'rabbit-1']);
    expect(candidateNames('10.0.0.7')).toEqual(['10.0.0.7']);
    expect(candidateNames('db-1')).toEqual(['db-1']);
  });
});

describe('resolveServing', () => {
  const key = 'backend:amqp://rabbit-1:5672';

  it('prefers an explicit alias to any name match', () => {
    const names = index({
      aliases: { [key]: 'instance:broker/b-7' },
      instances: { 'rabbit-1': ['instance:rabbitmq/rabbit-1'] },
    });
    expect(resolveServing(key, names)).toEqual({
      via: 'alias',
      owner: 'instance:broker/b-7',
      servers: ['instance:broker/b-7'],
    });
  });

  it('serves a service alias by all of its instances', () => {
    const names = index({
      aliases: { [key]: 'service:rabbitmq' },
      services: { rabbitmq: ['instance:rabbitmq/r-2', 'instance:rabbitmq/r-1'] },
    });
    expect(resolveServing(key, names)).toEqual({
      via: 'alias',
      owner: 'service:rabbitmq',
      servers: ['instance:rabbitmq/r-1', 'instance:rabbitmq/r-2'],
    });
  });

  it('matches instance names before service names before host names', () => {
    const all = index({
      instances: { 'rabbit-1': ['instance:rabbitmq/rabbit-1'] },
      services: { 'rabbit-1': ['instance:rabbit-1/x'] },
      hosts: ['rabbit-1'],
    });
    expect(resolveServing(key, all).via).toBe('instance');
    const noInstance = index({
      services: { 'rabbit-1': ['instance:rabbit-1/x'] },
      hosts: ['rabbit-1'],
    });
    expect(resolveServing(key, noInstance)).toEqual({
      via: 'service',
      owner: 'service:rabbit-1',
      servers: ['instance:rabbit-1/x'],
    });
    expect(resolveServing(key, index({ hosts: ['rabbit-1'] }))).toEqual({
      via: 'host',
      owner: 'host:rabbit-1',
      servers: [],
    });
  });

  it('matches the first label of a DNS name, and knows nothing of an unknown host', () => {
    const names = index({ instances: { 'rabbit-1': ['instance:rabbitmq/rabbit-1'] } });
    expect(resolveServing('backend:amqp://rabbit-1.mq.internal:5672', names).servers).toEqual([
      'instance:rabbitmq/rabbit-1',
    ]);
    expect(resolveServing('backend:https://api.example.com:443', names)).toEqual({
      via: 'none',
      owner: null,
      servers: [],
    });
  });

  it('has no single owner when several services reuse an instance name', () => {
    const names = index({ instances: { 'db-1': ['instance:mysql/db-1', 'instance:backup/db-1'] } });
    expect(resolveServing('backend:mysql://db-1:3306', names)).toEqual({
      via: 'instance',
      owner: null,
      servers: ['instance:backup/db-1', 'instance:mysql/db-1'],
    });
  });
});
