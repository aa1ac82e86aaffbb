/**
 * Correlation engine benchmark (pure: no HTTP, no database). Prints:
 *   1. a storm of 10,000 failing checks arriving at once, and the tick that ranks them (ms);
 *   2. engine memory (heapUsed delta) for 50,000 instances and 2,000 backends, one report each;
 *   3. accuracy per fault class and overall (AC@1, AC@3, false positives, duplicates, missed,
 *      detection delay p50/p95) over simulated scenarios of 30 to 5,000 instances, beside the naive
 *      baseline (blame the target failing most often in each 60 s window) fed the same events.
 *
 * Build and run:
 *   npx tsc -p tsconfig.build.json && npx tsc-alias -p tsconfig.build.json
 *   node --expose-gc dist/bench/rca-engine.bench.js
 * Environment: RCA_BENCH_SEEDS (scenarios per class, default 8), RCA_BENCH_MAX_SIZE (default 5000).
 */
import { CorrelationEngine, type IncidentChange } from '@faultline/correlation';
import type { Check, Report } from '@faultline/reports';
import {
  aggregateScores, buildScenario, type ClassScore, FAULT_CLASSES, NaiveBaseline, percentile, playScenario, Prng, type RunScore, type ScoredIncidentChange, scoreRun,
} from '@faultline/simulator';

const T0 = Date.UTC(2026, 10, 25, 10);
const SIZES = [30, 120, 400, 1000, 2500, 5000];

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

function report(service: string, instance: string, host: string, zone: string, at: number, checks: Check[]): Report {
  const status = checks.some((c) => c.status === 'fail') ? 'fail' : 'pass';
  return { id: null, service, instance, host, labels: { zone }, observedAt: at, receivedAt: at, status, checks };
}

function check(name: string, backend: number, fail: boolean): Check {
  const target = `mysql://db-${backend}:3306`;
  return { name, target, targetKey: `backend:${target}`, status: fail ? 'fail' : 'pass', latencyMs: fail ? 5000 : 3, output: fail ? 'connection refused' : null };
}

/** 5,000 instances with 2 checks each over 200 backends: all 10,000 checks fail in one interval. */
function storm(): void {
  const engine = new CorrelationEngine();
  const rng = new Prng(42);
  const targets = Array.from({ length: 5000 }, () => [rng.int(1, 200), rng.int(1, 200)]);
  const feed = (at: number, fail: boolean) => {
    for (let i = 0; i < 5000; i++) {
      const [a, b] = targets[i];
      engine.apply({ kind: 'report', report: report(`svc-${i % 500}`, `svc-${i % 500}-${i}`, `node-${i >> 2}`, `az${i % 3}`, at + (i % 1000), [check('db-a', a, fail), check('db-b', b === a ? (b % 200) + 1 : b, fail)]) });
    }
  };
  feed(T0, false);
  feed(T0 + 10_000, false);
  engine.apply({ kind: 'tick', at: T0 + 11_000 });
  const t1 = performance.now();
  feed(T0 + 20_000, true);
  const t2 = performance.now();
  const changes = engine.apply({ kind: 'tick', at: T0 + 21_000 });
  const t3 = performance.now();
  const again = engine.apply({ kind: 'tick', at: T0 + 22_000 });
  const t4 = performance.now();
  const opened = changes.filter((c) => c.type === 'opened');
  console.log('## Storm: 10,000 failing checks at once (5,000 instances, 200 backends)');
  console.log(`apply 5,000 reports:        ${(t2 - t1).toFixed(1)} ms`);
  console.log(`rank them (one tick):       ${(t3 - t2).toFixed(1)} ms  -> ${opened.length} incidents opened, symptoms ${engine.stats().symptoms}`);
  console.log(`next tick, storm ongoing:   ${(t4 - t3).toFixed(1)} ms  (${again.length} changes)`);
  console.log(`top of the first incident:  ${opened[0]?.incident.rootCauses[0].key} (${opened[0]?.incident.rootCauses[0].summary})\n`);
}

