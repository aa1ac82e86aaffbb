/** Health status of a report or a check, in the contract's vocabulary. */
export type Status = 'pass' | 'warn' | 'fail';

export const STATUSES: readonly Status[] = ['pass', 'warn', 'fail'];

const RANK: Record<Status, number> = { pass: 0, warn: 1, fail: 2 };

/** Orders statuses from healthy to broken, so the worst of a set is its maximum. */
export function compareStatus(a: Status, b: Status): number {
  return RANK[a] - RANK[b];
}

/** The worst status of a set; an empty set is healthy (a report with no checks says "alive"). */
export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = 'pass';
  for (const s of statuses) if (RANK[s] > RANK[worst]) worst = s;
  return worst;
}
