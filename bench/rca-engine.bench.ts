/**
 * Correlation engine benchmark, pure (no HTTP, no database): the quick loop for working on the
 * engine. `npm run bench:rca` is the full benchmark (the same scenarios through the real HTTP
 * API, and the wall-clock lag). Prints:
 *   1. a storm of 10,000 failing checks arriving at once, and the tick that ranks them (ms);
 *   2. engine memory (heapUsed delta) for 50,000 instances and 2,000 backends, one report each;
 *   3. accuracy per fault class and overall (AC@1, AC@3, false positives, duplicates, missed,
 *      detection delay p50/p95) over simulated scenarios of 30 to 5,000 instances, beside the naive
 *      baseline (blame the target failing most often in each 60 s window) fed the same events;
 *   4. the same scenarios again with decoy changes (unrelated deploys at random times): AC@1 and
 *      detection beside the run without, incidents opened by a decoy, incidents naming one.
 *
 * `npm run bench:rca:engine`. Environment: RCA_BENCH_SEED_SET (`report`, the default: seeds
 * 5-12, the ones figures are reported on; or `tune`: seeds 1-4, the ones the engine is tuned on),
 * RCA_BENCH_SEEDS (scenarios per class: the first N seeds of the set, default all of it),
 * RCA_BENCH_MAX_SIZE (default 5000), RCA_BENCH_CLASSES (comma-separated, default every class),
 * RCA_BENCH_DECOYS (decoy changes per hour in the second pass, default 6; 0 skips it).
 * The n-th seed of a set plays the n-th fleet size (30, 120, 400, 1,000, 2,500, 5,000, 30, ...).
 */
import { CorrelationEngine, type IncidentChange } from '@faultline/correlation';
import {
  buildScenario,
  FAULT_CLASSES,
  type FaultClass,
  NaiveBaseline,
  percentile,
  playScenario,
  type ScoredIncidentChange,
  scoreRun,
  SEED_SETS,
  type SeedSetName,
} from '@faultline/simulator';

import {
  printAccuracy,
  printDecoyComparison,
  printVariants,
  type Tally,
} from './support/accuracy-table';
import { printStormAndMemory } from './support/engine-figures';
import { scenarioSizes } from './support/scenario-sizes';

/** The seeds to play, from RCA_BENCH_SEED_SET and RCA_BENCH_SEEDS. */
function seedSet(): { name: SeedSetName; seeds: readonly number[] } {
  const name = (process.env.RCA_BENCH_SEED_SET ?? 'report') as SeedSetName;
  if (!Object.hasOwn(SEED_SETS, name))
    throw new Error(`RCA_BENCH_SEED_SET must be one of ${Object.keys(SEED_SETS).join(', ')}`);
  const all = SEED_SETS[name];
  const n = Number(process.env.RCA_BENCH_SEEDS ?? all.length);
  if (!Number.isInteger(n) || n < 1) throw new Error('RCA_BENCH_SEEDS must be a positive integer');
  return { name, seeds: all.slice(0, n) };
}

function faultClasses(): readonly FaultClass[] {
  const asked = process.env.RCA_BENCH_CLASSES?.split(',').map((c) => c.trim());
  if (!asked) return FAULT_CLASSES;
  const unknown = asked.filter((c) => !(FAULT_CLASSES as readonly string[]).includes(c));
  if (unknown.length > 0) throw new Error(`unknown fault classes: ${unknown.join(', ')}`);
  return asked as FaultClass[];
}

/** Decoy changes per hour for the second pass (RCA_BENCH_DECOYS; 0 skips it). */
function decoyRate(): number {
  const rate = Number(process.env.RCA_BENCH_DECOYS ?? 6);
  if (!Number.isFinite(rate) || rate < 0)
    throw new Error('RCA_BENCH_DECOYS must be a number of decoys per hour, 0 or more');
  return rate;
}

