import { adaptActuator } from './actuator.adapter';
import type { SourceContext } from './format.model';
import { fixture, refusal } from './spec-support';

const observedAt = Date.parse('2026-11-25T10:00:00Z');
const ctx: SourceContext = {
  service: 'billing',
  instance: 'billing-7',
  host: 'node-3',
  observedAt,
};
const doc = (body: unknown, httpStatus?: number) => ({
  body: JSON.stringify(body),
  contentType: 'application/vnd.spring-boot.actuator.v3+json',
  httpStatus,
});

describe('adaptActuator', () => {
  // Spring Boot reference, Actuator API "Health (health)": GET /actuator/health response.
  it('reads the documented response: composite leaves by path, diskSpace without a target', () => {
    const result = adaptActuator(
      { body: fixture('actuator-health.json'), contentType: 'application/json', httpStatus: 200 },
      ctx,
    );
    expect(result).toEqual({
      format: 'actuator',
      reports: [
        {
          service: 'billing',
          instance: 'billing-7',
          host: 'node-3',
          observedAt: '2026-11-25T10:00:00.000Z',
          status: 'pass',
          checks: [
            {
              name: 'broker/us1',
              status: 'pass',
              target: 'component://broker-us1.billing',
              output: 'version=1.0.2',
            },
            {
              name: 'broker/us2',
              status: 'pass',
              target: 'component://broker-us2.billing',
              output: 'version=1.0.4',
            },
            // `database: H2` is a product name, not an address: the db stays scoped.
            {
              name: 'db',
              status: 'pass',
              target: 'component://db.billing',
              output: 'database=H2, validationQuery=isValid()',
            },
            {
              name: 'diskSpace',
              status: 'pass',
              output:
                'total=76887154688, free=49923645440, threshold=10485760, path=/home/runner/work/spring-boot/spring-boot/spring-boot-project/spring-boot-actuator-autoconfigure/.',
            },
          ],
        },
      ],
      unresolved: [
        { service: 'billing', component: 'broker/us1', target: 'component://broker-us1.billing' },
        { service: 'billing', component: 'broker/us2', target: 'component://broker-us2.billing' },
        { service: 'billing', component: 'db', target: 'component://db.billing' },
      ],
    });
  });

  // Illustrative DOWN body built from the Spring Boot reference's shapes (see fixtures/README.md).
  it('maps DOWN and OUT_OF_SERVICE to fail, UNKNOWN to warn, and shows the error', () => {
    const { reports } = adaptActuator(
      { body: fixture('actuator-down.json'), httpStatus: 503 },
      { ...ctx, mapping: { db: 'jdbc:mysql://db-1:3306/billing' } },
    );
    expect(reports[0].status).toBe('fail');
    expect(reports[0].checks).toEqual([
      {
        name: 'db',
        status: 'fail',
        target: 'mysql://db-1:3306/billing',
        output:
          'org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection',
      },
      {
        name: 'diskSpace',
        status: 'pass',
        output: 'total=499963174912, free=250981711872, threshold=10485760, path=/',
      },
      { name: 'my', status: 'fail', target: 'component://my.billing', output: 'Error Code=503' },
      { name: 'ping', status: 'pass' },
      { name: 'rabbit', status: 'warn', target: 'component://rabbit.billing' },
    ]);
  });

  it('reads a custom status as warn', () => {
    expect(adaptActuator(doc({ status: 'FATAL' }), ctx).reports[0]).toMatchObject({
      status: 'warn',
      checks: [],
    });
  });

  it('resolves a composite leaf by the mapping under its path, then under its contributor, then by an address in its details', () => {
    const body = {
      status: 'UP',
      components: {
        db: {
          status: 'UP',
          components: {
            primary: {
              status: 'UP',
              details: { database: 'PostgreSQL', validationQuery: 'isValid()' },
            },
            secondary: {
              status: 'UP',
              details: {
                database: 'PostgreSQL',
                jdbcUrl: 'jdbc:postgresql://app:Sup3rSecret@pg-2.internal:5433/orders?ssl=true',
              },
            },
            tertiary: {
              status: 'UP',
              details: { database: 'PostgreSQL', url: 'postgresql://localhost:5432/orders' },
            },
          },
        },
      },
    };
    const result = adaptActuator(doc(body), {
      ...ctx,
      mapping: { 'db/primary': 'postgresql://pg-1.internal' },
    });
    expect(result.reports[0].checks?.map((c) => [c.name, c.target])).toEqual([
      ['db/primary', 'postgresql://pg-1.internal:5432'],
      ['db/secondary', 'postgresql://pg-2.internal:5433/orders'],
      // A loopback address is every host's own: it identifies nothing, so the leaf stays scoped.
      ['db/tertiary', 'component://db-tertiary.billing'],
    ]);
    expect(JSON.stringify(result)).not.toContain('Sup3rSecret');
    expect(
      adaptActuator(doc(body), {
        ...ctx,
        mapping: { db: 'postgresql://pg-vip' },
      }).reports[0].checks?.map((c) => c.target),
    ).toEqual(['postgresql://pg-vip:5432', 'postgresql://pg-vip:5432', 'postgresql://pg-vip:5432']);
  });

  it('never echoes a details object whole, nor credentials in an error', () => {
    const body = {
      status: 'DOWN',
      components: {
        rabbit: {
          status: 'DOWN',
          details: {
            error:
              'org.springframework.amqp.AmqpConnectException: amqp://guest:guest-pw@rabbit-1:5672/ refused',
          },
        },
        vault: {
          status: 'UP',
          details: { token: 's.abcdef-secret', password: 'pw-123', region: 'eu-1' },
        },
      },
    };
    const result = adaptActuator(doc(body), ctx);
    expect(result.reports[0].checks?.map((c) => c.output)).toEqual([
      'org.springframework.amqp.AmqpConnectException: amqp://rabbit-1:5672/ refused',
      'region=eu-1',
    ]);
    const text = JSON.stringify(result);
    for (const secret of ['guest-pw', 's.abcdef-secret', 'pw-123'])
      expect(text).not.toContain(secret);
  });

  it('reads the Boot 2.0/2.1 shape, where `details` held the contributors', () => {
    const body = {
      status: 'DOWN',
      details: {
        db: { status: 'DOWN', details: { error: 'timeout' } },
        diskSpace: { status: 'UP', details: { free: 1 } },
      },
    };
    expect(adaptActuator(doc(body), ctx).reports[0].checks).toEqual([
      { name: 'db', status: 'fail', target: 'component://db.billing', output: 'timeout' },
      { name: 'diskSpace', status: 'pass', output: 'free=1' },
    ]);
  });

  it.each(['livenessState', 'readinessState', 'ping', 'diskSpace'])(
    'gives %s no target',
    (name) => {
      const result = adaptActuator(
        doc({ status: 'UP', components: { [name]: { status: 'UP' } } }),
        ctx,
      );
      expect(result.reports[0].checks).toEqual([{ name, status: 'pass' }]);
      expect(result.unresolved).toEqual([]);
    },
  );

  it.each([
    [{ components: {} }, '/status'],
    [{ status: 'UP', components: { db: 'UP' } }, '/components/db'],
    [
      { status: 'UP', components: { db: { status: 'UP', components: { primary: {} } } } },
      '/components/db/components/primary/status',
    ],
    [
      { status: 'UP', components: { db: { status: 'UP', details: 'x' } } },
      '/components/db/details',
    ],
    [[], ''],
  ])('refuses %j naming %s', (body, path) => {
    expect(refusal(() => adaptActuator(doc(body), ctx))[0].path).toBe(path);
  });
});
