import { Queue } from 'bullmq';
import { Client } from 'pg';

import { pollUntil } from '../bench/support/poll-until';
import { IngestLoad, type LoadOptions, reportKey } from './support/ingest-load';
import { type NodeProcess, readyz, startApi, startWorker } from './support/processes';
import { TEST_ADMIN_TOKEN } from './support/test-env';
import { freePort, ThrowawayPostgres, ThrowawayRedis } from './support/throwaway-servers';

/**
 * Durability under faults: a 202 means the reports are in a BullMQ job in Redis (AOF, fsync
 * always), and the worker stores a job in one idempotent transaction, retrying while Postgres
 * is away. So whatever dies, every acknowledged report must end up stored exactly once.
 *
 * The real api and worker run as child processes (from dist/) against a Postgres and a Redis
 * of this file's own, on free ports, which the scenarios stop, restart and kill at will.
 */

const SCENARIO_TIMEOUT_MS = 120_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pg: ThrowawayPostgres | undefined;
let redis: ThrowawayRedis | undefined;

beforeAll(async () => {
  const [p, r] = await Promise.allSettled([ThrowawayPostgres.start(), ThrowawayRedis.start()]);
  if (p.status === 'fulfilled') pg = p.value;
  if (r.status === 'fulfilled') redis = r.value;
  if (p.status === 'rejected') throw p.reason;
  if (r.status === 'rejected') throw r.reason;
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([pg?.destroy(), redis?.destroy()]);
}, 30_000);

/** One api, one worker, a database and a queue prefix of their own on the throw-away servers. */
class Scenario {
  readonly queue: Queue;
  worker: NodeProcess;
  private readonly loads: IngestLoad[] = [];

  private constructor(
    readonly name: string,
    readonly env: Record<string, string>,
    public api: NodeProcess,
    readonly baseUrl: string,
  ) {
    this.worker = startWorker(env);
    this.queue = new Queue('ingest', {
      connection: { host: '127.0.0.1', port: redis!.port, maxRetriesPerRequest: null },
      prefix: env.QUEUE_PREFIX,
    });
    this.queue.on('error', () => undefined); // expected while Redis restarts
  }

  static async start(name: string): Promise<Scenario> {
    const env = {
      DATABASE_URL: pg!.url(`faults_${name}`),
      REDIS_URL: redis!.url,
      FAULTLINE_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      QUEUE_PREFIX: `faults-${name}-${Date.now().toString(36)}`,
      LOG_LEVEL: 'warn',
      MIGRATE_ON_START: 'true', // creates the database too
      WORKER_METRICS_PORT: '0',
      WORKER_LOCK_MS: '2000', // a killed worker's batch runs again within seconds
      HOST: '127.0.0.1',
    };
    const { api, baseUrl } = await startApi(env, await freePort());
    return new Scenario(name, env, api, baseUrl);
  }

  load(options: Partial<LoadOptions> = {}): IngestLoad {
    const load = new IngestLoad({
      baseUrl: this.baseUrl,
      token: TEST_ADMIN_TOKEN,
      service: `svc-${this.name}`,
      ...options,
    }).start();
    this.loads.push(load);
    return load;
  }

