import { pollUntil } from '../bench/support/poll-until';
import { type Stack, startStack, uniqueName } from './support/stack';

/**
 * The read API against a real api, worker and Postgres. Reports go in through POST /reports;
 * every assertion filters on this spec's own names, since other specs share the database.
 */
const MIN = 60_000;
const T0 = Date.now() - 5_000;
const at = (msBefore: number) => new Date(T0 - msBefore).toISOString();

const base = uniqueName('inv');
const svc = {
  api: `${base}-api`,
  cron: `${base}-cron`,
  web: `${base}-web`,
  worker: `${base}-worker`,
};
const host = { h1: `${base}-h1`, h2: `${base}-h2`, h3: `${base}-h3` };
const zone = { z1: `${base}-z1`, z2: `${base}-z2` };
const RABBIT = `backend:amqp://${base}-rabbit:5672`;
const DB = `backend:mysql://${base}-db:3306`;
const CDN = `backend:https://${base}-cdn:443`;
const CRON_INSTANCE = 'cron/1 ü'; // a "/" and non-ASCII: must travel URL-encoded

type Status = 'pass' | 'warn' | 'fail';
const rabbit = (status: Status, name = 'rabbitmq', extra = {}) => ({
  name,
  target: `amqp://guest:guest@${base}-rabbit/vhost`,
  status,
  ...extra,
});
const db = (status: Status) => ({
  name: 'database',
  target: `mysql://app:secret@${base}-db/app`,
  status,
});
const report = (
  service: string,
  instance: string,
  h: string | undefined,
  z: string | undefined,
  msBefore: number,
  checks: object[],
  extra = {},
) => ({
  service,
  instance,
  ...(h ? { host: h } : {}),
  ...(z ? { labels: { zone: z } } : {}),
  observedAt: at(msBefore),
  checks,
  ...extra,
});

const API2_TIMES = [30 * MIN, 25 * MIN, 20 * MIN, 15 * MIN, 10 * MIN, 5 * MIN, 2_000];
const API2_DB: Status[] = ['pass', 'pass', 'fail', 'fail', 'pass', 'pass', 'pass'];

// api-1 fails now; api-2 has a history; api-3 reported every 10 s but went quiet 30 min ago
// (stale); worker-1 reported once (no interval: never stale) with two checks on one broker
// and a failing check without a target.
const REPORTS = [
  report(svc.api, 'api-1', host.h1, zone.z1, 20 * MIN, [rabbit('pass'), db('pass')]),
  report(
    svc.api,
    'api-1',
    host.h1,
    zone.z1,
    1_000,
    [rabbit('fail', 'rabbitmq', { latencyMs: 5000, output: 'connection refused' }), db('pass')],
    { id: `${base}-r1` },
  ),
  ...API2_TIMES.map((t, i) =>
    report(svc.api, 'api-2', host.h1, zone.z1, t, [rabbit('pass'), db(API2_DB[i])]),
  ),
  report(svc.api, 'api-3', host.h2, zone.z2, 30 * MIN, [rabbit('pass'), db('warn')]),
  report(svc.api, 'api-3', host.h2, zone.z2, 30 * MIN - 10_000, [rabbit('pass'), db('warn')]),
  report(svc.worker, 'worker-1', host.h2, zone.z2, 10 * MIN, [
    rabbit('fail', 'rabbit-publish'),
    rabbit('fail', 'rabbit-consume'),
    { name: 'queue-depth', status: 'fail' },
  ]),
  report(svc.web, 'web-1', host.h3, undefined, 5 * MIN, [
    { name: 'cdn', target: `https://${base}-cdn/health`, status: 'pass' },
  ]),
  report(svc.web, 'web-1', host.h3, undefined, 3_000, [
    { name: 'cdn', target: `https://${base}-cdn/health`, status: 'pass' },
  ]),
  report(svc.cron, CRON_INSTANCE, undefined, undefined, 10 * MIN, [
    { name: 'disk', status: 'warn', output: '91% used' },
  ]),
];

const enc = encodeURIComponent;
const mine = (items: { service?: string; name?: string; key?: string }[]) =>
  items.filter((i) => (i.service ?? i.name ?? i.key ?? '').includes(base));

