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

  it('gives memory and disk indicators no target, and finds an address among an indicator’s fields', () => {
    const body = {
      status: 'error',
      details: {
        memory_heap: { status: 'down', message: 'Used heap exceeded the set threshold' },
        memory_rss: { status: 'up' },
        disk: { status: 'up' },
        cache: {
          status: 'down',
          message: 'connect ECONNREFUSED',
          url: 'redis://:p4ssw0rd@cache-1.internal:6380/0',
        },
      },
    };
    const result = adaptTerminus(doc(body, 503), ctx);
    expect(result.reports[0].checks).toEqual([
      { name: 'memory_heap', status: 'fail', output: 'Used heap exceeded the set threshold' },
      { name: 'memory_rss', status: 'pass' },
      { name: 'disk', status: 'pass' },
      {
        name: 'cache',
        status: 'fail',
        target: 'redis://cache-1.internal:6380/0',
        output: 'connect ECONNREFUSED',
      },
    ]);
    expect(result.unresolved).toEqual([]);
    expect(JSON.stringify(result)).not.toContain('p4ssw0rd');
  });

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
