import 'reflect-metadata';
import { buildScenario, type FaultClass, FAULT_CLASSES, scoreRun } from '@faultline/simulator';
import { printAccuracy, type Tally } from './support/accuracy-table';
import { ApiClient } from './support/api-client';
import { startStack, type BenchStack } from './support/bench-stack';
import { printStormAndMemory } from './support/engine-figures';
import { QueueProbe, replayOverHttp } from './support/http-replay';
import { type LagFigures, measureLag } from './support/lag-phase';
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
 *      its incident updated, as GET /api/v1/incidents/:id shows it.
 * Environment: RCA_BENCH_SEEDS (scenarios per class, default 8), RCA_BENCH_MAX_SIZE (default
 * 5000), RCA_BENCH_CLASSES (comma-separated subset), RCA_BENCH_PARTS (storm,accuracy,lag).
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

async function accuracy(runId: string): Promise<ReturnType<typeof printAccuracy>> {
  const seeds = Number(process.env.RCA_BENCH_SEEDS ?? 8);
  const sizes = scenarioSizes(Number(process.env.RCA_BENCH_MAX_SIZE ?? 5000));
  const classes =
    (process.env.RCA_BENCH_CLASSES?.split(',') as FaultClass[] | undefined) ?? FAULT_CLASSES;
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
