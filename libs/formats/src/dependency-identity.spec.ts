import { parseTarget } from '@faultline/reports';

import {
  DependencyResolver,
  findAddress,
  namedTarget,
  sanitiseId,
  scopedTarget,
} from './dependency-identity';

describe('dependency identity', () => {
  it('produces scoped targets that parseTarget accepts, one backend per service', () => {
    expect(parseTarget('component://db.nova-api')).toEqual({
      key: 'backend:component://db.nova-api',
      scheme: 'component',
      host: 'db.nova-api',
      port: null,
      display: 'component://db.nova-api',
    });
    const resolver = new DependencyResolver({ db: 'mysql://db-1:3306/nova' });
    const unmapped = new DependencyResolver(undefined);
    const ref = { mappingKeys: ['db'], component: 'db', role: 'dependency' as const };
    const novaKey = parseTarget(unmapped.targetFor('nova-api', ref) as string).key;
    const glanceKey = parseTarget(unmapped.targetFor('glance-api', ref) as string).key;
    expect(novaKey).toBe('backend:component://db.nova-api');
    expect(glanceKey).toBe('backend:component://db.glance-api');
    expect(novaKey).not.toBe(glanceKey);
    expect(parseTarget(resolver.targetFor('nova-api', ref) as string).key).toBe(
      'backend:mysql://db-1:3306',
    );
    expect(unmapped.unresolved).toEqual([
      { service: 'nova-api', component: 'db', target: 'component://db.nova-api' },
      { service: 'glance-api', component: 'db', target: 'component://db.glance-api' },
    ]);
    expect(resolver.unresolved).toEqual([]);
  });

  it.each([
    ['Mongo Primary', 'mongo-primary'],
    ['DB/primary', 'db-primary'],
    ['..weird..', 'weird'],
    ['', 'unnamed'],
    ['Ünïcode_name', '-n-code-name'],
  ])('sanitises %j to %j', (raw, id) => {
    expect(sanitiseId(raw)).toBe(id);
    expect(() => parseTarget(scopedTarget(raw, 'svc'))).not.toThrow();
  });

  it('never reads an inherited property of the mapping as a mapping', () => {
    const resolver = new DependencyResolver({});
    expect(
      resolver.targetFor('svc', {
        mappingKeys: ['constructor', 'toString'],
        component: 'constructor',
        role: 'dependency',
      }),
    ).toBe('component://constructor.svc');
  });

  it.each([
    ['amqp://user:pw@rabbit-1/', false, 'amqp://rabbit-1:5672'],
    ['jdbc:mysql://db-1:3306/nova?password=x', false, 'mysql://db-1:3306/nova'],
    ['https://hooks.example.com/services/T000/B000/XXXX', false, 'https://hooks.example.com:443'],
    ['db-1:3306', false, 'tcp://db-1:3306'],
    [
      'dfd6cf2b-1b6e-4412-a0b8-f6f7797a60d2',
      true,
      'component://dfd6cf2b-1b6e-4412-a0b8-f6f7797a60d2',
    ],
    ['Shared Rabbit', true, 'component://shared-rabbit'],
    ['redis://localhost:6379', true, null],
    ['redis://localhost:6379', false, 'redis://localhost:6379'],
  ])('names %s (from body: %s) as %s', (raw, fromBody, target) => {
    expect(namedTarget(raw, fromBody)).toBe(target);
  });

  it('finds a whole-value URI in details, shallowest and address-named first, never in free text', () => {
    expect(findAddress({ database: 'PostgreSQL', validationQuery: 'isValid()' })).toBeNull();
    expect(
      findAddress({ error: 'cannot reach amqp://rabbit-1:5672 see https://docs.example.com' }),
    ).toBeNull();
    expect(findAddress({ note: 'https://docs.example.com', url: 'redis://cache:6379' })).toBe(
      'redis://cache:6379',
    );
    expect(
      findAddress({
        pool: { primary: { jdbcUrl: 'jdbc:postgresql://pg-1/app' } },
        about: { link: { deep: 'http://x' } },
      }),
    ).toBe('postgresql://pg-1:5432/app');
    expect(findAddress({ nodes: ['file:///tmp/x', 'kafka://k-1:9092'] })).toBe('kafka://k-1:9092');
    expect(findAddress({ links: { self: 'http://gw/x' } }, ['links'])).toBeNull();
    expect(findAddress({ a: { b: { c: { d: { e: { f: 'redis://too-deep' } } } } } })).toBeNull();
  });
});
