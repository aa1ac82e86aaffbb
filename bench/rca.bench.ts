import 'reflect-metadata';

import {
  buildScenario,
  CHANGE_FAULT_CLASSES,
  compareOrders,
  FAULT_CLASSES,
  type FaultClass,
  faultOutcomes,
  REPORT_SEEDS,
  scoreRun,
} from '@faultline/simulator';

import { printAccuracy, type Tally } from './support/accuracy-table';
import { ApiClient } from './support/api-client';
import { type BenchStack, startStack } from './support/bench-stack';
import { printStormAndMemory } from './support/engine-figures';
import {
  QueueProbe,
  replayInLanes,
  replayOverHttp,
  type ReplayResult,
  type WorkerPause,
} from './support/http-replay';
import { type LagFigures, measureLag } from './support/lag-phase';
import { type OrdersTally, printOrderDifferences, printOrders } from './support/orders-table';
import { scenarioSizes } from './support/scenario-sizes';
import { Teardown } from './support/teardown';

/**
 * Root-cause analysis benchmark, through the real processes: `npm run bench:rca`.
 *   1. the engine alone: a storm of 10,000 failing checks ranked in one tick, and its memory for
 *      50,000 instances and 2,000 backends (pure: no I/O in the way);
 *   2. accuracy: every simulated fault class (30 to 5,000 instances, 0.5% background flaps) played
 *      through POST /api/v1/reports of a fresh api + worker + database per scenario, incidents read
 *      back through GET /api/v1/incidents, scored per class (AC@1, AC@3, false positives, detection
 *      delay in event time) beside the naive baseline fed the same events;
 *   3. wall-clock lag at 5,000 instances reporting every 10 s, in real time: report accepted →
 *      its incident updated, as GET /api/v1/incidents/:id shows it;
 *   4. delivery order (part `orders`, not run by default): the same scenarios played (a) in order,
 *      one request per 5 s of event time, WORKER_CONCURRENCY=1; (b) through 8 concurrent lanes at
 *      full speed, reports of different instances up to 60 s apart, default settings but the
 *      allowed lateness set to that drift (the pipeline cannot see unsent reports); (c) as (a)
 *      with the worker stopped at the midpoint for RCA_BENCH_PAUSE_MS of wall time (default 5 min)
 *      while the api accepts on: (b) and (c) must open the same incidents as (a).
 * Environment: RCA_BENCH_SEEDS (scenarios per class, default 8), RCA_BENCH_MAX_SIZE (default
 * 5000; 1000 for `orders`), RCA_BENCH_CLASSES (comma-separated subset), RCA_BENCH_PARTS
 * (storm,accuracy,lag by default; orders), RCA_BENCH_ORDERS_SEEDS (comma-separated, default the
 * first 2 report seeds), RCA_BENCH_PAUSE_MS (default 300000), RCA_BENCH_ORDERS_SKEW_MS ((b)'s drift
 * between lanes, default 60000; other values only for diagnosis).
 * `npm run bench:rca:engine` runs the same scenarios through the engine alone, in a minute.
 */

// Only the local servers: the benchmark never sends traffic elsewhere.
const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = 'redis://127.0.0.1:6379';
// One batch at a time keeps a replay (hours of event time posted in seconds) in event-time
// order on its way to the engine, as a worker keeping up in real time does. The lag phase runs
// in real time with the default settings.
const REPLAY_SETTINGS = { WORKER_CONCURRENCY: '1' };

const log = (line: string) =>
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

async function withStack<T>(
  runId: string,
  settings: Record<string, string>,
  run: (api: ApiClient, stack: BenchStack) => Promise<T>,
): Promise<T> {
  const teardown = new Teardown();
  current = teardown;
  try {
    const stack = await startStack(
      {
        runId,
        postgresUrl: POSTGRES_URL,
        redisUrl: REDIS_URL,
        workerProcesses: 1,
        settings,
        nodeArgs: [],
      },
      teardown,
    );
    return await run(new ApiClient(stack.apiUrl, stack.adminToken), stack);
  } finally {
    await teardown.run();
    current = null;
  }
}
let current: Teardown | null = null;

