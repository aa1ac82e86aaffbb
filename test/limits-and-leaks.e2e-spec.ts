import { listenForMetrics } from '@faultline/platform';

import { pollUntil } from '../bench/support/poll-until';
import { type NodeProcess, readyz, startApi } from './support/processes';
import { type Stack, startStack, testConfig, uniqueName } from './support/stack';
import { redisUrl, TEST_ADMIN_TOKEN } from './support/test-env';
import { freePort, ThrowawayPostgres } from './support/throwaway-servers';

/**
 * Hardening, each attack or fault failing safely: a late report cannot make the ingest path
 * rewrite an instance's history; /readyz tells the public no reasons and the worker's metrics
 * stay on loopback; what grows without bound (the whole graph, a backend's dependents,
 * unresolved component names) is capped; and while Postgres is down its routes answer 503
 * naming it, with one warn line per request. The service is ready after each.
 */

const MIN = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('limits and leaks', () => {
  let stack: Stack;
  const service = uniqueName('lal');
  const dbHost = `${service}-db`;
  const backendKey = `backend:mysql://${dbHost}:3306`;
  // Event time of every instance's newest report: a minute ago, whole seconds.
  const W = Math.floor((Date.now() - MIN) / 1000) * 1000;

  const report = (instance: string, at: number, status: 'pass' | 'fail') => ({
    service,
    instance,
    host: `${instance}-host`,
    observedAt: new Date(at).toISOString(),
    checks: [{ name: 'db', target: `mysql://${dbHost}:3306/app`, status }],
  });
  const post = async (body: unknown) => {
    const res = await stack.call('POST', '/api/v1/reports', body);
    expect(res.status).toBe(202);
  };
  const storedReports = (instance: string) =>
    stack
      .sql<{ n: number }>(
        'SELECT count(*)::int AS n FROM reports WHERE service = $1 AND instance = $2',
        [service, instance],
      )
      .then((r) => r[0].n);
  /** Everything a replay would touch: the rows' versions (xmin) and the transitions' ids. */
  const footprint = async (instance: string) => ({
    instance: await stack.sql(
      'SELECT xmin::text, status, last_seen_at FROM instances WHERE service = $1 AND name = $2',
      [service, instance],
    ),
    checks: await stack.sql(
      'SELECT xmin::text, status, since FROM check_states WHERE service = $1 AND instance = $2',
      [service, instance],
    ),
    transitions: await stack.sql(
      `SELECT id::text, from_status, to_status, observed_at FROM check_transitions
       WHERE service = $1 AND instance = $2 ORDER BY observed_at, id`,
      [service, instance],
    ),
  });
  /** Posts a history (pass 30 min before W, fail at W) and waits until its state is stored. */
  const history = async (instance: string) => {
    await post([report(instance, W - 30 * MIN, 'pass'), report(instance, W, 'fail')]);
    await pollUntil(
      () => footprint(instance),
      (f) => f.transitions.length === 2,
      { timeoutMs: 15_000, what: `the history of ${instance} stored` },
    );
  };

  beforeAll(async () => {
    stack = await startStack({
      env: { GRAPH_MAX_NODES: '5', UNRESOLVED_COMPONENT_MAX_LENGTH: '40' },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('a late report beyond the replay bound (10 min) is stored as history only: no state row, no transition rewritten', async () => {
    await history('old-1');
    const before = await footprint('old-1');
    // 20 minutes behind the instance's newest: the old code replayed (and rewrote) all since.
    await post(report('old-1', W - 20 * MIN, 'fail'));
    await pollUntil(
      () => storedReports('old-1'),
      (n) => n === 3,
      { timeoutMs: 15_000, what: 'the late report stored' },
    );
    expect(await footprint('old-1')).toEqual(before);
  });

  it('a late report within the bound still reorders the timeline', async () => {
    await history('late-1');
    await post(report('late-1', W - 5 * MIN, 'fail'));
    const after = await pollUntil(
      () => footprint('late-1'),
      (f) => f.transitions.some((t) => t.observed_at.getTime() === W - 5 * MIN),
      { timeoutMs: 15_000, what: 'the late report replayed' },
    );
    expect(
      after.transitions.map((t) => [t.from_status, t.to_status, t.observed_at.getTime()]),
    ).toEqual([
      [null, 'pass', W - 30 * MIN],
      ['pass', 'fail', W - 5 * MIN],
    ]);
    expect(after.checks).toEqual([
      expect.objectContaining({ status: 'fail', since: new Date(W - 5 * MIN) }),
    ]);
  });

  it('/readyz tells the public statuses only; the reasons need a read token', async () => {
    const anonymous = await stack.call('GET', '/readyz', undefined, { token: null });
    const badToken = await stack.call('GET', '/readyz', undefined, {
      token: 'not-a-real-token-at-all',
    });
    for (const res of [anonymous, badToken]) {
      expect(res.status).toBe(200);
      expect(Object.keys(res.json.checks).sort()).toEqual([
        'postgres:connection',
        'redis:connection',
        'redis:persistence',
      ]);
      for (const [entry] of Object.values<Record<string, unknown>[]>(res.json.checks))
        expect(Object.keys(entry).sort()).toEqual(['componentType', 'status', 'time']);
    }
    const reader = await stack.call('GET', '/readyz');
    expect(reader.status).toBe(200);
    expect(reader.json.checks['postgres:connection'][0]).toMatchObject({
      status: 'pass',
      observedUnit: 'ms',
      observedValue: expect.any(Number),
    });
  });

  it("the worker's metrics listen on WORKER_METRICS_HOST, loopback unless told otherwise", async () => {
    const { WORKER_METRICS_HOST } = testConfig({ HOST: '0.0.0.0' });
    expect(WORKER_METRICS_HOST).toBe('127.0.0.1');
    const metrics = await listenForMetrics(0, WORKER_METRICS_HOST, 'WORKER_METRICS_PORT');
    try {
      expect((metrics.server.address() as { address: string }).address).toBe('127.0.0.1');
    } finally {
      metrics.close();
    }
  });

  it('the whole graph is capped at GRAPH_MAX_NODES with truncated: true; a neighbourhood is whole', async () => {
    await pollUntil(
      () => stack.call('GET', `/api/v1/graph?around=${encodeURIComponent(backendKey)}&depth=1`),
      (r) => r.status === 200,
      { timeoutMs: 10_000, what: 'the backend in the graph' },
    );
    const whole = await stack.call('GET', '/api/v1/graph');
    expect(whole.status).toBe(200);
    expect(whole.json).toMatchObject({ truncated: true, totalNodes: expect.any(Number) });
    expect(whole.json.totalNodes).toBeGreaterThan(5);
    expect(whole.json.nodes).toHaveLength(5);
    const kept = new Set(whole.json.nodes.map((n: { key: string }) => n.key));
    for (const e of whole.json.edges as { source: string; target: string }[])
      expect(kept.has(e.source) && kept.has(e.target)).toBe(true);
    const around = await stack.call(
      'GET',
      `/api/v1/graph?around=${encodeURIComponent(backendKey)}&depth=1`,
    );
    expect(around.json.truncated).toBe(false);
    expect(around.json.nodes.map((n: { key: string }) => n.key)).toContain(backendKey);
  });

  it("a backend's dependents come a page at a time; the counts cover them all", async () => {
    await post(report('dep-1', W, 'pass'));
    await pollUntil(
      () =>
        stack.sql<{ n: number }>(
          'SELECT count(*)::int AS n FROM check_states WHERE backend_key = $1',
          [backendKey],
        ),
      (r) => r[0].n === 3,
      { timeoutMs: 15_000, what: 'three instances on the backend' },
    );
    const key = encodeURIComponent(backendKey);
    const detail = await stack.call('GET', `/api/v1/backends/${key}?limit=2`);
    expect(detail.status).toBe(200);
    expect(detail.json).toMatchObject({ dependentCount: 3, failing: 2, services: [service] });
    expect(detail.json.dependents.map((d: { instance: string }) => d.instance)).toEqual([
      'dep-1',
      'late-1',
    ]);
    const rest = await stack.call(
      'GET',
      `/api/v1/backends/${key}/dependents?limit=2&cursor=${detail.json.dependentsNextCursor}`,
    );
    expect(rest.json).toEqual({
      items: [expect.objectContaining({ instance: 'old-1', check: 'db', status: 'fail' })],
      nextCursor: null,
    });
    const bad = await stack.call('GET', `/api/v1/backends/${key}/dependents?cursor=abc`);
    expect(bad.status).toBe(400);
  });

  it('unresolved component names: a name over the length cap is not recorded, rows unseen for the retention are deleted', async () => {
    const pushed = uniqueName('lal-push');
    const forgotten = uniqueName('lal-gone');
    await stack.sql(
      `INSERT INTO unresolved_components (source, service, component, target, first_seen, last_seen)
       VALUES ('push', $1, 'old', 'component://old', now() - interval '90 days', now() - interval '40 days')`,
      [forgotten],
    );
    const long = `cache-${'x'.repeat(60)}`;
    const doc = {
      status: 'error',
      error: {
        redis: { status: 'down', message: 'Connection is closed.' },
        [long]: { status: 'down', message: 'no answer' },
      },
    };
    const res = await stack.call(
      'POST',
      `/api/v1/ingest/terminus?service=${pushed}&instance=${pushed}-1`,
      doc,
    );
    expect(res.status).toBe(202);
    const stored = await pollUntil(
      () =>
        stack.sql<{ component: string }>(
          'SELECT component FROM unresolved_components WHERE service = $1 OR service = $2 ORDER BY component',
          [pushed, forgotten],
        ),
      (rows) => rows.some((r) => r.component === 'redis'),
      { timeoutMs: 10_000, what: 'the unresolved redis recorded' },
    );
    expect(stored.map((r) => r.component)).toEqual(['redis']);
  });

  it('is still ready after all of it', async () => {
    expect((await readyz(stack.baseUrl)).status).toBe(200);
  });
});

describe('while Postgres is down', () => {
  let pg: ThrowawayPostgres | undefined;
  let api: NodeProcess | undefined;
  let baseUrl = '';

  beforeAll(async () => {
    pg = await ThrowawayPostgres.start();
    ({ api, baseUrl } = await startApi(
      {
        DATABASE_URL: pg.url('limits_and_leaks'),
        REDIS_URL: redisUrl(),
        FAULTLINE_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        QUEUE_PREFIX: `lal-${Date.now().toString(36)}`,
        LOG_LEVEL: 'warn',
        MIGRATE_ON_START: 'true',
        HOST: '127.0.0.1',
      },
      await freePort(),
    ));
  }, 60_000);
  afterAll(async () => {
    await api?.stop();
    await pg?.destroy();
  }, 30_000);

  const get = async (path: string) => {
    const res = await fetch(baseUrl + path, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it('every route that needs it answers 503 naming Postgres, logs one warn line each (no stack), and is ready once it is back', async () => {
    expect((await get('/api/v1/incidents')).status).toBe(200);
    await pg!.stop('fast');
    await pollUntil(
      () => readyz(baseUrl),
      (r) => r.status === 503,
      { timeoutMs: 10_000, what: 'readyz 503 while Postgres is down' },
    );
    const logStart = api!.logs().length;
    const paths = ['/api/v1/incidents', '/api/v1/services', '/api/v1/backends', '/api/v1/graph'];
    for (const path of paths) {
      const res = await get(path);
      expect({ path, status: res.status, message: res.json.message }).toEqual({
        path,
        status: 503,
        message: 'Postgres is unavailable, retry later',
      });
    }
    await sleep(500); // the log lines are written after the answers
    const lines = api!
      .logs()
      .slice(logStart)
      .split('\n')
      .filter((l) => l.trim());
    for (const path of paths) {
      const about = lines.filter((l) => l.includes(path));
      expect({ path, lines: about.length }).toEqual({ path, lines: 1 });
      const line = JSON.parse(about[0]) as { level: number; msg: string; err?: unknown };
      expect(line.level).toBe(40); // warn
      expect(line.msg).toMatch(new RegExp(`GET ${path} answered 503: Postgres is unavailable`));
      expect(line.err).toBeUndefined();
    }
    expect(lines.join('\n')).not.toMatch(/\n\s+at /);

    await pg!.start();
    await pollUntil(
      () => readyz(baseUrl),
      (r) => r.status === 200,
      { timeoutMs: 15_000, what: 'readyz 200 after Postgres is back' },
    );
    expect((await get('/api/v1/incidents')).status).toBe(200);
  }, 45_000);
});