interface Pass {
  engineRuns: Tally[];
  baselineRuns: Tally[];
  tickMs: number[];
  reports: number;
  engineMs: number;
  wallMs: number;
}

/** Plays every class x seed through a fresh engine (and the naive baseline), scoring each. */
function play(
  seeds: readonly number[],
  classes: readonly FaultClass[],
  sizes: readonly number[],
  decoyChangesPerHour: number,
): Pass {
  const pass: Pass = {
    engineRuns: [],
    baselineRuns: [],
    tickMs: [],
    reports: 0,
    engineMs: 0,
    wallMs: 0,
  };
  const started = performance.now();
  for (const faultClass of classes) {
    for (const [i, seed] of seeds.entries()) {
      const instances = sizes[i % sizes.length];
      const engine = new CorrelationEngine();
      const baseline = new NaiveBaseline();
      const changes: IncidentChange[] = [];
      const naive: ScoredIncidentChange[] = [];
      const scenario = buildScenario({ faultClass, seed, instances, decoyChangesPerHour });
      const truths = playScenario(scenario, (event) => {
        const t = performance.now();
        const out = engine.apply(event);
        const dt = performance.now() - t;
        pass.engineMs += dt;
        if (event.kind === 'report') pass.reports++;
        else if (event.kind === 'tick' && instances === 5000) pass.tickMs.push(dt);
        for (const c of out) changes.push(c);
        for (const c of baseline.apply(event)) naive.push(c);
      });
      const decoys = new Set(
        (scenario.changes ?? []).filter((c) => c.decoy).map((c) => c.change.id),
      );
      pass.engineRuns.push({ faultClass, score: scoreRun(truths, changes, { decoys }) });
      pass.baselineRuns.push({ faultClass, score: scoreRun(truths, naive, { decoys }) });
    }
  }
  pass.wallMs = performance.now() - started;
  return pass;
}

function accuracy(
  { name: setName, seeds }: ReturnType<typeof seedSet>,
  classes: readonly FaultClass[],
  decoys: number,
): void {
  const sizes = scenarioSizes(Number(process.env.RCA_BENCH_MAX_SIZE ?? 5000));
  const plain = play(seeds, classes, sizes, 0);
  const { tickMs } = plain;
  tickMs.sort((a, b) => a - b);
  console.log(
    `## Accuracy (engine only): ${classes.length} classes x ${seeds.length} seeds, sizes ${sizes.slice(0, seeds.length).join('/')} instances, 0.5% flaps per check per report`,
  );
  console.log(
    `(seed set: ${setName}, seeds ${seeds.join(', ')}${setName === 'tune' ? ': the seeds the engine is tuned on, not figures to report' : ''})`,
  );
  console.log(
    `(${plain.reports} reports through the engine in ${(plain.engineMs / 1000).toFixed(1)} s of engine time, ${(plain.wallMs / 1000).toFixed(1)} s in all)`,
  );
  if (tickMs.length > 0)
    console.log(
      `(at 5,000 instances a tick takes p95 ${percentile(tickMs, 0.95)?.toFixed(1)} ms, max ${tickMs[tickMs.length - 1].toFixed(1)} ms)`,
    );
  printAccuracy(plain.engineRuns, plain.baselineRuns);
  printVariants(plain.engineRuns);
  if (decoys === 0) return;
  const withDecoys = play(seeds, classes, sizes, decoys);
  console.log(
    `\n## With decoy changes: ${decoys} unrelated deploys an hour (from 15 min before each scenario to its end), the same scenarios otherwise`,
  );
  console.log(`(${withDecoys.reports} reports, ${(withDecoys.wallMs / 1000).toFixed(1)} s in all)`);
  printDecoyComparison(plain.engineRuns, withDecoys.engineRuns);
}

// Read the environment first, so that a wrong setting fails at once.
const seedsToPlay = seedSet();
const classesToPlay = faultClasses();
const decoysPerHour = decoyRate();
printStormAndMemory();
accuracy(seedsToPlay, classesToPlay, decoysPerHour);