/**
 * The classes played over HTTP by default: the replay posts reports and aliases, not changes yet
 * (POST /api/v1/changes), so the change classes would be graded without their cause.
 */
const HTTP_CLASSES = FAULT_CLASSES.filter((c) => !CHANGE_FAULT_CLASSES.includes(c));

async function accuracy(runId: string): Promise<ReturnType<typeof printAccuracy>> {
  const seeds = Number(process.env.RCA_BENCH_SEEDS ?? 8);
  const sizes = scenarioSizes(Number(process.env.RCA_BENCH_MAX_SIZE ?? 5000));
  const classes =
    (process.env.RCA_BENCH_CLASSES?.split(',') as FaultClass[] | undefined) ?? HTTP_CLASSES;
  const ours: Tally[] = [];
  const naive: Tally[] = [];
  let reports = 0;
  const started = Date.now();
  for (const faultClass of classes) {
    for (let seed = 1; seed <= seeds; seed++) {
      const instances = sizes[(seed - 1) % sizes.length];
      const scenario = buildScenario({ faultClass, seed, instances });
      const t = Date.now();
      const result = await withStack(
        `${runId}_${faultClass.replace(/-/g, '_')}_${seed}`,
        REPLAY_SETTINGS,
        async (api, stack) => {
          const queues = new QueueProbe(REDIS_URL, stack.queuePrefix);
          try {
            return await replayOverHttp(api, scenario, queues);
          } finally {
            await queues.close();
          }
        },
      );
      reports += result.reports;
      const score = scoreRun(result.truths, result.ours);
      ours.push({ faultClass, score });
      naive.push({ faultClass, score: scoreRun(result.truths, result.naive) });
      const tops = score.truths
        .map(
          (x) =>
            `rank ${x.rank ?? '-'} delay ${x.delayMs === null ? '-' : `${(x.delayMs / 1000).toFixed(1)} s`}`,
        )
        .join('; ');
      log(
        `${faultClass} seed ${seed} (${scenario.topology.instances.size} instances, ${result.reports} reports) in ${((Date.now() - t) / 1000).toFixed(1)} s: ${score.incidents} incidents, FP ${score.falsePositives}${tops ? `; ${tops}` : ''}`,
      );
    }
  }
  console.log(
    `## Accuracy through the HTTP API: ${classes.length} classes x ${seeds} seeds, sizes ${sizes.join('/')} instances, 0.5% flaps per check per report`,
  );
  console.log(
    `(${reports} reports posted, a fresh api + worker + database per scenario; ${((Date.now() - started) / 1000).toFixed(0)} s in all)`,
  );
  return printAccuracy(ours, naive);
}

/** Replays one scenario on a fresh stack: the stack's queues probed, and closed after. */
function replayOn(
  runId: string,
  settings: Record<string, string>,
  play: (api: ApiClient, stack: BenchStack, queues: QueueProbe) => Promise<ReplayResult>,
): Promise<ReplayResult> {
  return withStack(runId, settings, async (api, stack) => {
    const queues = new QueueProbe(REDIS_URL, stack.queuePrefix);
    try {
      return await play(api, stack, queues);
    } finally {
      await queues.close();
    }
  });
}

