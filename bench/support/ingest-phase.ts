import { performance } from 'node:perf_hooks';

import { BackendActivitySampler } from './backend-activity';
import type { BenchStack } from './bench-stack';
import type { BodyPool } from './body-pool';
import {
  cpuBetween,
  type CpuRoles,
  type CpuSnapshot,
  type CpuUsage,
  snapshotCpu,
} from './cpu-usage';
import { type LoadOutcome, runLoad } from './load-driver';
import { pollUntil } from './poll-until';
import { fetchMetrics, sumByLabel, sumSamples } from './prometheus-text';
import type { ReportIdentity } from './report-fleet';

export interface PhaseSpec {
  name: string;
  pool: BodyPool;
  connections: number;
  durationMs: number;
  /** The phase sends at least this many bodies, past durationMs if need be (0 unless given). */
  minBodies?: number;
  /** How long to wait, after the load, for the worker to store every accepted report. */
  drainTimeoutMs: number;
  requestTimeoutS: number;
}

export interface PhaseResult {
  name: string;
  reportsPerRequest: number;
  connections: number;
  loadSeconds: number;
  requests: {
    sent: number;
    answered: number;
    perSecond: number;
    accepted: number;
    refusedByStatus: Record<string, number>;
    refusalSamples: string[];
    errors: number;
    timeouts: number;
  };
  acceptedReports: number;
  acceptedReportsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  /**
   * From the phase start until every accepted report is in Postgres (with its state and
   * transitions), the ingest queue is empty, and so is the correlation queue (every batch
   * handed to the engine, wherever it runs); null if that did not happen in time.
   * `storedSeconds`: until the first two held, before correlation caught up.
   */
  endToEnd: { seconds: number; reportsPerSecond: number; storedSeconds: number } | null;
  storage: {
    /** Rows in `reports` whose event time lies in this phase's range. */
    rows: number;
    /** Of those, rows of bodies not answered 202: the api may legitimately have stored them. */
    rowsOfUncertainBodies: number;
    uncertainBodies: number;
    /** Accepted reports missing from Postgres (negative: rows stored that no 202 covers). */
    lostReports: number;
    nothingLost: boolean;
  };
  cpu: { windowSeconds: number; duringLoad: CpuUsage; untilStored: CpuUsage };
  pipeline: PipelineFigures;
  /** Average number of bench-database backends per activity (running, lock wait, ...) over the phase. */
  postgresActivity: Record<string, number>;
  walBytesPerReport: number;
  poolExhausted: boolean;
}

/** What the api and worker metrics say about how the reports travelled. */
export interface PipelineFigures {
  /** Group commits of the api: one BullMQ job each. */
  queueJobs: number;
  reportsPerJob: number;
  meanGroupCommitMs: number;
  workerBatches: number;
  meanBatchMs: number;
  /** Share of the worker's job slots (processes × WORKER_CONCURRENCY) busy in a batch over the phase. */
  workerSlotBusyShare: number;
  lateReports: number;
  duplicateReports: number;
  transitions: number;
  failedJobs: number;
  /** Correlate jobs in the failed set: batches stored but never handed to the engine. */
  failedCorrelationJobs: number;
  /** Jobs waiting or running per queue once the ingest was complete: work the reports still cause downstream (correlation, ...). */
  backlogAtEnd: Record<string, number>;
}

interface Observation {
  cpu: CpuSnapshot;
  /** One scrape per api process; the queue gauges (read from Redis) are the same in each. */
  apis: string[];
  workers: string[];
  walLsn: string;
}

const DRAIN_POLL_MS = 100;
// The queue names (QueueName in @faultline/platform), as the api's faultline_queue_jobs labels them.
const QUEUE_INGEST = 'ingest';
const QUEUE_CORRELATION = 'correlation';
const IDENTITY_CHUNK = 20_000;

/**
 * One timed phase: drive the api processes with the pool's bodies, then wait until the workers
 * have stored every accepted report and correlation has taken every batch, and check in
 * Postgres that exactly those reports are there.
 */
