const DAY_MS = 86_400_000;

/** The UTC day (epoch ms of its midnight) that holds an event time. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

/** `reports_p20261125`: the partition of raw reports for one UTC day. */
export function partitionName(day: number): string {
  return `reports_p${new Date(day).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** Days from `from` to `to` inclusive. */
export function daysBetween(from: number, to: number): number[] {
  const days: number[] = [];
  for (let d = dayOf(from); d <= dayOf(to); d += DAY_MS) days.push(d);
  return days;
}

/** Parses a partition name back to its day, or null for a table that is not one of ours. */
export function partitionDay(name: string): number | null {
  const m = /^reports_p(\d{4})(\d{2})(\d{2})$/.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

export { DAY_MS };
