import type { SourceContext } from './format.model';
import { fixture, refusal } from './spec-support';
import { adaptTerminus } from './terminus.adapter';

const observedAt = Date.parse('2026-11-25T10:00:00Z');
const ctx: SourceContext = { service: 'orders', instance: 'orders-2', observedAt };
const doc = (body: unknown, httpStatus?: number) => ({
  body: JSON.stringify(body),
  contentType: 'application/json; charset=utf-8',
  httpStatus,
});

describe('adaptTerminus', () => {
  // NestJS docs, recipes/terminus, "HTTP Healthcheck": the 200 response for pingCheck('nestjs-docs', …).
  it('reads the documented healthy response; the source maps the pinged site', () => {
    const result = adaptTerminus(
      { body: fixture('terminus-ok.json'), httpStatus: 200 },
      { ...ctx, mapping: { 'nestjs-docs': 'https://docs.nestjs.com' } },
    );
    expect(result).toEqual({
      format: 'terminus',
      reports: [
        {
          service: 'orders',
          instance: 'orders-2',
          observedAt: '2026-11-25T10:00:00.000Z',
          status: 'pass',
          checks: [{ name: 'nestjs-docs', status: 'pass', target: 'https://docs.nestjs.com:443' }],
        },
      ],
      unresolved: [],
    });
  });

  // @nestjs/terminus health-check.schema.js: the OpenAPI example for status "error".
  it('reads the documented error response: the down indicator fails with its message', () => {
    const result = adaptTerminus({ body: fixture('terminus-error.json'), httpStatus: 503 }, ctx);
    expect(result).toEqual({
      format: 'terminus',
      reports: [
        {
          service: 'orders',
          instance: 'orders-2',
          observedAt: '2026-11-25T10:00:00.000Z',
          status: 'fail',
          checks: [
            { name: 'database', status: 'pass', target: 'component://database.orders' },
            {
              name: 'redis',
              status: 'fail',
              target: 'component://redis.orders',
              output: 'Could not connect',
            },
          ],
        },
      ],
      unresolved: [
        { service: 'orders', component: 'database', target: 'component://database.orders' },
        { service: 'orders', component: 'redis', target: 'component://redis.orders' },
      ],
    });
  });

  // NestJS docs (earlier revision), custom DogHealthIndicator: 503 with only `error`, no `details`.
  it('reads indicators from `error` when `details` is absent, summarising their fields', () => {
    const { reports } = adaptTerminus(
      { body: fixture('terminus-dog-error.json'), httpStatus: 503 },
      ctx,
    );
    expect(reports[0]).toMatchObject({
      status: 'fail',
      checks: [{ name: 'dog', status: 'fail', output: 'badboys=1' }],
    });
  });

  it('fails a shutting-down instance', () => {
    const { reports } = adaptTerminus(
      doc(
        {
          status: 'shutting_down',
          info: { database: { status: 'up' } },
          details: { database: { status: 'up' } },
        },
        503,
      ),
      ctx,
    );
    expect(reports[0].status).toBe('fail');
    expect(reports[0].checks?.[0].status).toBe('pass');
  });

  // A real @nestjs/terminus 11 answer (fixtures/README.md): pingCheck('inventory-api', …) refused,
  // a Redis MicroserviceHealthIndicator closed, checkHeap('memory_heap') fine.
  it('reads the real error answer: the refused peer from the message, the heap no dependency', () => {
    const result = adaptTerminus(
      { body: fixture('terminus-real-error.json'), httpStatus: 503 },
      ctx,
    );
    expect(result).toEqual({
      format: 'terminus',
      reports: [
        {
          service: 'orders',
          instance: 'orders-2',
          observedAt: '2026-11-25T10:00:00.000Z',
          status: 'fail',
          checks: [
            { name: 'memory_heap', status: 'pass' },
            {
              name: 'inventory-api',
              status: 'fail',
              target: 'tcp://10.0.0.7:39599',
              output: 'connect ECONNREFUSED 10.0.0.7:39599',
            },
            {
              name: 'redis',
              status: 'fail',
              target: 'component://redis.orders',
              output: 'Connection is closed.',
            },
          ],
        },
      ],
      unresolved: [{ service: 'orders', component: 'redis', target: 'component://redis.orders' }],
    });
  });

  it('reads the real all-up answer: indicators without an address scoped until mapped', () => {
    const result = adaptTerminus(
      { body: fixture('terminus-real-ok.json'), httpStatus: 200 },
      { ...ctx, mapping: { redis: 'redis://cache-1' } },
    );
    expect(result.reports[0]).toMatchObject({
      status: 'pass',
      checks: [
        { name: 'memory_heap', status: 'pass' },
        { name: 'inventory-api', status: 'pass', target: 'component://inventory-api.orders' },
        { name: 'redis', status: 'pass', target: 'redis://cache-1:6379' },
      ],
    });
    expect(result.reports[0].checks?.[0]).not.toHaveProperty('target');
    expect(result.unresolved).toEqual([
      { service: 'orders', component: 'inventory-api', target: 'component://inventory-api.orders' },
    ]);
  });

  // A live terminus 11.1.1 app (fixtures/README.md): the same answers, indicators in another order.
  it('reads the live captures like the reported ones', () => {
    const checks = (file: string) =>
      adaptTerminus({ body: fixture(file) }, ctx).reports[0].checks?.map((c) => [
        c.name,
        c.status,
        c.target,
      ]);
    expect(checks('terminus-live-error.json')).toEqual([
      ['memory_heap', 'pass', undefined],
      ['inventory-api', 'fail', 'tcp://192.0.2.2:39599'],
      ['redis', 'fail', 'component://redis.orders'],
    ]);
    expect(checks('terminus-live-ok.json')).toEqual([
      ['inventory-api', 'pass', 'component://inventory-api.orders'],
      ['redis', 'pass', 'component://redis.orders'],
      ['memory_heap', 'pass', undefined],
    ]);
  });

  it('gives every service that pings the refused peer one target, and keeps their redis apart', () => {
    const body = fixture('terminus-real-error.json');
    const targets = ['orders', 'billing', 'carts', 'search', 'users'].map((service) =>
      adaptTerminus({ body, httpStatus: 503 }, { service, observedAt }).reports[0].checks?.map(
        (c) => c.target,
      ),
    );
    expect(new Set(targets.map((t) => t?.[1]))).toEqual(new Set(['tcp://10.0.0.7:39599']));
    expect(new Set(targets.map((t) => t?.[2])).size).toBe(5);
  });

  it.each(['memory_heap', 'memory_rss', 'disk', 'storage'])(
    'gives terminus’s own %s indicator no target, even with an address in its message',
    (key) => {
      const body = {
        status: 'error',
        details: { [key]: { status: 'down', message: 'connect ECONNREFUSED 10.0.0.9:1' } },
      };
      const result = adaptTerminus(doc(body, 503), ctx);
      expect(result.reports[0].checks).toEqual([
        { name: key, status: 'fail', output: 'connect ECONNREFUSED 10.0.0.9:1' },
      ]);
      expect(result.unresolved).toEqual([]);
      expect(
        adaptTerminus(doc(body, 503), { ...ctx, mapping: { [key]: 'nfs-1:2049' } }).reports[0]
          .checks?.[0].target,
      ).toBe('tcp://nfs-1:2049');
    },
  );

  it.each([
    [{ info: {} }, '/status'],
    [{ status: 'ok', details: [] }, '/details'],
    [{ status: 'ok', details: { db: 'up' } }, '/details/db'],
    [{ status: 'ok', details: { db: {} } }, '/details/db/status'],
    [{ status: 'error', error: { db: { status: 'down', message: 42 } } }, '/error/db/message'],
  ])('refuses %j naming %s', (body, path) => {
    expect(refusal(() => adaptTerminus(doc(body), ctx))[0].path).toBe(path);
  });
});