export async function runIngestPhase(stack: BenchStack, spec: PhaseSpec): Promise<PhaseResult> {
  const before = await observe(stack);
  const activity = new BackendActivitySampler(stack.db);
  activity.start();
  const load = await runLoad({
    urls: stack.apiUrls.map((url) => `${url}/api/v1/reports`),
    token: stack.adminToken,
    connections: spec.connections,
    durationMs: spec.durationMs,
    minBodies: spec.minBodies,
    bodies: spec.pool,
    requestTimeoutS: spec.requestTimeoutS,
  });
  const cpuAfterLoad = snapshotCpu(await cpuRoles(stack));
  const storedBefore = sumOverProcesses(before.workers, 'faultline_reports_persisted_total', {
    outcome: 'stored',
  });
  const drained = await waitUntilDrained(
    stack,
    storedBefore + load.acceptedReports,
    spec.drainTimeoutMs,
  );
  const after = await observe(stack);
  const postgresActivity = await activity.stop();

  const windowSeconds = ((drained?.correlatedAt ?? performance.now()) - load.startedAt) / 1000;
  const storage = await checkStorage(stack, spec.pool, load);
  const walBytes = await walBytesBetween(stack, before.walLsn, after.walLsn);
  const loadSeconds = load.elapsedMs / 1000;
  return {
    name: spec.name,
    reportsPerRequest: spec.pool.reportsPerBody,
    connections: Math.min(spec.connections, spec.pool.size),
    loadSeconds: round(loadSeconds, 2),
    requests: {
      sent: load.bodiesSent,
      answered: load.answered,
      perSecond: round(load.answered / loadSeconds),
      accepted: load.acceptedRequests,
      refusedByStatus: load.refusedByStatus,
      refusalSamples: load.refusalSamples,
      errors: load.errors,
      timeouts: load.timeouts,
    },
    acceptedReports: load.acceptedReports,
    acceptedReportsPerSecond: round(load.acceptedReports / loadSeconds),
    latencyMs: load.latencyMs,
    endToEnd:
      drained === null
        ? null
        : {
            seconds: round(windowSeconds, 2),
            reportsPerSecond: round(load.acceptedReports / windowSeconds),
            storedSeconds: round((drained.storedAt - load.startedAt) / 1000, 2),
          },
    storage,
    cpu: {
      windowSeconds: round(windowSeconds, 2),
      duringLoad: cpuBetween(before.cpu, cpuAfterLoad),
      untilStored: cpuBetween(before.cpu, after.cpu),
    },
    pipeline: pipelineFigures(stack, before, after, windowSeconds),
    postgresActivity,
    walBytesPerReport: load.acceptedReports ? Math.round(walBytes / load.acceptedReports) : 0,
    poolExhausted: load.poolExhausted,
  };
}

/**
 * performance.now() when the worker counters reached `target` with the ingest queue empty
 * (storedAt), and when the correlation queue was empty too (correlatedAt); null on timeout.
 * The ingest worker hands each stored batch on as a Correlate job before it completes the
 * ingest job, so once both queues are empty every accepted report has reached the engine,
 * whichever process runs it (a worker, or the correlator).
 */
async function waitUntilDrained(
  stack: BenchStack,
  target: number,
  timeoutMs: number,
): Promise<{ storedAt: number; correlatedAt: number } | null> {
  const deadline = performance.now() + timeoutMs;
  const poll = (what: string, probe: () => Promise<boolean>) =>
    pollUntil(
      async () => ((await probe()) ? performance.now() : null),
      (at) => at !== null,
      {
        retryErrors: true,
        timeoutMs: Math.max(0, deadline - performance.now()),
        intervalMs: DRAIN_POLL_MS,
        what,
      },
    ) as Promise<number>;
  try {
    const storedAt = await poll(`${target} reports stored and an empty ingest queue`, async () => {
      const stored = sumOverProcesses(
        await scrapeWorkers(stack),
        'faultline_reports_persisted_total',
        { outcome: 'stored' },
      );
      return stored >= target && (await backlog(stack, QUEUE_INGEST)) === 0;
    });
    const correlatedAt = await poll(
      'an empty correlation queue',
      async () => (await backlog(stack, QUEUE_CORRELATION)) === 0,
    );
    return { storedAt, correlatedAt };
  } catch (e) {
    console.error(`  ${(e as Error).message}`);
    return null;
  }
}

/** Jobs not yet finished in a queue (a job waiting to be retried is delayed), from an api's queue gauge. */
async function backlog(stack: BenchStack, queue: string): Promise<number> {
  return (
    queueBacklog(await fetchMetrics(`${stack.apiUrl}/metrics`, stack.adminToken), [
      'waiting',
      'active',
      'delayed',
      'prioritized',
    ])[queue] ?? 0
  );
}

/** Jobs per queue in the given states, from a scrape of the api's metrics. */
function queueBacklog(
  apiMetrics: string,
  states = ['waiting', 'active', 'prioritized'],
): Record<string, number> {
  const backlog: Record<string, number> = {};
  for (const state of states) {
    for (const [queue, n] of Object.entries(
      sumByLabel(apiMetrics, 'faultline_queue_jobs', 'queue', { state }),
    ))
      backlog[queue] = (backlog[queue] ?? 0) + n;
  }
  return backlog;
}

/**
 * Rows stored for the phase must equal the reports accepted. Reports of bodies without a 202
 * may or may not be stored (the api may have queued them before the answer was lost), so
 * their rows are counted apart and excluded from the equality.
 */
async function checkStorage(
  stack: BenchStack,
  pool: BodyPool,
  load: LoadOutcome,
): Promise<PhaseResult['storage']> {
  const { rows } = (
    await stack.db.query<{ rows: number }>(
      'SELECT count(*)::int AS rows FROM reports WHERE observed_at >= $1 AND observed_at < $2',
      [new Date(pool.fromMs), new Date(pool.toMs)],
    )
  ).rows[0];
  const rowsOfUncertainBodies = await countStored(stack, pool.identitiesOf(load.uncertainBodies));
  const lostReports = load.acceptedReports - (rows - rowsOfUncertainBodies);
  return {
    rows,
    rowsOfUncertainBodies,
    uncertainBodies: load.uncertainBodies.length,
    lostReports,
    nothingLost: lostReports === 0,
  };
}