async function orders(runId: string): Promise<ReturnType<typeof printOrders>> {
  const seeds =
    process.env.RCA_BENCH_ORDERS_SEEDS?.split(',').map(Number) ?? REPORT_SEEDS.slice(0, 2);
  // Largest first: the first seed plays the largest fleet allowed, the next the one below, ...
  const sizes = scenarioSizes(Number(process.env.RCA_BENCH_MAX_SIZE ?? 1000)).reverse();
  const pauseMs = Number(process.env.RCA_BENCH_PAUSE_MS ?? 300_000);
  // (b)'s drift between lanes; other values only to tell the drift from the concurrency apart.
  const skewMs = Number(process.env.RCA_BENCH_ORDERS_SKEW_MS ?? 60_000);
  const classes =
    (process.env.RCA_BENCH_CLASSES?.split(',') as FaultClass[] | undefined) ?? HTTP_CLASSES;
  const tallies: OrdersTally[] = [];
  const started = Date.now();
  let reports = 0;
  for (const faultClass of classes) {
    for (const [position, seed] of seeds.entries()) {
      const instances = sizes[position % sizes.length];
      const scenario = buildScenario({ faultClass, seed, instances });
      const id = `${runId}_${faultClass.replace(/-/g, '_')}_${seed}`;
      const size = scenario.topology.instances.size;
      const timed = async (name: string, run: () => Promise<ReplayResult>) => {
        const t = Date.now();
        const result = await run();
        const score = scoreRun(result.truths, result.ours);
        log(
          `orders: ${faultClass} seed ${seed} (${size} instances, ${result.reports} reports) ${name} in ${((Date.now() - t) / 1000).toFixed(1)} s: ${score.incidents} incidents, AC@1 ${score.truths.length ? (score.truths.filter((x) => x.rank === 1).length / score.truths.length).toFixed(2) : '-'}`,
        );
        return result;
      };
      const a = await timed('(a) sequential', () =>
        replayOn(`${id}_a`, REPLAY_SETTINGS, (api, _stack, queues) =>
          replayOverHttp(api, scenario, queues),
        ),
      );
      const b = await timed('(b) parallel', () =>
        // Lanes that drift apart are clients the pipeline cannot see coming: the deployment
        // declares the drift it tolerates as the allowed lateness (the README says so).
        replayOn(
          `${id}_b`,
          { CORRELATION_ALLOWED_LATENESS_MS: String(skewMs) },
          (api, _stack, queues) =>
            replayInLanes(api, scenario, queues, { lanes: 8, maxSkewMs: skewMs, seed }),
        ),
      );
      const c = await timed(`(c) worker-paused ${(pauseMs / 1000).toFixed(0)} s`, () =>
        replayOn(`${id}_c`, REPLAY_SETTINGS, (api, stack, queues) =>
          replayOverHttp(api, scenario, queues, {
            pause: pauseWorker(stack, (scenario.startAt + scenario.endAt) / 2, pauseMs),
          }),
        ),
      );
      reports += a.reports;
      const reference = { changes: a.ours, resolvedAt: a.resolvedAt };
      const tally: OrdersTally = {
        faultClass,
        seed,
        instances: size,
        referenceAc1: faultOutcomes(a.truths, reference).ac1,
        vs: {
          parallel: compareOrders(a.truths, reference, {
            changes: b.ours,
            resolvedAt: b.resolvedAt,
          }),
          'worker-paused': compareOrders(a.truths, reference, {
            changes: c.ours,
            resolvedAt: c.resolvedAt,
          }),
        },
      };
      tallies.push(tally);
      const v = tally.vs;
      log(
        `orders: ${faultClass} seed ${seed}: ${a.truths.length} faults; same top (b) ${v.parallel.sameTop} (c) ${v['worker-paused'].sameTop}; opened within 10 s (b) ${v.parallel.openedWithin} (c) ${v['worker-paused'].openedWithin}; extra (b) ${v.parallel.extra.length} (c) ${v['worker-paused'].extra.length}`,
      );
    }
  }
  console.log(
    `\n## Delivery order: ${classes.length} classes x seeds ${seeds.join(',')}, sizes ${seeds.map((_, i) => sizes[i % sizes.length]).join('/')} instances, each played (a) sequential, (b) parallel (8 lanes, ${(skewMs / 1000).toFixed(0)} s apart), (c) worker paused ${(pauseMs / 1000).toFixed(0)} s`,
  );
  console.log(
    `(${reports} reports per order, a fresh api + worker + database per scenario and order; ${((Date.now() - started) / 1000).toFixed(0)} s in all)`,
  );
  const figures = printOrders(tallies, skewMs);
  printOrderDifferences(tallies);
  return figures;
}