  /** One query on a fresh connection: Postgres may have restarted since the last one. */
  async sql<T = any>(query: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({
      connectionString: this.env.DATABASE_URL,
      connectionTimeoutMillis: 5000,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query(query, params)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Stored report rows of this scenario's service, or -1 while Postgres cannot answer. */
  async storedCount(): Promise<number> {
    try {
      return (
        await this.sql<{ n: number }>('SELECT count(*)::int AS n FROM reports WHERE service = $1', [
          `svc-${this.name}`,
        ])
      )[0].n;
    } catch {
      return -1;
    }
  }

  async storedKeys(): Promise<string[]> {
    const rows = await this.sql<{ service: string; instance: string; observed_at: Date }>(
      'SELECT service, instance, observed_at FROM reports WHERE service = $1',
      [`svc-${this.name}`],
    );
    return rows.map((r) => reportKey(r.service, r.instance, r.observed_at));
  }

  /** Reports inside the given jobs: what the queue holds for them. */
  async reportsIn(states: ('active' | 'wait' | 'delayed')[]): Promise<string[]> {
    const jobs = await this.queue.getJobs(states);
    return jobs.flatMap((j) =>
      (j?.data.reports ?? []).map((r: { service: string; instance: string; observedAt: number }) =>
        reportKey(r.service, r.instance, new Date(r.observedAt)),
      ),
    );
  }

  logs(): string {
    return `\n--- api output (tail) ---\n${this.api.logs().slice(-4000)}\n--- worker output (tail) ---\n${this.worker.logs().slice(-4000)}`;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.loads.map((l) => l.abort()));
    await Promise.allSettled([this.worker.stop(), this.api.stop()]);
    await this.queue.close().catch(() => undefined);
  }
}

/**
 * Waits until every acknowledged report is stored and the queue is empty, then asserts that
 * the stored rows are exactly the acknowledged reports: none missing, none unexpected, none
 * twice (the primary key forbids that for raw rows; transitions would show a replayed batch).
 */
async function expectExactlyAccepted(s: Scenario, load: IngestLoad): Promise<void> {
  let idleSince: number | null = null;
  const progress = async () => {
    const stored = new Set(await s.storedKeys().catch(() => [] as string[]));
    const counts = await s.queue.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'prioritized',
      'failed',
    );
    const missing = [...load.accepted].filter((k) => !stored.has(k)).length;
    const backlog = counts.waiting + counts.active + counts.delayed + counts.prioritized;
    idleSince = backlog > 0 ? null : (idleSince ?? Date.now());
    return {
      missing,
      backlog,
      failed: counts.failed,
      idleMs: Date.now() - (idleSince ?? Date.now()),
    };
  };
  try {
    // Done when all is stored; or when nothing is left to run for 2 s (what is missing then is lost: the assertions say what).
    await pollUntil(
      progress,
      (p) => (p.missing === 0 && p.backlog === 0) || p.failed > 0 || p.idleMs > 2000,
      {
        timeoutMs: 45_000,
        intervalMs: 250,
        what: 'every accepted report stored and the queue drained',
      },
    );
    const stored = await s.storedKeys();
    const storedSet = new Set(stored);
    const missing = [...load.accepted].filter((k) => !storedSet.has(k));
    const unexpected = stored.filter((k) => !load.accepted.has(k));
    const duplicateTransitions = await s.sql(
      `SELECT instance, check_name, observed_at, count(*)::int AS n FROM check_transitions WHERE service = $1
       GROUP BY instance, check_name, observed_at HAVING count(*) > 1 LIMIT 5`,
      [`svc-${s.name}`],
    );
    // State is derived from the reports: each instance was last seen at its newest report.
    const staleInstances = await s.sql(
      `SELECT i.name, i.last_seen_at, max(r.observed_at) AS newest FROM instances i
       JOIN reports r ON r.service = i.service AND r.instance = i.name WHERE i.service = $1
       GROUP BY i.name, i.last_seen_at HAVING i.last_seen_at <> max(r.observed_at)`,
      [`svc-${s.name}`],
    );
    const failedJobs = await s.queue.getJobCountByTypes('failed');
    expect({
      missing: missing.length,
      missingSample: missing.slice(0, 5),
      unexpected: unexpected.length,
      unexpectedSample: unexpected.slice(0, 5),
      storedRows: stored.length,
      unacknowledged: load.unacknowledged.size,
      duplicateTransitions,
      staleInstances,
      failedJobs,
    }).toEqual({
      missing: 0,
      missingSample: [],
      unexpected: 0,
      unexpectedSample: [],
      storedRows: load.accepted.size,
      unacknowledged: 0,
      duplicateTransitions: [],
      staleInstances: [],
      failedJobs: 0,
    });
  } catch (e) {
    (e as Error).message += `\nclient answers: ${JSON.stringify(load.answers)}${s.logs()}`;
    throw e;
  }
}

describe('no accepted report is lost under faults (api and worker processes, throw-away Postgres and Redis)', () => {
  let s: Scenario | undefined;
  beforeEach(async () => {
    await Promise.all([pg!.ensureRunning(), redis!.ensureRunning()]);
  }, 60_000);
  afterEach(async () => {
    await s?.close();
    s = undefined;
  }, 30_000);

  it(
    'a worker killed with SIGKILL mid-batch: the batch is retried by a new worker and everything accepted lands once',
    async () => {
      s = await Scenario.start('kill');
      const load = s.load({
        batchSize: 50,
        concurrency: 4,
        pauseMs: 25,
        maxBatches: 1500,
        maxRunMs: 30_000,
      });
      await pollUntil(
        () => s!.storedCount(),
        (n) => n > 0,
        { timeoutMs: 20_000, what: 'the first batches stored' },
      );

      // Kill the worker the moment it holds a job; a job still active after the kill was cut off mid-batch.
      let cutOff: string[] = [];
      for (let attempt = 1; attempt <= 5 && cutOff.length === 0; attempt++) {
        await pollUntil(
          () => s!.queue.getActiveCount(),
          (n) => n > 0,
          { timeoutMs: 10_000, intervalMs: 5, what: 'the worker busy with a batch' },
        );
        await s.worker.kill('SIGKILL');
        cutOff = await s.reportsIn(['active']);
        if (cutOff.length === 0) s.worker = startWorker(s.env); // it finished just before the kill: again
      }
      expect(cutOff.length).toBeGreaterThan(0);
      expect(s.worker.exitedWith).toEqual({ code: null, signal: 'SIGKILL' });

      // No worker now: the api keeps accepting and the backlog grows in Redis.
      const acceptedAtKill = load.accepted.size;
      await pollUntil(
        () => s!.queue.getWaitingCount(),
        (n) => n > 0,
        { timeoutMs: 10_000, what: 'a backlog while no worker runs' },
      );
      await sleep(500);
      expect(load.accepted.size).toBeGreaterThan(acceptedAtKill);

      s.worker = startWorker(s.env);
      const acceptedAtRestart = load.accepted.size;
      await sleep(3000); // posting goes on while the new worker recovers the cut-off batch
      await load.stop();
      expect(load.accepted.size).toBeGreaterThan(acceptedAtRestart);

      await expectExactlyAccepted(s, load);
      const stored = new Set(await s.storedKeys());
      expect(cutOff.filter((k) => !stored.has(k))).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'Postgres restarted and stopped during ingest: readyz names it, jobs retry, and everything accepted lands',
    async () => {
      s = await Scenario.start('postgres');
      const load = s.load({
        batchSize: 50,
        concurrency: 4,
        pauseMs: 20,
        maxBatches: 600,
        maxRunMs: 30_000,
      });
      await pollUntil(
        () => s!.storedCount(),
        (n) => n > 0,
        { timeoutMs: 20_000, what: 'the first batches stored' },
      );

      await pg!.restart('fast');
      const afterRestart = await pollUntil(
        () => s!.storedCount(),
        (n) => n > 0,
        { timeoutMs: 10_000, what: 'Postgres answering after restart' },
      );
      await pollUntil(
        () => s!.storedCount(),
        (n) => n > afterRestart,
        { timeoutMs: 20_000, what: 'the worker storing again after the restart' },
      );

      // Down for a while: readiness says so, and ingest keeps answering 202 (Redis holds the reports).
      await pg!.stop('fast');
      const down = await pollUntil(
        () => readyz(s!.baseUrl),
        (r) => r.status === 503,
        { timeoutMs: 10_000, what: 'readyz 503 while Postgres is down' },
      );
      expect(down.json.output).toMatch(/postgres/);
      expect(down.json.checks['postgres:connection'][0].status).toBe('fail');
      expect(down.json.checks['redis:connection'][0].status).toBe('pass');
      const acceptedAtStop = load.accepted.size;
      await sleep(1500);
      expect(load.accepted.size).toBeGreaterThan(acceptedAtStop);
      await pg!.start();
      await pollUntil(
        () => readyz(s!.baseUrl),
        (r) => r.status === 200,
        { timeoutMs: 15_000, what: 'readyz 200 after Postgres is back' },
      );

      await sleep(1000);
      await load.stop();
      await expectExactlyAccepted(s, load);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'a live fleet through a 45 s Postgres outage: no instance looks silent, no incident opens',
    async () => {
      s = await Scenario.start('outage');
      // The fleet reports with an ingest token of its own (not the bootstrap admin token): the
      // tokens last loaded must still stand while Postgres is down.
      const created = await fetch(`${s.baseUrl}/api/v1/tokens`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ name: 'fleet', scopes: ['ingest'] }),
      });
      expect(created.status).toBe(201);
      const fleetToken = ((await created.json()) as { token: string }).token;
      // 60 instances in 3 zones report every 5 s, one request per zone, as a live fleet does.
      const INTERVAL_MS = 5_000;
      const zones = ['az1', 'az2', 'az3'];
      let stop = false;
      const posted: Promise<unknown>[] = [];
      const feed = (async () => {
        while (!stop) {
          const now = Date.now();
          for (const zone of zones) {
            const reports = Array.from({ length: 20 }, (_, i) => ({
              service: `outage-${i % 5}`,
              instance: `${zone}-${i}`,
              host: `${zone}-host-${i % 4}`,
              labels: { zone },
              observedAt: new Date(now).toISOString(),
              checks: [{ name: 'db', target: `postgres://${zone}-db:5432/app`, status: 'pass' }],
            }));
            posted.push(
              fetch(`${s.baseUrl}/api/v1/reports`, {
                method: 'POST',
                headers: {
                  authorization: `Bearer ${fleetToken}`,
                  'content-type': 'application/json',
                },
                body: JSON.stringify(reports),
              }).then((r) => expect(r.status).toBe(202)),
            );
          }
          await sleep(INTERVAL_MS);
        }
      })();
      const incidents = async () => {
        const res = await fetch(`${s!.baseUrl}/api/v1/incidents?status=all`, {
          headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        });
        return ((await res.json()) as { items: { rootCauses: { key: string }[] }[] }).items;
      };
      try {
        // Intervals learned, the fleet healthy.
        await sleep(6 * INTERVAL_MS);
        await pg!.stop('fast');
        await sleep(45_000);
        await pg!.start();
        await pollUntil(
          () => readyz(s!.baseUrl),
          (r) => r.status === 200,
          { timeoutMs: 15_000, what: 'readyz 200 after Postgres is back' },
        );
        // The backlog drains (retried batches commit in any order), then the fleet goes on.
        await sleep(4 * INTERVAL_MS);
      } finally {
        stop = true;
        await feed;
        await Promise.all(posted);
      }
      expect((await incidents()).map((i) => i.rootCauses[0]?.key)).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS + 60_000,
  );

  it(
    'Redis (AOF) restarted during ingest: every acknowledged report lands, including the backlog it held, and api and worker reconnect',
    async () => {
      s = await Scenario.start('redis');
      const load = s.load({
        batchSize: 50,
        concurrency: 4,
        pauseMs: 20,
        maxBatches: 600,
        maxRunMs: 30_000,
      });
      await pollUntil(
        () => s!.storedCount(),
        (n) => n > 0,
        { timeoutMs: 20_000, what: 'the first batches stored' },
      );

      // Freeze the worker so acknowledged reports sit only in Redis when it goes down.
      s.worker.signal('SIGSTOP');
      await pollUntil(
        () => s!.queue.getWaitingCount(),
        (n) => n >= 3,
        { timeoutMs: 10_000, what: 'a backlog in Redis' },
      );
      // Waiting jobs were never picked up: their reports exist nowhere but in Redis.
      const backlog = await s.reportsIn(['wait']);
      expect(backlog.length).toBeGreaterThan(0);
      await redis!.shutdown();
      s.worker.signal('SIGCONT');

      const down = await pollUntil(
        () => readyz(s!.baseUrl),
        (r) => r.status === 503,
        { timeoutMs: 10_000, what: 'readyz 503 while Redis is down' },
      );
      expect(down.json.output).toMatch(/redis/);
      expect(down.json.checks['redis:connection'][0].status).toBe('fail');
      await redis!.start();
      await pollUntil(
        () => readyz(s!.baseUrl),
        (r) => r.status === 200,
        { timeoutMs: 15_000, what: 'readyz 200 after Redis is back' },
      );

      const acceptedAtRestart = load.accepted.size;
      await sleep(2000);
      await load.stop();
      expect(load.accepted.size).toBeGreaterThan(acceptedAtRestart); // the api reconnected on its own
      expect(s.worker.running).toBe(true);
      await expectExactlyAccepted(s, load); // the worker reconnected and drained
      const stored = new Set(await s.storedKeys());
      expect(backlog.filter((k) => !stored.has(k))).toEqual([]); // the AOF kept what only Redis held
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'api and worker stopped with SIGTERM during ingest drain what they hold: every acknowledged report lands',
    async () => {
      s = await Scenario.start('drain');
      const load = s.load({
        batchSize: 50,
        concurrency: 4,
        pauseMs: 20,
        maxBatches: 600,
        maxRunMs: 30_000,
      });
      await pollUntil(
        () => s!.storedCount(),
        (n) => n > 0,
        { timeoutMs: 20_000, what: 'the first batches stored' },
      );

      // The worker finishes the batch it holds before it exits: nothing is left active for a lock to expire.
      await pollUntil(
        () => s!.queue.getActiveCount(),
        (n) => n > 0,
        { timeoutMs: 10_000, intervalMs: 5, what: 'the worker busy with a batch' },
      );
      await s.worker.stop();
      expect(s.worker.exitedWith).toEqual({ code: 0, signal: null });
      expect(await s.queue.getActiveCount()).toBe(0);

      // The api answers the requests it has taken (their reports reach the queue) before it exits.
      const port = Number(new URL(s.baseUrl).port);
      await s.api.stop();
      expect(s.api.exitedWith).toEqual({ code: 0, signal: null });
      s.api = (await startApi(s.env, port)).api;
      s.worker = startWorker(s.env);
      await sleep(1000);
      await load.stop();
      await expectExactlyAccepted(s, load);
    },
    SCENARIO_TIMEOUT_MS,
  );
});
