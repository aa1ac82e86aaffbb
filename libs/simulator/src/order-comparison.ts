import type { ScoredIncidentChange } from './engine-event';
import type { GroundTruth } from './scenario.model';
import { scoreRun } from './scorer';

/** One report interval: a fault's incident must open this close (event time) to the reference's. */
export const ORDER_OPEN_TOLERANCE_MS = 10_000;

/** One run of a scenario in one delivery order, as read back. */
export interface OrderRun {
  /** The run's incidents as the scorer reads them (see scoreRun). */
  changes: readonly ScoredIncidentChange[];
  /** Event time each resolved incident resolved at, by incident id; open incidents are absent. */
  resolvedAt?: ReadonlyMap<string, number>;
}

/** What a run made of one fault: the top cause and opening of the incident that stands for it. */
export interface FaultOutcome {
  truthId: string;
  rootKey: string;
  /** Final top cause of the fault's incident; null when no incident matched the fault. */
  top: string | null;
  /** Event time that incident opened at; null when none matched. */
  openedAt: number | null;
}

/** An incident, final state, spanning [openedAt, resolvedAt] in event time (open: no end). */
export interface OrderIncident {
  id: string;
  top: string | null;
  openedAt: number;
  resolvedAt: number | null;
}

export interface OrderComparison {
  faults: number;
  /** Faults whose incident has the same top cause as the reference's (both missed counts as same). */
  sameTop: number;
  /** Faults whose incident opened within the tolerance of the reference's (both missed: within). */
  openedWithin: number;
  /** Incidents the reference has no counterpart for (same top cause, overlapping time). */
  extra: OrderIncident[];
  /** The faults that differ, reference beside the other run. */
  differences: { reference: FaultOutcome; other: FaultOutcome }[];
  /** AC@1 of the other run (share of faults with the true root on top; 1 without faults). */
  ac1: number;
}

/**
 * What a run made of each fault, matched as the scorer matches (scoreRun): of the incidents
 * matched to the fault, the one ranking its true root best (ties and none ranking it: the earliest
 * opened) stands for it. O(changes + incidents × faults × causes).
 */
export function faultOutcomes(
  truths: readonly GroundTruth[],
  run: OrderRun,
): { outcomes: FaultOutcome[]; ac1: number } {
  const last = finalStates(run.changes);
  const score = scoreRun(truths, run.changes);
  const outcomes = score.truths.map((t): FaultOutcome => {
    let best: ScoredIncidentChange['incident'] | undefined;
    let bestRank = Infinity;
    for (const id of t.incidents) {
      const inc = last.get(id);
      if (!inc) continue;
      const r = inc.rootCauses.findIndex((c) => c.key === t.truth.rootKey);
      const rank = r < 0 ? Infinity : r;
      if (!best || rank < bestRank || (rank === bestRank && inc.openedAt < best.openedAt))
        [best, bestRank] = [inc, rank];
    }
    return {
      truthId: t.truth.id,
      rootKey: t.truth.rootKey,
      top: best ? (best.rootCauses[0]?.key ?? null) : null,
      openedAt: best ? best.openedAt : null,
    };
  });
  const ac1 =
    score.truths.length === 0
      ? 1
      : score.truths.filter((t) => t.rank === 1).length / score.truths.length;
  return { outcomes, ac1 };
}

/** Every incident of a run in its final state, with its span in event time. */
export function orderIncidents(run: OrderRun): OrderIncident[] {
  return [...finalStates(run.changes).values()].map((inc) => ({
    id: inc.id,
    top: inc.rootCauses[0]?.key ?? null,
    openedAt: inc.openedAt,
    resolvedAt: inc.status === 'resolved' ? (run.resolvedAt?.get(inc.id) ?? null) : null,
  }));
}

/**
 * Compares a run in another delivery order with the reference run of the same scenario: per fault,
 * the same top cause and an opening within `toleranceMs`; and the incidents the reference does not
 * have: no reference incident with the same top cause whose span, widened by `toleranceMs` each
 * side, overlaps the incident's. Pure. O(faults + incidents²).
 */
export function compareOrders(
  truths: readonly GroundTruth[],
  reference: OrderRun,
  other: OrderRun,
  toleranceMs = ORDER_OPEN_TOLERANCE_MS,
): OrderComparison {
  const ref = faultOutcomes(truths, reference).outcomes;
  const { outcomes, ac1 } = faultOutcomes(truths, other);
  let sameTop = 0;
  let openedWithin = 0;
  const differences: OrderComparison['differences'] = [];
  ref.forEach((a, i) => {
    const b = outcomes[i];
    const same = a.top === b.top;
    const within =
      a.openedAt === null || b.openedAt === null
        ? a.openedAt === b.openedAt
        : Math.abs(a.openedAt - b.openedAt) <= toleranceMs;
    if (same) sameTop++;
    if (within) openedWithin++;
    if (!same || !within) differences.push({ reference: a, other: b });
  });
  const theirs = orderIncidents(reference);
  const end = (i: OrderIncident) => i.resolvedAt ?? Infinity;
  const extra = orderIncidents(other).filter(
    (inc) =>
      !theirs.some(
        (r) =>
          r.top === inc.top &&
          r.openedAt - toleranceMs <= end(inc) &&
          inc.openedAt - toleranceMs <= end(r),
      ),
  );
  return { faults: truths.length, sameTop, openedWithin, extra, differences, ac1 };
}

function finalStates(
  changes: readonly ScoredIncidentChange[],
): Map<string, ScoredIncidentChange['incident']> {
  const last = new Map<string, ScoredIncidentChange['incident']>();
  for (const c of changes) last.set(c.incident.id, c.incident);
  return last;
}
