import 'reflect-metadata';

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

import { configSchema } from '@faultline/platform';

import { type BenchStack, STACK_OWNED_SETTINGS, startStack } from './support/bench-stack';
import { type CopyRate, copyReports, copyTransitions } from './support/copy-baseline';
import { runFleetPhase, type StackOpener } from './support/fleet-phase';
import { type PhaseResult, type PhaseSpec, runIngestPhase } from './support/ingest-phase';
import {
  type BenchSettings,
  benchSettingsSchema,
  countsLabel,
  fleetPhaseName,
  type MainPhase,
  planRun,
  type ProcessCounts,
  type RunPlan,
} from './support/ingest-settings';
import { type Pools, preparePools } from './support/main-pools';
import { buildFleet, type FleetMember, REPORT_INTERVAL_MS } from './support/report-fleet';
import { checkTargets, TARGETS } from './support/results-table';
import { type ConfigurationResult, phasesOf, renderRun } from './support/scaling-tables';
import { type TableActivity, tableActivity } from './support/table-activity';
import { Teardown } from './support/teardown';

/**
 * Ingest benchmark: the real api and worker (from dist/) against a fresh database, driven over
 * HTTP with native reports from a simulated fleet, first as 500-report arrays, then one report
 * per request. For each phase it measures the HTTP side (requests/s, accepted reports/s,
 * latency) and the end-to-end rate (until every accepted report is in Postgres with its state
 * and transitions, and the correlation queue is empty: every batch taken by the engine, in
 * whichever process it runs), checks that nothing accepted was lost, and compares with a raw
 * COPY of as many rows. `npm run bench:ingest`.
 *
 * Faultline settings in the environment (INGEST_GROUP_WAIT_MS, WORKER_CONCURRENCY, ...) are
 * passed to the api and worker, so settings can be compared run against run. The bench's own:
 * - BENCH_PHASES: arrays,single (the default), plus `fleet` (each of BENCH_FLEET_SIZES) or
 *   `fleet-<n>` (fleet-250k). A fleet phase runs on a fresh stack of its own, so `instances`
 *   and `check_states` hold that fleet: a warm-up creates the rows, then arrays of
 *   BENCH_ARRAY_SIZE for BENCH_PHASE_SECONDS and at least two reports of every instance.
 *   Opt-in: BENCH_PHASES=fleet took 12 minutes on the 2-core machine (fleet-500k 9.5 of them).
 * - BENCH_FLEET_SIZES: what `fleet` stands for (10000,100000,500000).
 * - BENCH_API_PROCESSES, BENCH_WORKER_PROCESSES: processes of each kind (1 and 1); the load
 *   spreads its connections over the api processes.
 * - BENCH_PROCESS_MATRIX: e.g. 1x1,2x2 (api x worker): the phases once per configuration, each
 *   on a fresh stack, and a table with a row per configuration.
 * - BENCH_CORRELATOR: auto (a correlator process beside the workers, which then run with
 *   CORRELATION_ENABLED=false, when dist/apps/correlator is built) or off.
 * - BENCH_PHASE_SECONDS, BENCH_CONNECTIONS, BENCH_ARRAY_SIZE, BENCH_SKIP_COPY,
 *   BENCH_CHILD_NODE_ARGS, ...: see ingest-settings.ts.
 */

// Only the local servers: the benchmark never sends traffic elsewhere.
const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = 'redis://127.0.0.1:6379';