describe('inventory API (read scope)', () => {
  let stack: Stack;
  const get = (path: string, token?: string | null) =>
    stack.call('GET', path, undefined, token === undefined ? {} : { token });

  /** Follows nextCursor to the end, checking each page; returns the pages' items. */
  async function walk(path: string, limit: number): Promise<any[][]> {
    const pages: any[][] = [];
    let cursor: string | null = null;
    do {
      const res = await get(
        `${path}${path.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${enc(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.json.items.length).toBeLessThanOrEqual(limit);
      pages.push(res.json.items);
      cursor = res.json.nextCursor;
      if (cursor !== null) expect(res.json.items).toHaveLength(limit);
    } while (cursor !== null && pages.length < 50);
    expect(cursor).toBeNull();
    return pages;
  }

  /** Every page size gives the same rows in the same order as one big page: no duplicates, no gaps. */
  async function expectStablePaging(
    path: string,
    sizes: number[],
    idOf: (item: any) => string,
  ): Promise<any[]> {
    const whole = await get(`${path}${path.includes('?') ? '&' : '?'}limit=500`);
    expect(whole.json.nextCursor).toBeNull();
    const ids = whole.json.items.map(idOf);
    expect(new Set(ids).size).toBe(ids.length);
    for (const size of sizes) expect((await walk(path, size)).flat().map(idOf)).toEqual(ids);
    return whole.json.items;
  }

  beforeAll(async () => {
    stack = await startStack();
    expect((await stack.call('POST', '/api/v1/reports', REPORTS)).status).toBe(202);
    await pollUntil(
      async () =>
        (
          await stack.sql<{ n: number }>(
            'SELECT count(*)::int AS n FROM reports WHERE starts_with(service, $1)',
            [base],
          )
        )[0].n,
      (n) => n === REPORTS.length,
      { what: `${REPORTS.length} reports of ${base}` },
    );
  });
  afterAll(async () => {
    await stack.close();
  });

  describe('GET /api/v1/services', () => {
    it('lists services with instance counts, failing, stale and the worst status', async () => {
      const res = await get(`/api/v1/services?q=${enc(base)}`);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        items: [
          {
            name: svc.api,
            key: `service:${svc.api}`,
            firstSeenAt: at(30 * MIN),
            instances: 3,
            failing: 1,
            stale: 1,
            status: 'fail',
          },
          {
            name: svc.cron,
            key: `service:${svc.cron}`,
            firstSeenAt: at(10 * MIN),
            instances: 1,
            failing: 0,
            stale: 0,
            status: 'warn',
          },
          {
            name: svc.web,
            key: `service:${svc.web}`,
            firstSeenAt: at(5 * MIN),
            instances: 1,
            failing: 0,
            stale: 0,
            status: 'pass',
          },
          {
            name: svc.worker,
            key: `service:${svc.worker}`,
            firstSeenAt: at(10 * MIN),
            instances: 1,
            failing: 1,
            stale: 0,
            status: 'fail',
          },
        ],
        nextCursor: null,
      });
    });

    it.each([
      ['fail', ['api', 'worker']],
      ['warn', ['cron']],
      ['pass', ['web']],
    ] as const)('filters by worst status %s', async (status, expected) => {
      const res = await get(`/api/v1/services?q=${enc(base)}&status=${status}`);
      expect(res.json.items.map((s: { name: string }) => s.name)).toEqual(
        expected.map((k) => svc[k]),
      );
    });

    it('matches q as a name prefix only', async () => {
      expect(
        (await get(`/api/v1/services?q=${enc(`${base}-w`)}`)).json.items.map(
          (s: { name: string }) => s.name,
        ),
      ).toEqual([svc.web, svc.worker]);
      expect(
        (await get(`/api/v1/services?q=${enc('api')}&limit=500`)).json.items.filter(
          (s: { name: string }) => s.name === svc.api,
        ),
      ).toEqual([]);
    });

    it('pages with a cursor, without duplicates or gaps', async () => {
      const items = await expectStablePaging(
        `/api/v1/services?q=${enc(base)}`,
        [1, 2, 3],
        (s) => s.name,
      );
      expect(items).toHaveLength(4);
    });

    it('keeps its place when rows are added before the cursor (keyset, not OFFSET)', async () => {
      const k = uniqueName('invk');
      await stack.call(
        'POST',
        '/api/v1/reports',
        ['b', 'c', 'd'].map((s) => ({ service: `${k}-${s}`, observedAt: at(MIN) })),
      );
      const count = () =>
        stack.sql<{ n: number }>(
          'SELECT count(*)::int AS n FROM services WHERE starts_with(name, $1)',
          [k],
        );
      await pollUntil(count, (r) => r[0].n === 3, { what: 'three services' });
      const first = await get(`/api/v1/services?q=${enc(k)}&limit=2`);
      expect(first.json.items.map((s: { name: string }) => s.name)).toEqual([`${k}-b`, `${k}-c`]);
      await stack.call('POST', '/api/v1/reports', { service: `${k}-a`, observedAt: at(MIN) });
      await pollUntil(count, (r) => r[0].n === 4, { what: 'a fourth service' });
      const second = await get(
        `/api/v1/services?q=${enc(k)}&limit=2&cursor=${enc(first.json.nextCursor)}`,
      );
      expect(second.json).toEqual({
        items: [expect.objectContaining({ name: `${k}-d` })],
        nextCursor: null,
      });
    });
  });

  describe('GET /api/v1/instances', () => {
    it('lists instances by service and name with state and event-time staleness', async () => {
      const res = await get(`/api/v1/instances?service=${enc(svc.api)}`);
      expect(res.status).toBe(200);
      expect(res.json.nextCursor).toBeNull();
      const [api1, api2, api3] = res.json.items;
      expect(api1).toEqual({
        service: svc.api,
        name: 'api-1',
        key: `instance:${svc.api}/api-1`,
        host: host.h1,
        zone: zone.z1,
        labels: { zone: zone.z1 },
        status: 'fail',
        firstSeenAt: at(20 * MIN),
        lastSeenAt: at(1_000),
        lastReceivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        intervalMs: 20 * MIN - 1_000,
        stale: false,
      });
      expect(api2).toMatchObject({
        name: 'api-2',
        status: 'pass',
        lastSeenAt: at(2_000),
        stale: false,
      });
      expect(api2.intervalMs).toBeGreaterThan(4 * MIN);
      expect(api3).toMatchObject({
        name: 'api-3',
        status: 'warn',
        lastSeenAt: at(30 * MIN - 10_000),
        intervalMs: 10_000,
        stale: true,
      });
    });

    it('never calls an instance with a single report stale', async () => {
      const res = await get(`/api/v1/instances?service=${enc(svc.worker)}`);
      expect(res.json.items).toEqual([
        expect.objectContaining({
          name: 'worker-1',
          intervalMs: null,
          stale: false,
          status: 'fail',
        }),
      ]);
    });

    it.each([
      ['host', () => `host=${enc(host.h1)}`, ['api/api-1', 'api/api-2']],
      ['host and status', () => `host=${enc(host.h2)}&status=fail`, ['worker/worker-1']],
      ['zone', () => `zone=${enc(zone.z2)}`, ['api/api-3', 'worker/worker-1']],
      ['service and status', () => `service=${enc(svc.api)}&status=warn`, ['api/api-3']],
      ['stale=true', () => `service=${enc(svc.api)}&stale=true`, ['api/api-3']],
      ['stale=false', () => `service=${enc(svc.api)}&stale=false`, ['api/api-1', 'api/api-2']],
    ])('filters by %s', async (_what, query, expected) => {
      const res = await get(`/api/v1/instances?${query()}`);
      const names = res.json.items.map(
        (i: { service: string; name: string }) => `${i.service.slice(base.length + 1)}/${i.name}`,
      );
      expect(names).toEqual(expected);
    });

    it('agrees with itself: the stale filter returns exactly the items marked stale', async () => {
      const all = mine((await get('/api/v1/instances?limit=500')).json.items);
      const stale = mine((await get('/api/v1/instances?stale=true&limit=500')).json.items);
      expect(all.length).toBeGreaterThanOrEqual(6);
      expect(stale.map((i) => i.key)).toEqual(all.filter((i: any) => i.stale).map((i) => i.key));
      expect(stale.map((i) => i.key)).toEqual([`instance:${svc.api}/api-3`]);
    });

    it('pages across services without duplicates or gaps', async () => {
      const items = await expectStablePaging(
        `/api/v1/instances?zone=${enc(zone.z2)}`,
        [1],
        (i) => i.key,
      );
      expect(items.map((i) => i.name)).toEqual(['api-3', 'worker-1']);
      expect(
        await expectStablePaging(`/api/v1/instances?host=${enc(host.h1)}`, [1, 2], (i) => i.key),
      ).toHaveLength(2);
      await expectStablePaging('/api/v1/instances?status=warn', [2], (i) => i.key);
    });
  });

  describe('GET /api/v1/instances/:service/:instance', () => {
    it('returns the instance with its current checks', async () => {
      const res = await get(`/api/v1/instances/${enc(svc.api)}/api-1`);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        key: `instance:${svc.api}/api-1`,
        status: 'fail',
        host: host.h1,
        stale: false,
      });
      expect(res.json.checks).toEqual([
        {
          name: 'database',
          target: `mysql://${base}-db:3306/app`,
          backendKey: DB,
          status: 'pass',
          since: at(20 * MIN),
          latencyMs: null,
          output: null,
        },
        {
          name: 'rabbitmq',
          target: `amqp://${base}-rabbit:5672/vhost`,
          backendKey: RABBIT,
          status: 'fail',
          since: at(1_000),
          latencyMs: 5000,
          output: 'connection refused',
        },
      ]);
      expect(res.text).not.toContain('secret');
    });

    it('takes URL-encoded names and checks without a target', async () => {
      const res = await get(`/api/v1/instances/${enc(svc.cron)}/${enc(CRON_INSTANCE)}`);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        name: CRON_INSTANCE,
        key: `instance:${svc.cron}/${CRON_INSTANCE}`,
        host: null,
        zone: null,
        labels: {},
      });
      expect(res.json.checks).toEqual([
        {
          name: 'disk',
          target: null,
          backendKey: null,
          status: 'warn',
          since: at(10 * MIN),
          latencyMs: null,
          output: '91% used',
        },
      ]);
    });

    it.each(['', '/reports', '/transitions'])(
      '404 with a JSON body for an unknown instance (%s)',
      async (suffix) => {
        for (const path of [
          `/api/v1/instances/${enc(svc.api)}/nope${suffix}`,
          `/api/v1/instances/${enc(`${base}-nope`)}/api-1${suffix}`,
          `/api/v1/instances/${enc(svc.api)}/nope%00${suffix}`, // a name that cannot be stored is unknown, not a 500
        ]) {
          const res = await get(path);
          expect(res.status).toBe(404);
          expect(res.json).toMatchObject({
            statusCode: 404,
            error: 'Not Found',
            message: expect.stringContaining('nope'),
          });
        }
      },
    );
  });

  describe('GET /api/v1/instances/:service/:instance/reports', () => {
    const path = () => `/api/v1/instances/${enc(svc.api)}/api-2/reports`;

    it('returns raw reports newest first', async () => {
      const res = await get(path());
      expect(res.status).toBe(200);
      expect(res.json.nextCursor).toBeNull();
      expect(res.json.items.map((r: { observedAt: string }) => r.observedAt)).toEqual(
        API2_TIMES.map(at).reverse(),
      );
      expect(res.json.items.map((r: { status: string }) => r.status)).toEqual(
        [...API2_DB].reverse(),
      );
      expect(res.json.items[0]).toEqual({
        observedAt: at(2_000),
        receivedAt: expect.any(String),
        status: 'pass',
        host: host.h1,
        labels: { zone: zone.z1 },
        checks: [
          {
            name: 'rabbitmq',
            target: `amqp://${base}-rabbit:5672/vhost`,
            backendKey: RABBIT,
            status: 'pass',
            latencyMs: null,
            output: null,
          },
          {
            name: 'database',
            target: `mysql://${base}-db:3306/app`,
            backendKey: DB,
            status: 'pass',
            latencyMs: null,
            output: null,
          },
        ],
        id: null,
      });
    });

    it('returns the client id of a report that had one', async () => {
      const res = await get(`/api/v1/instances/${enc(svc.api)}/api-1/reports?limit=1`);
      expect(res.json.items).toEqual([
        expect.objectContaining({ observedAt: at(1_000), id: `${base}-r1`, status: 'fail' }),
      ]);
      expect(res.json.nextCursor).toEqual(expect.any(String));
    });

    it('filters by since (inclusive) and until (exclusive)', async () => {
      const res = await get(`${path()}?since=${enc(at(20 * MIN))}&until=${enc(at(5 * MIN))}`);
      expect(res.json.items.map((r: { observedAt: string }) => r.observedAt)).toEqual([
        at(10 * MIN),
        at(15 * MIN),
        at(20 * MIN),
      ]);
      const offset = new Date(T0 - 20 * MIN).toISOString().replace('Z', '+00:00');
      expect((await get(`${path()}?since=${enc(offset)}`)).json.items).toHaveLength(5);
    });

    it('pages without duplicates or gaps', async () => {
      const items = await expectStablePaging(path(), [1, 3, 6], (r) => r.observedAt);
      expect(items).toHaveLength(7);
      const pages = await walk(`${path()}?since=${enc(at(25 * MIN))}`, 2);
      expect(pages.map((p) => p.length)).toEqual([2, 2, 2]);
    });
  });

  describe('GET /api/v1/instances/:service/:instance/transitions', () => {
    const path = () => `/api/v1/instances/${enc(svc.api)}/api-2/transitions`;
    const summary = (t: any) => [t.check, t.from, t.to, t.observedAt];

    it('returns check transitions newest first, ties broken by id', async () => {
      const res = await get(path());
      expect(res.status).toBe(200);
      expect(res.json.items.map(summary)).toEqual([
        ['database', 'fail', 'pass', at(10 * MIN)],
        ['database', 'pass', 'fail', at(20 * MIN)],
        ['database', null, 'pass', at(30 * MIN)],
        ['rabbitmq', null, 'pass', at(30 * MIN)],
      ]);
      const ids = res.json.items.map((t: { id: string }) => BigInt(t.id));
      expect(ids[2]).toBeGreaterThan(ids[3]);
      expect(res.json.items[0]).toEqual({
        id: expect.stringMatching(/^\d+$/),
        check: 'database',
        backendKey: DB,
        from: 'fail',
        to: 'pass',
        observedAt: at(10 * MIN),
        output: null,
      });
    });

    it('filters by check, since and until', async () => {
      expect((await get(`${path()}?check=rabbitmq`)).json.items.map(summary)).toEqual([
        ['rabbitmq', null, 'pass', at(30 * MIN)],
      ]);
      expect(
        (await get(`${path()}?check=database&since=${enc(at(20 * MIN))}`)).json.items.map(summary),
      ).toEqual([
        ['database', 'fail', 'pass', at(10 * MIN)],
        ['database', 'pass', 'fail', at(20 * MIN)],
      ]);
      expect((await get(`${path()}?until=${enc(at(20 * MIN))}`)).json.items).toHaveLength(2);
      expect((await get(`${path()}?check=none`)).json).toEqual({ items: [], nextCursor: null });
    });

    it('pages through equal event times without duplicates or gaps', async () => {
      expect(await expectStablePaging(path(), [1, 2, 3], (t) => t.id)).toHaveLength(4);
    });
  });

  describe('GET /api/v1/backends', () => {
    const rabbitSummary = () => ({
      key: RABBIT,
      scheme: 'amqp',
      host: `${base}-rabbit`,
      port: 5672,
      firstSeenAt: at(30 * MIN),
      dependents: 4,
      failing: 3,
      services: [svc.api, svc.worker],
    });

    it('lists backends with distinct dependent instances, failing checks and services', async () => {
      const res = await get(`/api/v1/backends?q=${enc(base)}`);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        items: [
          rabbitSummary(),
          {
            key: CDN,
            scheme: 'https',
            host: `${base}-cdn`,
            port: 443,
            firstSeenAt: at(5 * MIN),
            dependents: 1,
            failing: 0,
            services: [svc.web],
          },
          {
            key: DB,
            scheme: 'mysql',
            host: `${base}-db`,
            port: 3306,
            firstSeenAt: at(30 * MIN),
            dependents: 3,
            failing: 0,
            services: [svc.api],
          },
        ],
        nextCursor: null,
      });
    });

    it.each([
      ['failing=true', () => `q=${enc(base)}&failing=true`, () => [RABBIT]],
      ['failing=false', () => `q=${enc(base)}&failing=false`, () => [CDN, DB]],
      ['scheme', () => `q=${enc(base)}&scheme=mysql`, () => [DB]],
      [
        'a case-insensitive substring',
        () => `q=${enc(`${base}-RAB`.toUpperCase())}`,
        () => [RABBIT],
      ],
      ['a key prefix', () => `q=${enc(`backend:https://${base}`)}`, () => [CDN]],
    ])('filters by %s', async (_what, query, expected) => {
      expect(
        (await get(`/api/v1/backends?${query()}`)).json.items.map((b: { key: string }) => b.key),
      ).toEqual(expected());
    });

    it('pages without duplicates or gaps', async () => {
      expect(
        await expectStablePaging(`/api/v1/backends?q=${enc(base)}`, [1, 2], (b) => b.key),
      ).toHaveLength(3);
    });

    it('GET /api/v1/backends/:key returns the backend with every current check on it', async () => {
      const res = await get(`/api/v1/backends/${enc(RABBIT)}`);
      expect(res.status).toBe(200);
      const { dependents: _count, ...rest } = rabbitSummary();
      const dep = (
        service: string,
        instance: string,
        check: string,
        status: Status,
        since: string,
      ) => ({ service, instance, check, status, since });
      expect(res.json).toEqual({
        ...rest,
        dependentCount: 4,
        dependents: [
          dep(svc.api, 'api-1', 'rabbitmq', 'fail', at(1_000)),
          dep(svc.api, 'api-2', 'rabbitmq', 'pass', at(30 * MIN)),
          dep(svc.api, 'api-3', 'rabbitmq', 'pass', at(30 * MIN)),
          dep(svc.worker, 'worker-1', 'rabbit-consume', 'fail', at(10 * MIN)),
          dep(svc.worker, 'worker-1', 'rabbit-publish', 'fail', at(10 * MIN)),
        ],
      });
    });

    it('404 with a JSON body for an unknown backend', async () => {
      for (const key of [
        `backend:amqp://${base}-nope:5672`,
        `backend:amqp://${base}-rabbit:5672\u0000`,
      ]) {
        const res = await get(`/api/v1/backends/${enc(key)}`);
        expect(res.status).toBe(404);
        expect(res.json).toMatchObject({ statusCode: 404, error: 'Not Found' });
      }
    });
  });

  describe('refuses bad parameters with a 400 naming the field', () => {
    const cursorOf = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');
    it.each([
      ['/api/v1/services?limit=0', '/limit'],
      ['/api/v1/services?limit=501', '/limit'],
      ['/api/v1/services?limit=ten', '/limit'],
      ['/api/v1/services?limit=2.5', '/limit'],
      ['/api/v1/services?colour=red', '/colour'],
      ['/api/v1/services?status=broken', '/status'],
      ['/api/v1/services?cursor=%%%', '/cursor'],
      ['/api/v1/services?cursor=bm90LWpzb24', '/cursor'],
      ['/api/v1/instances?stale=yes', '/stale'],
      ['/api/v1/instances?status=ok', '/status'],
      [`/api/v1/instances?cursor=${cursorOf(['only-one'])}`, '/cursor'],
      ['/api/v1/instances/a/b/reports?since=yesterday', '/since'],
      ['/api/v1/instances/a/b/reports?until=2026-11-25', '/until'],
      ['/api/v1/instances/a/b/reports?since=2026-02-30T10:00:00Z', '/since'],
      ['/api/v1/instances/a/b/transitions?until=0000-01-01T00:00:00Z', '/until'],
      ['/api/v1/instances?service=a%00b', '/service'],
      ['/api/v1/services?q=%00', '/q'],
      ['/api/v1/instances/a/b/transitions?check=', '/check'],
      [`/api/v1/services?cursor=${cursorOf(['a\u0000'])}`, '/cursor'],
      [
        `/api/v1/instances/a/b/transitions?cursor=${cursorOf(['2026-11-25T10:00:00Z', '99999999999999999999'])}`,
        '/cursor',
      ],
      [`/api/v1/instances/a/b/reports?cursor=${cursorOf(['not a time'])}`, '/cursor'],
      ['/api/v1/instances/a/b/transitions?cursor=eyJ4IjoxfQ', '/cursor'],
      [
        `/api/v1/instances/a/b/transitions?cursor=${cursorOf(['2026-11-25T10:00:00Z', 'x'])}`,
        '/cursor',
      ],
      ['/api/v1/instances/a/b/transitions?from=pass', '/from'],
      ['/api/v1/backends?failing=1', '/failing'],
      ['/api/v1/backends?scheme=a%20b', '/scheme'],
      [`/api/v1/backends?cursor=${cursorOf([1])}`, '/cursor'],
    ])('%s → %s', async (path, field) => {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect(res.json.errors.map((e: { path: string }) => e.path)).toContain(field);
    });

    it('refuses a cursor taken from another list', async () => {
      const services = await get(`/api/v1/services?q=${enc(base)}&limit=1`);
      const res = await get(
        `/api/v1/instances/${enc(svc.api)}/api-2/transitions?cursor=${enc(services.json.nextCursor)}`,
      );
      expect(res.status).toBe(400);
      expect(res.json.errors).toEqual([{ path: '/cursor', reason: expect.any(String) }]);
    });
  });

  describe('authentication and scopes', () => {
    const routes = () => [
      '/api/v1/services',
      '/api/v1/instances',
      `/api/v1/instances/${enc(svc.api)}/api-1`,
      `/api/v1/instances/${enc(svc.api)}/api-1/reports`,
      `/api/v1/instances/${enc(svc.api)}/api-1/transitions`,
      '/api/v1/backends',
      `/api/v1/backends/${enc(RABBIT)}`,
    ];

    it('401 without a token', async () => {
      for (const path of routes())
        expect([path, (await get(path, null)).status]).toEqual([path, 401]);
    });

    it('403 with an ingest-only token, 200 with a read-only one', async () => {
      const ingest = await stack.call('POST', '/api/v1/tokens', {
        name: `${base}-ingest`,
        scopes: ['ingest'],
      });
      const read = await stack.call('POST', '/api/v1/tokens', {
        name: `${base}-read`,
        scopes: ['read'],
      });
      expect([ingest.status, read.status]).toEqual([201, 201]);
      for (const path of routes()) {
        const refused = await get(path, ingest.json.token);
        expect([path, refused.status, refused.json.message]).toEqual([
          path,
          403,
          expect.stringContaining('read'),
        ]);
        expect([path, (await get(path, read.json.token)).status]).toEqual([path, 200]);
      }
    });

    it('documents every route in the OpenAPI document', async () => {
      const docs = await get('/api/docs-json', null);
      const paths = docs.json.paths;
      for (const p of ['/api/v1/services', '/api/v1/instances', '/api/v1/backends'])
        expect(paths[p].get.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(paths)).toEqual(
        expect.arrayContaining([
          '/api/v1/instances/{service}/{instance}',
          '/api/v1/instances/{service}/{instance}/reports',
          '/api/v1/instances/{service}/{instance}/transitions',
          '/api/v1/backends/{key}',
        ]),
      );
      const params = paths['/api/v1/instances'].get.parameters.map((p: { name: string }) => p.name);
      expect(params).toEqual(
        expect.arrayContaining(['limit', 'cursor', 'service', 'host', 'zone', 'status', 'stale']),
      );
      expect(
        paths['/api/v1/backends/{key}'].get.responses['200'].content['application/json'].schema
          .$ref,
      ).toMatch(/BackendDetailDto$/);
    });
  });
});
