import { aggregateScores, type ClassScore, type RunScore } from '@faultline/simulator';

/** One scenario's score, by fault class. */
export interface Tally {
  faultClass: string;
  score: RunScore;
}

/** Detection within one report interval of the first evidence (the target). */
export const DETECTION_WITHIN_MS = 10_000;

/** Share of faults detected within one interval, per class or overall. */
export function detectedWithin(runs: readonly Tally[], cls?: string): number | null {
  const truths = runs.filter((r) => !cls || r.faultClass === cls).flatMap((r) => r.score.truths);
  return truths.length === 0
    ? null
    : truths.filter((t) => t.delayMs !== null && t.delayMs <= DETECTION_WITHIN_MS).length /
        truths.length;
}

/**
 * Prints accuracy per fault class and overall, ours beside the naive baseline fed the same
 * events, and returns the overall figures (for the targets line).
 */
export function printAccuracy(
  mine: readonly Tally[],
  naive: readonly Tally[],
): { overall: ClassScore; within: number | null; flapFalsePositives: number } {
  const ours = aggregateScores(mine);
  const theirs = aggregateScores(naive);
  const pct = (x: number | null) => (x === null ? '-' : `${Math.round(100 * x)}%`).padStart(5);
  const row = (s: ClassScore, b: ClassScore, cls?: string) =>
    [
      s.faultClass.padEnd(CLASS_WIDTH),
      String(s.cases).padStart(5),
      acc(s, s.ac1),
      acc(s, s.ac3),
      String(s.falsePositives).padStart(4),
      String(s.duplicates).padStart(4),
      String(s.missed).padStart(4),
      sec(s.delayP50Ms),
      sec(s.delayP95Ms),
      pct(detectedWithin(mine, cls)),
      '|',
      acc(b, b.ac1),
      acc(b, b.ac3),
      String(b.falsePositives).padStart(5),
      sec(b.delayP95Ms),
      pct(detectedWithin(naive, cls)),
    ].join(' ');
  console.log(
    `${'class'.padEnd(CLASS_WIDTH)} cases  AC@1  AC@3   FP  dup miss   d p50   d p95 <=10s | naive: AC@1  AC@3    FP   d p95 <=10s`,
  );
  ours.byClass.forEach((s, i) => console.log(row(s, theirs.byClass[i], s.faultClass)));
  console.log(row(ours.overall, theirs.overall));
  console.log(
    '\nFP: incidents matching no fault (flaps-only: every incident). dup: extra incidents for one fault. d: detection delay, event time from the first',
  );
  console.log(
    'evidence (first failing report; for silence the 3rd missed interval) to an incident with the true root on top. <=10s: share detected within',
  );
  console.log('one report interval.');
  return {
    overall: ours.overall,
    within: detectedWithin(mine),
    flapFalsePositives:
      ours.byClass.find((c) => c.faultClass === 'flaps-only')?.falsePositives ?? 0,
  };
}

/**
 * AC@1, duplicates and missed faults per variant, for the classes whose scenarios come in several shapes
 * (network-partition, degraded-before-down, late-evidence, ...); prints nothing when none do.
 */
export function printVariants(runs: readonly Tally[]): void {
  const rows = new Map<
    string,
    { cases: number; top: number; duplicates: number; missed: number }
  >();
  for (const r of runs)
    for (const t of r.score.truths) {
      if (!t.truth.variant) continue;
      const key = `${r.faultClass}/${t.truth.variant}`;
      const row = rows.get(key) ?? { cases: 0, top: 0, duplicates: 0, missed: 0 };
      row.cases++;
      if (t.rank === 1) row.top++;
      row.duplicates += Math.max(0, t.incidents.length - 1);
      if (t.incidents.length === 0) row.missed++;
      rows.set(key, row);
    }
  if (rows.size === 0) return;
  console.log('\nBy variant (ours):');
  for (const [key, row] of [...rows].sort(([a], [b]) => a.localeCompare(b)))
    console.log(
      `  ${key.padEnd(40)} cases ${String(row.cases).padStart(3)}  AC@1 ${(row.top / row.cases).toFixed(2)}  dup ${row.duplicates}  missed ${row.missed}`,
    );
}

/**
 * The same scenarios without and with decoy changes, per class: AC@1 both ways and its change
 * (the target: not lower by more than 0.01), detection p50/p95 both ways, false positives with
 * decoys, incidents opened by a decoy (its top cause) and incidents naming one as evidence.
 */
export function printDecoyComparison(
  without: readonly Tally[],
  withDecoys: readonly Tally[],
): void {
  const a = aggregateScores(without);
  const b = aggregateScores(withDecoys);
  const count = (runs: readonly Tally[], cls: string | undefined, pick: (t: Tally) => number) =>
    runs.filter((r) => !cls || r.faultClass === cls).reduce((n, r) => n + pick(r), 0);
  console.log(
    `${'class'.padEnd(CLASS_WIDTH)} AC@1 without  with   diff   d p50 without/with   d p95 without/with   FP with  decoy-opened  decoy-named`,
  );
  const row = (x: ClassScore, y: ClassScore, cls?: string) =>
    console.log(
      [
        x.faultClass.padEnd(CLASS_WIDTH),
        acc(x, x.ac1).padStart(12),
        acc(y, y.ac1),
        (x.cases === 0 ? '-' : (y.ac1 - x.ac1).toFixed(2)).padStart(6),
        `${sec(x.delayP50Ms)} /${sec(y.delayP50Ms)}`.padStart(20),
        `${sec(x.delayP95Ms)} /${sec(y.delayP95Ms)}`.padStart(20),
        String(y.falsePositives).padStart(8),
        String(count(withDecoys, cls, (t) => t.score.decoyTop)).padStart(13),
        String(count(withDecoys, cls, (t) => t.score.decoyNamed)).padStart(12),
      ].join(' '),
    );
  a.byClass.forEach((x, i) => row(x, b.byClass[i], x.faultClass));
  row(a.overall, b.overall);
  console.log(
    'decoy-opened: incidents whose top cause is a decoy (a change that broke nothing); decoy-named: incidents whose top cause carries one as evidence.',
  );
}

/** Wide enough for the longest fault class name (degraded-before-down). */
const CLASS_WIDTH = 21;

/** Accuracy has no meaning for a class without faults (flaps-only): shown as "-". */
const acc = (s: ClassScore, x: number) => (s.cases === 0 ? '-' : x.toFixed(2)).padStart(5);
const sec = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`).padStart(7);