/** 50,000 instances (3 checks each) over 2,000 backends, each reporting once. */
function memory(): void {
  gc();
  const before = process.memoryUsage().heapUsed;
  const engine = new CorrelationEngine();
  const rng = new Prng(7);
  for (let i = 0; i < 50_000; i++) {
    const checks = [0, 1, 2].map((k) => check(`dep-${k}`, ((rng.int(0, 1999) + k * 667) % 2000) + 1, false));
    engine.apply({ kind: 'report', report: report(`svc-${i % 2500}`, `svc-${i % 2500}-${i}`, `node-${i >> 2}`, `az${i % 3}`, T0 + (i % 10_000), checks) });
  }
  engine.apply({ kind: 'tick', at: T0 + 10_000 });
  gc();
  const after = process.memoryUsage().heapUsed;
  const s = engine.stats();
  const graph = engine.exportGraph();
  console.log('## Memory: 50,000 instances and 2,000 backends, one report each');
  console.log(`heapUsed delta:             ${((after - before) / 1024 / 1024).toFixed(1)} MB${(globalThis as { gc?: unknown }).gc ? '' : ' (run with --expose-gc for a settled figure)'}`);
  console.log(`engine state:               ${s.instances} instances, ${s.backends} backends; graph ${graph.nodes.length} nodes, ${graph.edges.length} edges\n`);
}

interface Tally {
  faultClass: string;
  score: RunScore;
}

function accuracy(): void {
  const seeds = Number(process.env.RCA_BENCH_SEEDS ?? 8);
  const maxSize = Number(process.env.RCA_BENCH_MAX_SIZE ?? 5000);
  const sizes = SIZES.filter((s) => s <= maxSize);
  const engineRuns: Tally[] = [];
  const baselineRuns: Tally[] = [];
  const tickMs: number[] = [];
  let reports = 0;
  let engineMs = 0;
  const started = performance.now();
  for (const faultClass of FAULT_CLASSES) {
    for (let seed = 1; seed <= seeds; seed++) {
      const instances = sizes[(seed - 1) % sizes.length];
      const scenario = buildScenario({ faultClass, seed, instances });
      const engine = new CorrelationEngine();
      const baseline = new NaiveBaseline();
      const changes: IncidentChange[] = [];
      const naive: ScoredIncidentChange[] = [];
      const truths = playScenario(scenario, (event) => {
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
  const mine = aggregateScores(engineRuns);
  const theirs = aggregateScores(baselineRuns);
  tickMs.sort((a, b) => a - b);
  console.log(`## Accuracy: ${FAULT_CLASSES.length} classes x ${seeds} seeds, sizes ${sizes.join('/')} instances, 0.5% flaps per check per report`);
  console.log(`(${reports} reports through the engine in ${(engineMs / 1000).toFixed(1)} s of engine time, ${((performance.now() - started) / 1000).toFixed(1)} s in all)`);
  if (tickMs.length > 0) console.log(`(at 5,000 instances a tick takes p95 ${percentile(tickMs, 0.95)?.toFixed(1)} ms, max ${tickMs[tickMs.length - 1].toFixed(1)} ms)`);
  const within = (runs: Tally[], cls?: string) => {
    const truths = runs.filter((r) => !cls || r.faultClass === cls).flatMap((r) => r.score.truths);
    return truths.length === 0 ? '-' : `${Math.round((100 * truths.filter((t) => t.delayMs !== null && t.delayMs <= 10_000).length) / truths.length)}%`;
  };
  const row = (s: ClassScore, b: ClassScore, w: string, wb: string) =>
    [s.faultClass.padEnd(18), String(s.cases).padStart(5), acc(s, s.ac1), acc(s, s.ac3), String(s.falsePositives).padStart(4), String(s.duplicates).padStart(4), String(s.missed).padStart(4), sec(s.delayP50Ms), sec(s.delayP95Ms), w.padStart(5), '|', acc(b, b.ac1), acc(b, b.ac3), String(b.falsePositives).padStart(5), sec(b.delayP95Ms), wb.padStart(5)].join(' ');
  console.log(`${'class'.padEnd(18)} cases  AC@1  AC@3   FP  dup miss   d p50   d p95 <=10s | naive: AC@1  AC@3    FP   d p95 <=10s`);
  mine.byClass.forEach((s, i) => console.log(row(s, theirs.byClass[i], within(engineRuns, s.faultClass), within(baselineRuns, s.faultClass))));
  console.log(row(mine.overall, theirs.overall, within(engineRuns), within(baselineRuns)));
  console.log('\nFP: incidents matching no fault (flaps-only: every incident). dup: extra incidents for one fault. d: detection delay, event time from the first');
  console.log('evidence to an incident with the true root on top. <=10s: share of faults detected within one report interval. Targets: AC@1 >= 0.95, 0 FP on flaps-only.');
}

/** Accuracy has no meaning for a class without faults (flaps-only): shown as "-". */
const acc = (s: ClassScore, x: number) => (s.cases === 0 ? '-' : x.toFixed(2)).padStart(5);
const sec = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`).padStart(7);

storm();
memory();
accuracy();
