import { parseTarget } from '@faultline/reports';

import {
  DependencyResolver,
  findAddress,
  namedTarget,
  sanitiseId,
  scopedTarget,
  textAddress,
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

  it('finds a whole-value URI in details, shallowest and address-named first', () => {
    expect(findAddress({ database: 'PostgreSQL', validationQuery: 'isValid()' })).toBeNull();
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

  it('prefers a structured address anywhere over one inside free text', () => {
    expect(
      findAddress({
        error: 'connect ECONNREFUSED 10.0.0.7:39599',
        pool: { url: 'postgres://pg-1/app' },
      }),
    ).toBe('postgres://pg-1:5432/app');
    expect(findAddress({ error: 'connect ECONNREFUSED 10.0.0.7:39599', pool: { size: 3 } })).toBe(
      'tcp://10.0.0.7:39599',
    );
    expect(
      findAddress('Unable to connect to AMQP server on amqp://rabbit-1:5672: [Errno 111]'),
    ).toBe('amqp://rabbit-1:5672');
  });

  it.each([
    // oslo.messaging's message, as the real middleware reported it (fixtures/oslo-real-*).
    [
      'Unable to connect to AMQP server on amqp://rabbit-1:5672: [Errno 111] ECONNREFUSED',
      'amqp://rabbit-1:5672',
    ],
    // Node's net error, as @nestjs/terminus reported it (fixtures/terminus-real-error.json).
    ['connect ECONNREFUSED 10.0.0.7:39599', 'tcp://10.0.0.7:39599'],
    ['connect ETIMEDOUT db-1.internal:5432', 'tcp://db-1.internal:5432'],
    ['connect EHOSTUNREACH 10.0.0.9:6379 - Local (10.0.0.5:51234)', 'tcp://10.0.0.9:6379'],
    ['connect ENETUNREACH 2001:db8::7:9092', 'tcp://[2001:db8::7]:9092'],
    ['read ECONNRESET [2001:db8::8]:5672', 'tcp://[2001:db8::8]:5672'],
    ['lost redis://:s3cret@cache-1:6380/0. Retrying', 'redis://cache-1:6380/0'],
    ['Login failed for jdbc:sqlserver://sql-1:1433;databaseName=app', 'sqlserver://sql-1:1433'],
    ['replica postgres://pg-2/app/extra unreachable', 'postgres://pg-2:5432'],
    ['brokers [kafka://k-1, kafka://k-2] down', 'kafka://k-1:9092'],
    // The first address in the text, whichever kind.
    ['connect ECONNREFUSED 10.0.0.7:1 while reaching redis://cache-1', 'tcp://10.0.0.7:1'],
    ['redis://cache-1 refused: connect ECONNREFUSED 10.0.0.7:1', 'redis://cache-1:6379'],
    // Loopback names only its own host: skipped, and the next address counts.
    ['connect ECONNREFUSED 127.0.0.1:5432', null],
    ['connect ECONNREFUSED ::1:6379', null],
    ['redis://localhost:6379 then kafka://k-1', 'kafka://k-1:9092'],
    // Links in prose are shared by unrelated errors: never an address.
    ['see https://docs.example.com/errors#db for help', null],
    ['GET http://10.0.0.7:39599/ failed', null],
    ['xamqp://not-a-backend:1 and amqpx://nor-this', null],
    ['read ECONNRESET', null],
    ['[Errno 111] ECONNREFUSED', null],
    ['Connection is closed.', null],
  ])('finds in %j the address %s', (text, target) => {
    expect(textAddress(text)).toBe(target);
  });
});
