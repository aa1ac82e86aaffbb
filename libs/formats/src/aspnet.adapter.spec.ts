import { adaptAspnet, timeSpanMs } from './aspnet.adapter';
import type { SourceContext } from './format.model';
import { fixture, refusal } from './spec-support';

const observedAt = Date.parse('2026-11-25T10:00:00Z');
const ctx: SourceContext = {
  service: 'catalog',
  host: 'web-4',
  labels: { zone: 'we1' },
  observedAt,
};
const doc = (body: unknown, httpStatus?: number) => ({
  body: JSON.stringify(body),
  contentType: 'application/json',
  httpStatus,
});

describe('adaptAspnet', () => {
  // Shape of Xabaril UIResponseWriter/UIHealthReport; names and tags from its README (see fixtures/README.md).
  it('reads a healthy UIResponseWriter report, durations as latency', () => {
    expect(
      adaptAspnet(
        { body: fixture('aspnet-healthy.json'), httpStatus: 200 },
        { ...ctx, mapping: { sql: 'mssql://sql-1.internal:1433' } },
      ),
    ).toEqual({
      format: 'aspnet',
      reports: [
        {
          service: 'catalog',
          host: 'web-4',
          labels: { zone: 'we1' },
          observedAt: '2026-11-25T10:00:00.000Z',
          status: 'pass',
          checks: [
            {
              name: 'sql',
              status: 'pass',
              target: 'mssql://sql-1.internal:1433',
              latencyMs: 85.684,
            },
            {
              name: 'redis',
              status: 'pass',
              target: 'component://redis.catalog',
              latencyMs: 4.321,
            },
          ],
        },
      ],
      unresolved: [{ service: 'catalog', component: 'redis', target: 'component://redis.catalog' }],
    });
  });

  // storage/cosmosdb entries as published in a UIResponseWriter output sample; self and rabbitmq added.
  it('reads an unhealthy report: Degraded warns, Unhealthy fails, the exception is the output', () => {
    const result = adaptAspnet({ body: fixture('aspnet-unhealthy.json'), httpStatus: 503 }, ctx);
    expect(result.reports[0].status).toBe('fail');
    expect(result.reports[0].checks).toEqual([
      { name: 'self', status: 'pass', latencyMs: 0.051 },
      {
        name: 'storage',
        status: 'warn',
        target: 'component://storage.catalog',
        latencyMs: 23232.278,
        output: 'Hôte inconnu',
      },
      { name: 'rabbitmq', status: 'pass', target: 'amqp://rabbit-1:5672', latencyMs: 1549.182 },
      {
        name: 'cosmosdb',
        status: 'fail',
        target: 'component://cosmosdb.catalog',
        latencyMs: 269.437,
        output: 'Hôte inconnu',
      },
    ]);
    expect(JSON.stringify(result)).not.toContain('s3cret-pw');
  });

  it('prefers the exception to the description', () => {
    const body = {
      status: 'Unhealthy',
      entries: {
        npgsql: {
          status: 'Unhealthy',
          description: 'Database check',
          exception: 'Connection refused',
        },
      },
    };
    expect(adaptAspnet(doc(body), ctx).reports[0].checks?.[0].output).toBe('Connection refused');
  });

  it.each([
    ['00:00:00.0858619', 85.862],
    ['00:00:01', 1000],
    ['1.02:03:04.5', 93784500],
    ['-00:00:01', -1000],
    ['1 second', null],
  ])('reads TimeSpan %s as %s ms', (text, ms) => {
    expect(timeSpanMs(text)).toBe(ms);
  });

  it.each([
    [{ entries: {} }, '/status'],
    [{ status: 'Healthy', entries: { sql: { duration: '00:00:01' } } }, '/entries/sql/status'],
    [
      { status: 'Healthy', entries: { sql: { status: 'Healthy', duration: 12.5 } } },
      '/entries/sql/duration',
    ],
    [
      { status: 'Healthy', entries: { sql: { status: 'Healthy', duration: 'soon' } } },
      '/entries/sql/duration',
    ],
    [{ status: 'Healthy', entries: { sql: { status: 'Healthy', data: [] } } }, '/entries/sql/data'],
  ])('refuses %j naming %s', (body, path) => {
    expect(refusal(() => adaptAspnet(doc(body), ctx))[0].path).toBe(path);
  });
});
