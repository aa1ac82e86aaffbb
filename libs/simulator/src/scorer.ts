import type { ScoredIncidentChange } from './engine-event';
import type { GroundTruth } from './scenario.model';

/** How one fault fared. */
export interface TruthScore {
  truth: GroundTruth;
  /** Incidents matched to this fault. */
  incidents: string[];
  /** 1-based rank of the true root in the best matched incident's final ranking; null when absent or missed. */
  rank: number | null;
  /** Event time from the first evidence to an incident with the true root on top; null if never. */
  delayMs: number | null;
}

export interface RunScore {
  truths: TruthScore[];
  /** Incidents that match no fault. */
  falsePositives: number;
  /** Incidents beyond the first matched to the same fault. */
  duplicates: number;
  incidents: number;
  /** Incidents whose final top cause names a decoy change (as the cause, or among its evidence). */
  decoyNamed: number;
  /** Incidents whose final top cause is a decoy change: opened by a change that broke nothing (false positives too). */
  decoyTop: number;
}

/** What a run is scored with besides its truths: the decoy changes played (their ids). */
export interface ScoreOptions {
  decoys?: ReadonlySet<string>;
}

type ScoredCause = ScoredIncidentChange['incident']['rootCauses'][number];

/**
 * Whether a cause names a fault's true root. A fault caused by a change is named by the change
 * (`change:<id>`), or by its root entity with that change among its evidence; the entity alone,
 * without the change, is not the answer. Any other fault: by its root key.
 */
export function namesTruth(truth: GroundTruth, cause: ScoredCause | undefined): boolean {
  if (cause === undefined) return false;
  if (truth.change === undefined) return cause.key === truth.rootKey;
  if (cause.key === `change:${truth.change}`) return true;
  return cause.key === truth.rootKey && (cause.changes ?? []).some((c) => c.id === truth.change);
}

/** The decoy a cause names, as the cause or among its evidence, if any. */
function namesDecoy(cause: ScoredCause | undefined, decoys: ReadonlySet<string>): boolean {
  if (cause === undefined || decoys.size === 0) return false;
  if (cause.change && decoys.has(cause.change.id)) return true;
  if (cause.key.startsWith('change:') && decoys.has(cause.key.slice('change:'.length))) return true;
  return (cause.changes ?? []).some((c) => decoys.has(c.id));
}

export interface ClassScore {
  faultClass: string;
  scenarios: number;
  cases: number;
  ac1: number;
  ac3: number;
  falsePositives: number;
  duplicates: number;
  missed: number;
  delayP50Ms: number | null;
  delayP95Ms: number | null;
}

/** An incident opened this long after a fault ended can still belong to it (slow staleness, late reports). */
const GRACE_MS = 60_000;

/**
 * Scores one run: matches incidents to faults, then accuracy, false positives and delay.
 *
 * Matching: an incident opened within [fault start, fault end + 60 s] belongs to the fault whose
 * root it ranks best (anywhere in its final ranking; see namesTruth for a fault caused by a
 * change), else to the fault whose affected instances it overlaps most; an incident matching no
 * fault is a false positive, and so is one whose top cause is a decoy change (a change that broke
 * nothing opened it), and every incident after the first matched to a fault is a duplicate (a
 * flapping cause is one fault for its whole episode: one incident kept open across its cycles is
 * right, each incident opened again on it is a duplicate). AC@k: the true root within the top k
 * of the best-ranking matched incident, by its last ranking (a missed fault scores 0). Delay:
 * first change with the true root on top, minus the fault's first evidence (its start when it
 * left none). O(changes × faults + incidents × faults × causes).
 */
