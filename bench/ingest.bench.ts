import 'reflect-metadata';

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { configSchema } from '@faultline/platform';
import { z } from 'zod';

import { type BenchStack, STACK_OWNED_SETTINGS, startStack } from './support/bench-stack';
import { type BodyPool, buildBodyPool } from './support/body-pool';
import { type CopyRate, copyReports, copyTransitions } from './support/copy-baseline';
import { type PhaseResult, runIngestPhase } from './support/ingest-phase';
import { buildFleet, type FleetMember, REPORT_INTERVAL_MS } from './support/report-fleet';
import { checkTargets, renderTables, TARGETS } from './support/results-table';
import { tableActivity } from './support/table-activity';
import { Teardown } from './support/teardown';

/**
 * Ingest benchmark: the real api and worker (from dist/) against a fresh database, driven over
 * HTTP with native reports from a simulated fleet, first as 500-report arrays, then one report
 * per request. For each phase it measures the HTTP side (requests/s, accepted reports/s,
 * latency) and the end-to-end rate (until every accepted report is in Postgres), checks that
 * nothing accepted was lost, and compares with a raw COPY of as many rows. `npm run bench:ingest`.
 *
 * Faultline settings in the environment (INGEST_GROUP_WAIT_MS, WORKER_CONCURRENCY, ...) are
 * passed to the api and worker, so settings can be compared run against run.
 */

