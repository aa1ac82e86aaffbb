/**
 * Correlation engine benchmark, pure (no HTTP, no database): the quick loop for working on the
 * engine. `npm run bench:rca` is the full benchmark (the same scenarios through the real HTTP
 * API, and the wall-clock lag). Prints:
 *   1. a storm of 10,000 failing checks arriving at once, and the tick that ranks them (ms);
 *   2. engine memory (heapUsed delta) for 50,000 instances and 2,000 backends, one report each;
 *   3. accuracy per fault class and overall (AC@1, AC@3, false positives, duplicates, missed,
 *      detection delay p50/p95) over simulated scenarios of 30 to 5,000 instances, beside the naive
 *      baseline (blame the target failing most often in each 60 s window) fed the same events.
 *
 * `npm run bench:rca:engine`. Environment: RCA_BENCH_SEEDS (scenarios per class, default 8),
 * RCA_BENCH_MAX_SIZE (default 5000).
 */
import { CorrelationEngine, type IncidentChange } from '@faultline/correlation';
import {
  buildScenario,
  FAULT_CLASSES,
  NaiveBaseline,
  percentile,
  playScenario,
  type ScoredIncidentChange,
  scoreRun,
} from '@faultline/simulator';
import { printAccuracy, type Tally } from './support/accuracy-table';
import { printStormAndMemory } from './support/engine-figures';
import { scenarioSizes } from './support/scenario-sizes';

function accuracy(): void {
  const seeds = Number(process.env.RCA_BENCH_SEEDS ?? 8);
  const sizes = scenarioSizes(Number(process.env.RCA_BENCH_MAX_SIZE ?? 5000));
  const engineRuns: Tally[] = [];
  const baselineRuns: Tally[] = [];
  const tickMs: number[] = [];
  let reports = 0;
  let engineMs = 0;
  const started = performance.now();
  for (const faultClass of FAULT_CLASSES) {
    for (let seed = 1; seed <= seeds; seed++) {
      const instances = sizes[(seed - 1) % sizes.length];
      const engine = new CorrelationEngine();
      const baseline = new NaiveBaseline();
      const changes: IncidentChange[] = [];
      const naive: ScoredIncidentChange[] = [];
      const truths = playScenario(buildScenario({ faultClass, seed, instances }), (event) => {
        const t = performance.now();
        const out = engine.apply(event);
        const dt = performance.now() - t;
        engineMs += dt;
        if (event.kind === 'report') reports++;
        else if (event.kind === 'tick' && instances === 5000) tickMs.push(dt);
        for (const c of out) changes.push(c);
        for (const c of baseline.apply(event)) naive.push(c);
      });
      engineRuns.push({ faultClass, score: scoreRun(truths, changes) });
      baselineRuns.push({ faultClass, score: scoreRun(truths, naive) });
    }
  }
  tickMs.sort((a, b) => a - b);
  console.log(
    `## Accuracy (engine only): ${FAULT_CLASSES.length} classes x ${seeds} seeds, sizes ${sizes.join('/')} instances, 0.5% flaps per check per report`,
  );
  console.log(
    `(${reports} reports through the engine in ${(engineMs / 1000).toFixed(1)} s of engine time, ${((performance.now() - started) / 1000).toFixed(1)} s in all)`,
  );
  if (tickMs.length > 0)
    console.log(
      `(at 5,000 instances a tick takes p95 ${percentile(tickMs, 0.95)?.toFixed(1)} ms, max ${tickMs[tickMs.length - 1].toFixed(1)} ms)`,
    );
  printAccuracy(engineRuns, baselineRuns);
}

printStormAndMemory();
accuracy();