async function main(): Promise<void> {
  const settings = benchSettingsSchema.parse(process.env);
  const plan = planRun(settings);
  const runId = runIdentifier();
  const teardown = new Teardown();
  teardown.runOnSignals();

  try {
    const fleet = buildFleet({
      services: settings.BENCH_SERVICES,
      instancesPerService: settings.BENCH_INSTANCES_PER_SERVICE,
      hosts: settings.BENCH_HOSTS,
    });
    const pools = plan.mainPhases.length ? preparePools(fleet, settings, plan.mainPhases) : null;
    if (pools) log(pools.description);
    if (pools)
      log(
        `fleet: ${fleet.length} instances of ${settings.BENCH_SERVICES} services on ${settings.BENCH_HOSTS} hosts, 5 checks each, one report per ${REPORT_INTERVAL_MS / 1000} s`,
      );

    const run: RunContext = {
      runId,
      settings,
      faultlineSettings: chosenFaultlineSettings(),
      teardown,
      machine: null,
      faultline: {},
      copies: [],
      tables: [],
    };
    const configurations: ConfigurationResult[] = [];
    for (const counts of plan.configurations)
      configurations.push(
        await runConfiguration(run, counts, plan, fleet, pools, configurations.length === 0),
      );

    const first = configurations[0];
    const targets = checkTargets(first.phases.arrays ?? null, first.phases.single ?? null);
    const output = {
      runId,
      finishedAt: new Date().toISOString(),
      machine: run.machine,
      fleet: {
        instances: fleet.length,
        services: settings.BENCH_SERVICES,
        hosts: settings.BENCH_HOSTS,
        checksPerReport: 5,
        intervalMs: REPORT_INTERVAL_MS,
      },
      settings: { bench: settings, faultline: run.faultline },
      targets: { ...TARGETS, checks: targets },
      configurations,
      tables: run.tables,
      copy: run.copies,
    };
    const file = writeResults(runId, output);

    console.log(renderRun(runId, file, configurations, run.copies, targets, run.tables));
    const everyPhase = configurations.flatMap(phasesOf);
    if (everyPhase.some((p) => !p.storage.nothingLost || !p.endToEnd)) process.exitCode = 1;
  } finally {
    await teardown.run();
  }
}

/** What every stack of a run shares, and what the first one measures for the whole run. */
interface RunContext {
  runId: string;
  settings: BenchSettings;
  faultlineSettings: Record<string, string>;
  teardown: Teardown;
  machine: Awaited<ReturnType<typeof machineInfo>> | null;
  faultline: Record<string, unknown>;
  copies: CopyRate[];
  tables: TableActivity[];
}

/**
 * One process configuration: the main phases on a stack of their own (the first configuration
 * also measures the COPY baseline there), then each fleet size on a fresh stack.
 */
async function runConfiguration(
  run: RunContext,
  counts: ProcessCounts,
  plan: RunPlan,
  fleet: readonly FleetMember[],
  pools: Pools | null,
  first: boolean,
): Promise<ConfigurationResult> {
  const { settings } = run;
  const label = countsLabel(counts);
  const openStack = stackOpener(run, counts);
  const result: ConfigurationResult = { label, counts, correlator: false, phases: {}, fleet: [] };
  if (pools) {
    const { stack, close } = await openStack('main');
    try {
      result.correlator = stack.pids.correlator.length > 0;
      result.phases = await runMainPhases(stack, settings, pools, plan.mainPhases);
      if (first) {
        run.tables = await tableActivity(stack.db);
        if (settings.BENCH_SKIP_COPY === 'false')
          run.copies = await copyBaseline(stack, fleet, pools.origin, result.phases);
      }
    } finally {
      await close();
    }
  }
  for (const instances of plan.fleetSizes) {
    const name = fleetPhaseName(instances);
    log(
      `phase ${name}: a fresh stack, ${instances} instances, arrays of ${settings.BENCH_ARRAY_SIZE}`,
    );
    const fleetResult = await runFleetPhase(
      name,
      {
        instances,
        reportsPerBody: settings.BENCH_ARRAY_SIZE,
        connections: settings.BENCH_CONNECTIONS,
        phaseSeconds: settings.BENCH_PHASE_SECONDS,
        drainTimeoutMs: settings.BENCH_DRAIN_TIMEOUT_SECONDS * 1000,
        requestTimeoutS: settings.BENCH_REQUEST_TIMEOUT_SECONDS,
      },
      openStack,
      (stack, spec) => runPhase(stack, settings, spec),
    );
    result.correlator ||= fleetResult.phase.cpu.untilStored.seconds.correlator !== undefined;
    const memory = Object.entries(fleetResult.peakRssMb)
      .map(([kind, mb]) => `${kind} ${mb}`)
      .join(', ');
    log(
      `  ${name}: ${fleetResult.rows.instances ?? '?'} instances, ${fleetResult.rows.checkStates ?? '?'} check states; ${fleetResult.wallSeconds} s from stack start; peak MB ${memory}`,
    );
    result.fleet.push(fleetResult);
  }
  return result;
}