// Only the local servers: the benchmark never sends traffic elsewhere.
const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = 'redis://127.0.0.1:6379';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const benchSettingsSchema = z.object({
  BENCH_PHASE_SECONDS: int(1, 600).default(15),
  BENCH_CONNECTIONS: int(1, 1000).default(50),
  BENCH_ARRAY_SIZE: int(2, 10_000).default(500),
  BENCH_SERVICES: int(1, 200).default(200),
  BENCH_INSTANCES_PER_SERVICE: int(1, 1000).default(50),
  BENCH_HOSTS: int(1, 100_000).default(500),
  BENCH_WORKER_PROCESSES: int(1, 8).default(1),
  /** Bodies are serialised up front; a phase that sends them all ends early (and says so). */
  BENCH_ARRAY_POOL_REPORTS: int(10_000, 2_000_000).default(600_000),
  BENCH_SINGLE_POOL_REQUESTS: int(10_000, 1_000_000).default(300_000),
  BENCH_DRAIN_TIMEOUT_SECONDS: int(10, 3600).default(300),
  BENCH_REQUEST_TIMEOUT_SECONDS: int(1, 120).default(30),
  /** Which phases to run, comma-separated, to explore one at a time. */
  BENCH_PHASES: z.string().default('arrays,single'),
  BENCH_SKIP_COPY: z.enum(['true', 'false']).default('false'),
  /** Node flags for the api and worker, space-separated, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
  BENCH_CHILD_NODE_ARGS: z.string().default(''),
});
type BenchSettings = z.infer<typeof benchSettingsSchema>;

// Event times start this far back: inside the retention window, and the latest tick a run can
// use still lies in the past (the api refuses reports from the future).
const EVENT_ORIGIN_AGO_MS = 50 * 60_000;
const EVENT_SAFETY_MS = 60_000;
const WARMUP_TICKS = 2;

async function main(): Promise<void> {
  const settings = benchSettingsSchema.parse(process.env);
  const faultlineSettings = chosenFaultlineSettings();
  const phases = new Set(settings.BENCH_PHASES.split(',').map((p) => p.trim()));
  const runId = runIdentifier();
  const teardown = new Teardown();
  teardown.runOnSignals();

  try {
    const fleet = buildFleet({
      services: settings.BENCH_SERVICES,
      instancesPerService: settings.BENCH_INSTANCES_PER_SERVICE,
      hosts: settings.BENCH_HOSTS,
    });
    log(
      `fleet: ${fleet.length} instances of ${settings.BENCH_SERVICES} services on ${settings.BENCH_HOSTS} hosts, 5 checks each, one report per ${REPORT_INTERVAL_MS / 1000} s`,
    );
    const pools = preparePools(fleet, settings, phases);

    log(
      `starting api and ${settings.BENCH_WORKER_PROCESSES} worker(s) on database faultline_bench_${runId}`,
    );
    const stack = await startStack(
      {
        runId,
        postgresUrl: POSTGRES_URL,
        redisUrl: REDIS_URL,
        workerProcesses: settings.BENCH_WORKER_PROCESSES,
        settings: faultlineSettings,
        nodeArgs: settings.BENCH_CHILD_NODE_ARGS.split(' ').filter(Boolean),
      },
      teardown,
    );
    const c = stack.config;
    log(
      `settings: INGEST_GROUP_WAIT_MS=${c.INGEST_GROUP_WAIT_MS} INGEST_GROUP_MAX_REPORTS=${c.INGEST_GROUP_MAX_REPORTS} WORKER_CONCURRENCY=${c.WORKER_CONCURRENCY} worker processes=${settings.BENCH_WORKER_PROCESSES}`,
    );

    // The warm-up creates every service, host, instance and check state, so the timed phases
    // measure steady-state ingest (and the processes' JIT is warm).
    log(
      `warm-up: ${pools.warmup.bodies.length} arrays (${pools.warmup.bodies.length * pools.warmup.reportsPerBody} reports, every instance twice)`,
    );
    await runPhase(stack, settings, pools.warmup, 'warm-up');

    const results: Record<string, PhaseResult | null> = { arrays: null, single: null };
    if (pools.arrays) results.arrays = await runPhase(stack, settings, pools.arrays, 'arrays');
    if (pools.single) results.single = await runPhase(stack, settings, pools.single, 'single');
    const measured = [results.arrays, results.single].filter((p): p is PhaseResult => p !== null);

    const tables = await tableActivity(stack.db);
    const copies: CopyRate[] = [];
    if (settings.BENCH_SKIP_COPY === 'false') {
      const rows = Math.max(
        100_000,
        results.arrays?.acceptedReports ?? results.single?.acceptedReports ?? 0,
      );
      log(`COPY baseline: ${rows} rows into scratch copies of reports and check_transitions`);
      copies.push(await copyReports(stack.db, fleet, pools.origin, rows));
      copies.push(await copyTransitions(stack.db, fleet, pools.origin, rows));
    }

    const targets = checkTargets(results.arrays, results.single);
    const output = {
      runId,
      finishedAt: new Date().toISOString(),
      machine: await machineInfo(stack),
      fleet: {
        instances: fleet.length,
        services: settings.BENCH_SERVICES,
        hosts: settings.BENCH_HOSTS,
        checksPerReport: 5,
        intervalMs: REPORT_INTERVAL_MS,
      },
      settings: {
        bench: settings,
        faultline: {
          INGEST_GROUP_WAIT_MS: c.INGEST_GROUP_WAIT_MS,
          INGEST_GROUP_MAX_REPORTS: c.INGEST_GROUP_MAX_REPORTS,
          WORKER_CONCURRENCY: c.WORKER_CONCURRENCY,
          INGEST_JOB_ATTEMPTS: c.INGEST_JOB_ATTEMPTS,
          ...faultlineSettings,
        },
      },
      targets: { ...TARGETS, checks: targets },
      phases: results,
      tables,
      copy: copies,
    };
    const file = writeResults(runId, output);

    printSummary(runId, file, measured, renderTables(measured, copies, targets, tables));
    if (measured.some((p) => !p.storage.nothingLost || !p.endToEnd)) process.exitCode = 1;
  } finally {
    await teardown.run();
  }
}

function printSummary(runId: string, file: string, measured: PhaseResult[], tables: string): void {
  console.log(`\n## Ingest benchmark ${runId}\n`);
  console.log(tables);
  console.log(`\nfigures: ${file}`);
  for (const p of measured) {
    if (p.requests.refusalSamples.length)
      console.log(`${p.name}: sample refusals:\n  ${p.requests.refusalSamples.join('\n  ')}`);
    if (p.poolExhausted)
      console.log(
        `${p.name}: every pre-serialised body was sent before the deadline; raise the pool size for a full-length phase`,
      );
    if (p.pipeline.failedJobs)
      console.log(`${p.name}: ${p.pipeline.failedJobs} ingest jobs in the failed set`);
  }
}

interface Pools {
  origin: number;
  warmup: BodyPool;
  arrays: BodyPool | null;
  single: BodyPool | null;
}

/** Serialises every request body up front; the phases take consecutive ticks of event time. */
function preparePools(
  fleet: readonly FleetMember[],
  settings: BenchSettings,
  phases: Set<string>,
): Pools {
  const started = performance.now();
  const origin = Math.floor(Date.now() / 1000) * 1000 - EVENT_ORIGIN_AGO_MS;
  let tick = 0;
  const take = (name: string, reports: number, reportsPerBody: number): BodyPool => {
    const pool = buildBodyPool({ name, fleet, origin, firstTick: tick, reports, reportsPerBody });
    tick = pool.endTick;
    return pool;
  };
  const warmup = take('warm-up', WARMUP_TICKS * fleet.length, settings.BENCH_ARRAY_SIZE);
  const arrays = phases.has('arrays')
    ? take('arrays', settings.BENCH_ARRAY_POOL_REPORTS, settings.BENCH_ARRAY_SIZE)
    : null;
  const single = phases.has('single')
    ? take('single', settings.BENCH_SINGLE_POOL_REQUESTS, 1)
    : null;

  const latest = origin + tick * REPORT_INTERVAL_MS;
  if (latest > Date.now() - EVENT_SAFETY_MS) {
    throw new Error(
      `the pools span ${tick} ticks of ${REPORT_INTERVAL_MS / 1000} s, beyond the last ${EVENT_ORIGIN_AGO_MS / 60_000} minutes: make them smaller`,
    );
  }
  const all = [warmup, arrays, single].filter((p): p is BodyPool => p !== null);
  const megabytes =
    all.reduce((sum, p) => sum + p.bodies.reduce((n, b) => n + b.length, 0), 0) / 1e6;
  const counts = all.map((p) => `${p.name} ${p.bodies.length} bodies`).join(', ');
  log(
    `serialised ${counts} (${Math.round(megabytes)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return { origin, warmup, arrays, single };
}

async function runPhase(
  stack: BenchStack,
  settings: BenchSettings,
  pool: BodyPool,
  name: string,
): Promise<PhaseResult> {
  if (name !== 'warm-up')
    log(
      `phase ${name}: ${settings.BENCH_PHASE_SECONDS} s, ${settings.BENCH_CONNECTIONS} connections, ${pool.reportsPerBody} report(s) per request`,
    );
  const result = await runIngestPhase(stack, {
    name,
    pool,
    connections: settings.BENCH_CONNECTIONS,
    durationMs: name === 'warm-up' ? 60_000 : settings.BENCH_PHASE_SECONDS * 1000,
    drainTimeoutMs: settings.BENCH_DRAIN_TIMEOUT_SECONDS * 1000,
    requestTimeoutS: settings.BENCH_REQUEST_TIMEOUT_SECONDS,
  });
  const e2e = result.endToEnd
    ? `${result.endToEnd.reportsPerSecond} reports/s end-to-end (${result.endToEnd.seconds} s)`
    : 'NOT stored within the drain timeout';
  log(
    `  ${result.requests.perSecond} req/s, ${result.acceptedReportsPerSecond} accepted reports/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms; ${e2e}; ` +
      `stored ${result.storage.rows - result.storage.rowsOfUncertainBodies} of ${result.acceptedReports} accepted${result.storage.nothingLost ? '' : ' (MISMATCH)'}`,
  );
  return result;
}

/** Faultline settings from the bench's environment that the children should run with. */
function chosenFaultlineSettings(): Record<string, string> {
  const chosen: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = process.env[key];
    if (value === undefined || value === '') continue;
    if (STACK_OWNED_SETTINGS.includes(key))
      log(`ignoring ${key} from the environment: the benchmark sets it`);
    else chosen[key] = value;
  }
  return chosen;
}

async function machineInfo(stack: BenchStack) {
  const pg = await stack.db.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'shared_buffers', 'synchronous_commit', 'wal_level', 'max_wal_size', 'fsync')`,
  );
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: Object.fromEntries(pg.rows.map((r) => [r.name, r.setting])),
  };
}

function writeResults(runId: string, output: unknown): string {
  const dir = join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `ingest-${runId}.json`);
  writeFileSync(file, `${JSON.stringify(output, null, 2)}\n`);
  return file;
}

/** 20251125_143205: sortable, and valid unquoted in a database name. */
function runIdentifier(): string {
  const iso = new Date().toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}_${iso.slice(11, 19).replace(/:/g, '')}`;
}

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