/** Stops the stack's worker at event time `at` of the replay, for `pauseMs` of wall time at least. */
function pauseWorker(stack: BenchStack, at: number, pauseMs: number): WorkerPause {
  let stoppedAt = 0;
  return {
    at,
    stop: async () => {
      log(`orders: stopping the worker (SIGTERM) for ${(pauseMs / 1000).toFixed(0)} s`);
      await stack.stopWorkers();
      stoppedAt = Date.now();
    },
    resume: async () => {
      const rest = stoppedAt + pauseMs - Date.now();
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
      log('orders: starting a new worker; the backlog drains');
      await stack.startWorkers();
    },
  };
}

async function lag(runId: string): Promise<LagFigures> {
  log('lag: 5,000 instances in real time (about 90 s)');
  const figures = await withStack(`${runId}_lag`, {}, (api) => measureLag(api, 5));
  const ms = (x: number | null) => (x === null ? '-' : `${Math.round(x)} ms`);
  console.log('\n## Wall-clock lag at 5,000 instances reporting every 10 s (real time)');
  console.log(
    `fleet:                      ${figures.instances} instances, ${figures.reportsPerSecond} reports/s posted as they fell due`,
  );
  console.log(
    `report accepted -> incident shows it: p50 ${ms(figures.p50Ms)}, p95 ${ms(figures.p95Ms)}, max ${ms(figures.maxMs)} over ${figures.samples} dependents (probe every 50 ms)   (target p95 < 1 s)`,
  );
  console.log(
    `evidence accepted -> incident open:   ${ms(figures.openLagMs)}; root on top: ${figures.rootOnTop}; dependents never shown: ${figures.missed}`,
  );
  return figures;
}

async function main(): Promise<void> {
  const parts = new Set((process.env.RCA_BENCH_PARTS ?? 'storm,accuracy,lag').split(','));
  const runId = `rca${Date.now().toString(36)}`;
  process.once(
    'SIGINT',
    () => void (current?.run() ?? Promise.resolve()).finally(() => process.exit(130)),
  );
  const storm = parts.has('storm') ? printStormAndMemory() : null;
  const acc = parts.has('accuracy') ? await accuracy(runId) : null;
  const lagFigures = parts.has('lag') ? await lag(runId) : null;
  const ord = parts.has('orders') ? await orders(runId) : null;

  console.log('\n## Targets');
  const line = (label: string, value: string, met: boolean | null) =>
    console.log(
      `${label.padEnd(44)} ${value.padEnd(12)} ${met === null ? '' : met ? 'met' : 'NOT MET'}`,
    );
  if (acc) {
    line('AC@1 overall >= 0.95', acc.overall.ac1.toFixed(2), acc.overall.ac1 >= 0.95);
    line(
      'false-positive incidents on flaps-only = 0',
      String(acc.flapFalsePositives),
      acc.flapFalsePositives === 0,
    );
    line(
      'detected within one interval >= 95%',
      acc.within === null ? '-' : `${Math.round(100 * acc.within)}%`,
      acc.within !== null && acc.within >= 0.95,
    );
  }
  if (ord) {
    const o = (k: 'same' | 'within', x: 'parallel' | 'worker-paused') =>
      `${ord[k][x]}/${ord.faults}`;
    line(
      '(b) and (c) identical incidents to (a)',
      `${o('same', 'parallel')} ${o('same', 'worker-paused')}`,
      ord.identical,
    );
    line(
      '(b) and (c) open no incident (a) does not',
      `${ord.extra.parallel} ${ord.extra['worker-paused']}`,
      ord.extra.parallel === 0 && ord.extra['worker-paused'] === 0,
    );
  }
  if (lagFigures)
    line(
      'lag report -> incident p95 < 1 s',
      lagFigures.p95Ms === null ? '-' : `${Math.round(lagFigures.p95Ms)} ms`,
      lagFigures.p95Ms !== null && lagFigures.p95Ms < 1000,
    );
  if (storm)
    line(
      'storm of 10,000 failing checks ranked < 200 ms',
      `${storm.storm.rankMs.toFixed(0)} ms`,
      storm.storm.rankMs < 200,
    );
  if (storm)
    line(
      'engine memory, 50k instances / 2k backends',
      `${storm.memory.heapMb.toFixed(0)} MB`,
      null,
    );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