export function scoreRun(
  truths: readonly GroundTruth[],
  changes: readonly ScoredIncidentChange[],
  options: ScoreOptions = {},
): RunScore {
  const decoys = options.decoys ?? new Set<string>();
  const last = new Map<string, ScoredIncidentChange['incident']>();
  /** Per truth, per incident: the first event time its top cause named the truth. */
  const namedAt = new Map<string, Map<string, number>>(truths.map((t) => [t.id, new Map()]));
  for (const c of changes) {
    last.set(c.incident.id, c.incident);
    const top = c.incident.rootCauses[0];
    for (const t of truths) {
      const seen = namedAt.get(t.id) as Map<string, number>;
      if (!seen.has(c.incident.id) && namesTruth(t, top)) seen.set(c.incident.id, c.at);
    }
  }
  const matched = new Map<string, string[]>(truths.map((t) => [t.id, []]));
  let falsePositives = 0;
  let decoyNamed = 0;
  let decoyTop = 0;
  for (const inc of last.values()) {
    const top = inc.rootCauses[0];
    if (namesDecoy(top, decoys)) decoyNamed++;
    if (top?.change && decoys.has(top.change.id)) {
      falsePositives++;
      decoyTop++;
      continue;
    }
    const inWindow = truths.filter(
      (t) => inc.openedAt >= t.startAt && inc.openedAt <= t.endAt + GRACE_MS,
    );
    let best: GroundTruth | undefined;
    let bestRank = Infinity;
    for (const t of inWindow) {
      const r = inc.rootCauses.findIndex((cause) => namesTruth(t, cause));
      if (r >= 0 && r < bestRank) [best, bestRank] = [t, r];
    }
    if (!best) {
      const affected = new Set(inc.affected.instances);
      let bestOverlap = 0;
      for (const t of inWindow) {
        const overlap = t.affected.filter((i) => affected.has(i)).length;
        if (overlap > bestOverlap) [best, bestOverlap] = [t, overlap];
      }
    }
    if (best) (matched.get(best.id) as string[]).push(inc.id);
    else falsePositives++;
  }
  let duplicates = 0;
  const scored = truths.map((truth): TruthScore => {
    const ids = matched.get(truth.id) as string[];
    duplicates += Math.max(0, ids.length - 1);
    let rank: number | null = null;
    let detectedAt: number | null = null;
    for (const id of ids) {
      const r = (last.get(id)?.rootCauses ?? []).findIndex((c) => namesTruth(truth, c));
      if (r >= 0 && (rank === null || r + 1 < rank)) rank = r + 1;
      const at = namedAt.get(truth.id)?.get(id);
      if (at !== undefined && (detectedAt === null || at < detectedAt)) detectedAt = at;
    }
    const from = truth.evidenceAt ?? truth.startAt;
    return {
      truth,
      incidents: ids,
      rank,
      delayMs: detectedAt === null ? null : Math.max(0, detectedAt - from),
    };
  });
  return { truths: scored, falsePositives, duplicates, incidents: last.size, decoyNamed, decoyTop };
}

/** Per class and overall: AC@1, AC@3, false positives, duplicates, missed faults and delay percentiles. */
export function aggregateScores(runs: readonly { faultClass: string; score: RunScore }[]): {
  byClass: ClassScore[];
  overall: ClassScore;
} {
  const classes = [...new Set(runs.map((r) => r.faultClass))];
  const byClass = classes.map((cls) =>
    summarise(
      cls,
      runs.filter((r) => r.faultClass === cls),
    ),
  );
  return { byClass, overall: summarise('overall', runs) };
}

function summarise(faultClass: string, runs: readonly { score: RunScore }[]): ClassScore {
  const truths = runs.flatMap((r) => r.score.truths);
  const delays = truths
    .map((t) => t.delayMs)
    .filter((d): d is number => d !== null)
    .sort((a, b) => a - b);
  const share = (ok: (t: TruthScore) => boolean) =>
    truths.length === 0 ? 1 : truths.filter(ok).length / truths.length;
  return {
    faultClass,
    scenarios: runs.length,
    cases: truths.length,
    ac1: share((t) => t.rank === 1),
    ac3: share((t) => t.rank !== null && t.rank <= 3),
    falsePositives: runs.reduce((n, r) => n + r.score.falsePositives, 0),
    duplicates: runs.reduce((n, r) => n + r.score.duplicates, 0),
    missed: truths.filter((t) => t.incidents.length === 0).length,
    delayP50Ms: percentile(delays, 0.5),
    delayP95Ms: percentile(delays, 0.95),
  };
}

/** Nearest-rank percentile of sorted values; null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
