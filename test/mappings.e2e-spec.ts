import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';

import { pollUntil } from '../bench/support/poll-until';
import { freshDatabase, type Stack, startStack, uniqueName } from './support/stack';

// A real @nestjs/terminus 11 answer: `redis` carries no address, so it stays a name until mapped.
const TERMINUS = readFileSync(
  join(__dirname, '../libs/formats/src/fixtures/terminus-real-error.json'),
  'utf8',
);
const FLEET_REDIS = 'redis://10.0.0.5:6379';

interface CheckView {
  name: string;
  status: string;
  target: string | null;
}

/**
 * The fleet-wide component mapping end to end: a terminus `redis` unmapped is scoped to its
 * service and listed as unresolved (grouped by name across services); once mapped through
 * /api/v1/mappings the next push and the next poll (in the worker, another cache) resolve it
 * without a restart; a push source's own mapping still wins; bad input is refused naming the
 * field, and only admins may change mappings.
 */
describe('fleet-wide component mappings', () => {
  let stack: Stack;
  let server: Server | null = null;

  beforeAll(async () => {
    // Its own database: a fleet-wide mapping applies to every push, other specs' included.
    const DATABASE_URL = await freshDatabase('mappings');
    stack = await startStack({ env: { DATABASE_URL } });
  });
  afterAll(async () => {
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    }
    await stack.close();
  });

  const pushTerminus = (service: string, source?: string) =>
    stack.call(
      'POST',
      `/api/v1/ingest/terminus?service=${service}&instance=${service}-1${source ? `&source=${source}` : ''}`,
      undefined,
      { raw: TERMINUS },
    );

  /** The check `name` of an instance once `done` holds for it (its current state via the API). */
  const awaitCheck = async (
    service: string,
    instance: string,
    name: string,
    done: (check: CheckView) => boolean,
    what: string,
  ): Promise<CheckView> => {
    const res = await pollUntil(
      () => stack.call('GET', `/api/v1/instances/${service}/${encodeURIComponent(instance)}`),
      (r) =>
        r.status === 200 && (r.json.checks as CheckView[]).some((c) => c.name === name && done(c)),
      { timeoutMs: 20_000, intervalMs: 200, what },
    );
    return (res.json.checks as CheckView[]).find((c) => c.name === name) as CheckView;
  };

  /** The redis target of the newest stored report of an instance. */
  const storedRedisTarget = async (service: string): Promise<string | null | undefined> => {
    const res = await stack.call('GET', `/api/v1/instances/${service}/${service}-1/reports`);
    const newest = res.json.items[0] as { checks: CheckView[] } | undefined;
    return newest?.checks.find((c) => c.name === 'redis')?.target;
  };

  const orders = uniqueName('orders');
  const billing = uniqueName('billing');

  it('scopes an unmapped terminus redis to its service and groups it by name across services', async () => {
    for (const service of [orders, billing]) {
      const res = await pushTerminus(service);
      expect(res.status).toBe(202);
      expect(res.json.unresolved).toContainEqual({
        service,
        component: 'redis',
        target: `component://redis.${service}`,
      });
      expect(res.json.refused).toEqual([]);
    }
    const check = await awaitCheck(orders, `${orders}-1`, 'redis', () => true, 'the push stored');
    expect(check).toMatchObject({ status: 'fail', target: `component://redis.${orders}` });

    const grouped = await stack.call('GET', '/api/v1/components/unresolved?groupBy=name');
    expect(grouped.status).toBe(200);
    const redis = grouped.json.items.find((g: { component: string }) => g.component === 'redis');
    expect(redis).toEqual({
      component: 'redis',
      services: [billing, orders].sort(),
      sources: ['push'],
      count: 2,
      firstSeen: expect.any(String),
      lastSeen: expect.any(String),
      suggestedMapping: 'PUT /api/v1/mappings/redis',
    });
    // Ungrouped, the list keeps its fields: one item per source, service and component.
    const flat = await stack.call('GET', `/api/v1/components/unresolved?service=${orders}`);
    expect(flat.json.items).toContainEqual({
      source: 'push',
      service: orders,
      component: 'redis',
      target: `component://redis.${orders}`,
      firstSeen: expect.any(String),
      lastSeen: expect.any(String),
    });
    const bad = await stack.call('GET', '/api/v1/components/unresolved?groupBy=service');
    expect(bad.status).toBe(400);
  });

  it('maps redis for the whole fleet: the next push resolves it, and it leaves the unresolved list', async () => {
    const put = await stack.call('PUT', '/api/v1/mappings/redis', { target: FLEET_REDIS });
    expect(put.status).toBe(201);
    expect(put.json).toEqual({
      name: 'redis',
      target: FLEET_REDIS,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const grouped = await stack.call('GET', '/api/v1/components/unresolved?groupBy=name');
    expect(grouped.json.items.map((g: { component: string }) => g.component)).not.toContain(
      'redis',
    );

    const res = await pushTerminus(orders);
    expect(res.status).toBe(202);
    expect(res.json.unresolved.map((u: { component: string }) => u.component)).not.toContain(
      'redis',
    );
    const check = await awaitCheck(
      orders,
      `${orders}-1`,
      'redis',
      (c) => c.target === FLEET_REDIS,
      'the mapped push stored',
    );
    expect(check.status).toBe('fail');
    expect(await storedRedisTarget(orders)).toBe(FLEET_REDIS);

    // Replaced: 200, and the next push takes the new target.
    const replaced = await stack.call('PUT', '/api/v1/mappings/redis', {
      target: 'redis-vip.internal:6379',
    });
    expect(replaced.status).toBe(200);
    expect((await pushTerminus(billing)).status).toBe(202);
    await awaitCheck(
      billing,
      `${billing}-1`,
      'redis',
      (c) => c.target === 'tcp://redis-vip.internal:6379',
      'the replaced mapping applied',
    );
    expect(
      (await stack.call('PUT', '/api/v1/mappings/redis', { target: FLEET_REDIS })).status,
    ).toBe(200);
  });

  it("lets a push source's own mapping win over the fleet's", async () => {
    const source = uniqueName('eu-shop');
    const service = uniqueName('shop');
    const put = await stack.call('PUT', `/api/v1/sources/${source}`, {
      service,
      mapping: { redis: 'redis://cache-eu.internal:6379' },
    });
    expect(put.status).toBe(201);
    expect((await pushTerminus(service, source)).status).toBe(202);
    const check = await awaitCheck(
      service,
      `${service}-1`,
      'redis',
      (c) => c.target !== null,
      'the source-mapped push stored',
    );
    expect(check.target).toBe('redis://cache-eu.internal:6379');
    // The same document without the source: the fleet's mapping.
    const other = uniqueName('shop');
    expect((await pushTerminus(other)).status).toBe(202);
    expect(
      (await awaitCheck(other, `${other}-1`, 'redis', (c) => c.target !== null, 'stored')).target,
    ).toBe(FLEET_REDIS);
  });

  it('applies a mapping made while the worker polls, from its next polls on, without a restart', async () => {
    const requests: IncomingHttpHeaders[] = [];
    const name = 'search-api';
    server = createServer((req, res) => {
      requests.push(req.headers);
      res.writeHead(503, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          status: 'error',
          error: { [name]: { status: 'down', message: 'socket hang up' } },
          details: { [name]: { status: 'down', message: 'socket hang up' } },
        }),
      );
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const service = uniqueName('polled');
    const target = await stack.call('POST', '/api/v1/targets', {
      url: `http://127.0.0.1:${port}/health`,
      format: 'terminus',
      service,
      instance: 'p-1',
      intervalMs: 1000,
      timeoutMs: 500,
    });
    expect(target.status).toBe(201);
    await awaitCheck(
      service,
      'p-1',
      name,
      (c) => c.target === `component://${name}.${service}`,
      'the unmapped poll',
    );
    expect(requests[0].accept).toBe('application/json');

    expect(
      (
        await stack.call('PUT', `/api/v1/mappings/${name}`, {
          target: 'http://search.internal:9200',
        })
      ).status,
    ).toBe(201);
    await awaitCheck(
      service,
      'p-1',
      name,
      (c) => c.target === 'http://search.internal:9200',
      'the mapping applied by the worker',
    );
    // Polls adapted with the worker's older mapping meanwhile left nothing listed behind.
    const unresolved = await stack.call('GET', `/api/v1/components/unresolved?service=${service}`);
    expect(unresolved.json.items).toEqual([]);
    expect((await stack.call('DELETE', `/api/v1/targets/${target.json.id}`)).status).toBe(204);
  }, 40_000);

  it('lists mappings by name, page by page; reads and deletes one', async () => {
    for (const name of ['kafka', 'db/primary'])
      expect(
        (
          await stack.call('PUT', `/api/v1/mappings/${encodeURIComponent(name)}`, {
            target: `${name.replace('/', '-')}.internal:9092`,
          })
        ).status,
      ).toBe(201);
    const first = await stack.call('GET', '/api/v1/mappings?limit=2');
    expect(first.status).toBe(200);
    expect(first.json.items.map((m: { name: string }) => m.name)).toEqual(['db/primary', 'kafka']);
    const rest = await stack.call(
      'GET',
      `/api/v1/mappings?limit=2&cursor=${encodeURIComponent(first.json.nextCursor)}`,
    );
    expect(rest.json.items.map((m: { name: string }) => m.name)).toEqual(['redis', 'search-api']);

    const one = await stack.call('GET', '/api/v1/mappings/db%2Fprimary');
    expect(one).toMatchObject({ status: 200, json: { name: 'db/primary' } });
    expect((await stack.call('DELETE', '/api/v1/mappings/kafka')).status).toBe(204);
    expect((await stack.call('GET', '/api/v1/mappings/kafka')).status).toBe(404);
    expect((await stack.call('DELETE', '/api/v1/mappings/kafka')).status).toBe(404);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const errorsOf = async (name: string, body: unknown) => {
      const res = await stack.call('PUT', `/api/v1/mappings/${name}`, body);
      expect(res.status).toBe(400);
      return (res.json.errors as { path: string }[]).map((e) => e.path).sort();
    };
    expect(await errorsOf('redis', { target: 'not a uri' })).toEqual(['/target']);
    expect(await errorsOf('redis', {})).toEqual(['/target']);
    expect(await errorsOf('redis', { target: 42 })).toEqual(['/target']);
    expect(await errorsOf('redis', { target: 'redis://r:6379', extra: 1 })).toEqual(['/extra']);
    expect(await errorsOf('x'.repeat(201), { target: 'redis://r:6379' })).toEqual(['/name']);
    // Nothing of it stored.
    expect((await stack.call('GET', '/api/v1/mappings/redis')).json.target).toBe(FLEET_REDIS);
  });

  it('documents the routes, the grouping and the precedence in the OpenAPI document', async () => {
    const docs = await stack.call('GET', '/api/docs-json', undefined, { token: null });
    const paths = docs.json.paths as Record<string, Record<string, { description?: string }>>;
    expect(Object.keys(paths['/api/v1/mappings']).sort()).toEqual(['get']);
    expect(Object.keys(paths['/api/v1/mappings/{name}']).sort()).toEqual(['delete', 'get', 'put']);
    expect(paths['/api/v1/mappings/{name}'].put.description).toMatch(/own mapping .* wins/);
    expect(paths['/api/v1/components/unresolved'].get.description).toMatch(/groupBy=name/);
    expect(paths['/api/v1/ingest/{format}'].post.description).toMatch(/refused/);
    expect(paths['/api/v1/targets'].post.description).toMatch(/FAULTLINE_SECRET_KEY/);
  });

  it('is for admins: 401 without a token, 403 with a read or ingest token', async () => {
    const tokens: string[] = [];
    for (const scope of ['read', 'ingest']) {
      const created = await stack.call('POST', '/api/v1/tokens', {
        name: uniqueName(`mappings-${scope}`),
        scopes: [scope],
      });
      expect(created.status).toBe(201);
      tokens.push(created.json.token as string);
    }
    const calls: [string, string, unknown?][] = [
      ['GET', '/api/v1/mappings'],
      ['GET', '/api/v1/mappings/redis'],
      ['PUT', '/api/v1/mappings/redis', { target: 'redis://evil:6379' }],
      ['DELETE', '/api/v1/mappings/redis'],
    ];
    for (const [method, path, body] of calls) {
      expect([
        method,
        path,
        (await stack.call(method, path, body, { token: null })).status,
      ]).toEqual([method, path, 401]);
      for (const token of tokens)
        expect([method, path, (await stack.call(method, path, body, { token })).status]).toEqual([
          method,
          path,
          403,
        ]);
    }
    expect((await stack.call('GET', '/api/v1/mappings/redis')).json.target).toBe(FLEET_REDIS);
    // Reading what is unresolved needs only read.
    expect(
      (
        await stack.call('GET', '/api/v1/components/unresolved?groupBy=name', undefined, {
          token: tokens[0],
        })
      ).status,
    ).toBe(200);
  });
});