async function countStored(stack: BenchStack, identities: ReportIdentity[]): Promise<number> {
  let found = 0;
  for (let i = 0; i < identities.length; i += IDENTITY_CHUNK) {
    const chunk = identities.slice(i, i + IDENTITY_CHUNK);
    const result = await stack.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM reports r
       JOIN unnest($1::text[], $2::text[], $3::timestamptz[]) AS k(service, instance, observed_at)
         ON r.service = k.service AND r.instance = k.instance AND r.observed_at = k.observed_at`,
      [
        chunk.map((k) => k.service),
        chunk.map((k) => k.instance),
        chunk.map((k) => new Date(k.observedAt).toISOString()),
      ],
    );
    found += result.rows[0].n;
  }
  return found;
}

function pipelineFigures(
  stack: BenchStack,
  before: Observation,
  after: Observation,
  windowSeconds: number,
): PipelineFigures {
  const apiDelta = (metric: string, labels: Record<string, string> = {}) =>
    sumOverProcesses(after.apis, metric, labels) - sumOverProcesses(before.apis, metric, labels);
  const workerDelta = (metric: string, labels: Record<string, string> = {}) =>
    sumOverProcesses(after.workers, metric, labels) -
    sumOverProcesses(before.workers, metric, labels);
  const queueJobs = apiDelta('faultline_ingest_group_commit_seconds_count');
  const batches = workerDelta('faultline_ingest_batch_seconds_count');
  const batchSeconds = workerDelta('faultline_ingest_batch_seconds_sum');
  const slots = stack.workerMetricsUrls.length * stack.config.WORKER_CONCURRENCY;
  return {
    queueJobs,
    reportsPerJob: queueJobs ? round(apiDelta('faultline_reports_accepted_total') / queueJobs) : 0,
    meanGroupCommitMs: queueJobs
      ? round((apiDelta('faultline_ingest_group_commit_seconds_sum') / queueJobs) * 1000, 1)
      : 0,
    workerBatches: batches,
    meanBatchMs: batches ? round((batchSeconds / batches) * 1000, 1) : 0,
    workerSlotBusyShare: round(batchSeconds / (windowSeconds * slots), 3),
    lateReports: workerDelta('faultline_reports_late_total'),
    duplicateReports: workerDelta('faultline_reports_persisted_total', { outcome: 'duplicate' }),
    transitions: workerDelta('faultline_check_transitions_total'),
    failedJobs: sumSamples(after.apis[0], 'faultline_queue_jobs', {
      queue: QUEUE_INGEST,
      state: 'failed',
    }),
    failedCorrelationJobs: sumSamples(after.apis[0], 'faultline_queue_jobs', {
      queue: QUEUE_CORRELATION,
      state: 'failed',
    }),
    backlogAtEnd: queueBacklog(after.apis[0]),
  };
}

async function observe(stack: BenchStack): Promise<Observation> {
  const [apis, workers, wal] = await Promise.all([
    Promise.all(stack.apiUrls.map((url) => fetchMetrics(`${url}/metrics`, stack.adminToken))),
    scrapeWorkers(stack),
    stack.db.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn'),
  ]);
  return { cpu: snapshotCpu(await cpuRoles(stack)), apis, workers, walLsn: wal.rows[0].lsn };
}

/**
 * Postgres CPU twice: the backends serving the bench database (by pid), and every postgres
 * process (WAL writer, checkpointer, autovacuum too, but also other databases' work).
 */
async function cpuRoles(stack: BenchStack): Promise<CpuRoles> {
  const backends = await stack.db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  return {
    pids: {
      api: stack.pids.api,
      worker: stack.pids.worker,
      ...(stack.pids.correlator.length ? { correlator: stack.pids.correlator } : {}),
      'postgres (bench db)': backends.rows.map((r) => r.pid),
    },
    names: { 'postgres (all)': 'postgres', redis: 'redis-server' },
  };
}

function scrapeWorkers(stack: BenchStack): Promise<string[]> {
  return Promise.all(stack.workerMetricsUrls.map((url) => fetchMetrics(url)));
}

function sumOverProcesses(
  texts: string[],
  metric: string,
  labels: Record<string, string> = {},
): number {
  return texts.reduce((sum, text) => sum + sumSamples(text, metric, labels), 0);
}

async function walBytesBetween(stack: BenchStack, from: string, to: string): Promise<number> {
  const result = await stack.db.query<{ bytes: number }>(
    'SELECT pg_wal_lsn_diff($2::pg_lsn, $1::pg_lsn)::float8 AS bytes',
    [from, to],
  );
  return result.rows[0].bytes;
}

const round = (n: number, digits = 0): number => Math.round(n * 10 ** digits) / 10 ** digits;