/** Starts stacks of one configuration, each with a database of its own, stopped on `close`. */
function stackOpener(run: RunContext, counts: ProcessCounts): StackOpener {
  const label = countsLabel(counts);
  return async (suffix) => {
    const own = new Teardown();
    run.teardown.add(`the ${label} ${suffix} stack`, () => own.run());
    const runId = `${run.runId}_${label}_${suffix}`;
    log(
      `starting ${counts.api} api and ${counts.worker} worker process(es) on database faultline_bench_${runId}`,
    );
    const stack = await startStack(
      {
        runId,
        postgresUrl: POSTGRES_URL,
        redisUrl: REDIS_URL,
        apiProcesses: counts.api,
        workerProcesses: counts.worker,
        correlator: run.settings.BENCH_CORRELATOR,
        settings: run.faultlineSettings,
        nodeArgs: run.settings.BENCH_CHILD_NODE_ARGS.split(' ').filter(Boolean),
      },
      own,
    );
    const c = stack.config;
    log(
      `settings: INGEST_GROUP_WAIT_MS=${c.INGEST_GROUP_WAIT_MS} INGEST_GROUP_MAX_REPORTS=${c.INGEST_GROUP_MAX_REPORTS} WORKER_CONCURRENCY=${c.WORKER_CONCURRENCY}; ` +
        (stack.pids.correlator.length
          ? 'a correlator process runs the engine (workers: CORRELATION_ENABLED=false)'
          : 'the engine runs in the worker (no correlator in dist/, or BENCH_CORRELATOR=off)'),
    );
    run.machine ??= await machineInfo(stack);
    run.faultline = {
      INGEST_GROUP_WAIT_MS: c.INGEST_GROUP_WAIT_MS,
      INGEST_GROUP_MAX_REPORTS: c.INGEST_GROUP_MAX_REPORTS,
      WORKER_CONCURRENCY: c.WORKER_CONCURRENCY,
      INGEST_JOB_ATTEMPTS: c.INGEST_JOB_ATTEMPTS,
      ...run.faultlineSettings,
    };
    return { stack, close: () => own.run() };
  };
}

async function runMainPhases(
  stack: BenchStack,
  settings: BenchSettings,
  pools: Pools,
  phases: MainPhase[],
): Promise<ConfigurationResult['phases']> {
  // The warm-up creates every service, host, instance and check state, so the timed phases
  // measure steady-state ingest (and the processes' JIT is warm).
  log(
    `warm-up: ${pools.warmup.size} arrays (${pools.warmup.size * pools.warmup.reportsPerBody} reports, every instance twice)`,
  );
  await runPhase(stack, settings, { name: 'warm-up', pool: pools.warmup, durationMs: 60_000 });
  const results: ConfigurationResult['phases'] = {};
  for (const name of phases) {
    const pool = pools[name];
    if (pool)
      results[name] = await runPhase(stack, settings, {
        name,
        pool,
        durationMs: settings.BENCH_PHASE_SECONDS * 1000,
      });
  }
  return results;
}

async function copyBaseline(
  stack: BenchStack,
  fleet: readonly FleetMember[],
  origin: number,
  phases: ConfigurationResult['phases'],
): Promise<CopyRate[]> {
  const rows = Math.max(
    100_000,
    phases.arrays?.acceptedReports ?? phases.single?.acceptedReports ?? 0,
  );
  log(`COPY baseline: ${rows} rows into scratch copies of reports and check_transitions`);
  return [
    await copyReports(stack.db, fleet, origin, rows),
    await copyTransitions(stack.db, fleet, origin, rows),
  ];
}

async function runPhase(
  stack: BenchStack,
  settings: BenchSettings,
  spec: Omit<PhaseSpec, 'connections' | 'drainTimeoutMs' | 'requestTimeoutS'>,
): Promise<PhaseResult> {
  const { name, pool } = spec;
  const warmup = name.endsWith('warm-up');
  if (!warmup)
    log(
      `phase ${name}: ${settings.BENCH_PHASE_SECONDS} s${spec.minBodies ? ` and at least ${spec.minBodies * pool.reportsPerBody} reports` : ''}, ${settings.BENCH_CONNECTIONS} connections over ${stack.apiUrls.length} api process(es), ${pool.reportsPerBody} report(s) per request`,
    );
  else if (spec.minBodies) log(`${name}: ${spec.minBodies * pool.reportsPerBody} reports`);
  const result = await runIngestPhase(stack, {
    ...spec,
    connections: settings.BENCH_CONNECTIONS,
    drainTimeoutMs: settings.BENCH_DRAIN_TIMEOUT_SECONDS * 1000,
    requestTimeoutS: settings.BENCH_REQUEST_TIMEOUT_SECONDS,
  });
  const e2e = result.endToEnd
    ? `${result.endToEnd.reportsPerSecond} reports/s end-to-end (${result.endToEnd.seconds} s; stored at ${result.endToEnd.storedSeconds} s)`
    : 'NOT stored and correlated within the drain timeout';
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
