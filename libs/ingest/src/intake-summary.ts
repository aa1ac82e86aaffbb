/**
 * What one process accepted, by source, told once a minute as one line: "accepted in the last
 * minute: 1,234 reports (reports api 1,000; ingest/oslo 200; poll/try-oslo 34)". Counting is a
 * Map update per accepted request; nothing is said for a minute with nothing accepted.
 */
export class IntakeSummary {
  private counts = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private since: number;

  constructor(
    private readonly write: (line: string) => void,
    private readonly everyMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.since = now();
  }

  /** Counts `n` reports accepted from `source` (`reports api`, `ingest/<format>`, `source/<id>`, `poll/<id>`). */
  add(source: string, n: number): void {
    if (n > 0) this.counts.set(source, (this.counts.get(source) ?? 0) + n);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flush('in the last minute'), this.everyMs);
    this.timer.unref(); // never what keeps a process alive
  }

  /** Stops the timer and says what was accepted since the last line (at shutdown). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush(`in the last ${Math.max(1, Math.round((this.now() - this.since) / 1000))} s`);
  }

  /** Writes the line for what was counted (if anything) and starts counting afresh. */
  flush(period: string): void {
    const counts = this.counts;
    this.counts = new Map();
    this.since = this.now();
    if (counts.size > 0) this.write(intakeSummaryLine(counts, period));
  }
}

const number = new Intl.NumberFormat('en-US');

/** The summary line; the largest sources first, at most `listed` of them named. */
export function intakeSummaryLine(
  counts: ReadonlyMap<string, number>,
  period: string,
  listed = 10,
): string {
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const total = sorted.reduce((sum, [, n]) => sum + n, 0);
  const parts = sorted.slice(0, listed).map(([source, n]) => `${source} ${number.format(n)}`);
  const rest = sorted.slice(listed);
  if (rest.length > 0) {
    const restTotal = rest.reduce((sum, [, n]) => sum + n, 0);
    parts.push(`${rest.length} more sources ${number.format(restTotal)}`);
  }
  const noun = total === 1 ? 'report' : 'reports';
  return `accepted ${period}: ${number.format(total)} ${noun} (${parts.join('; ')})`;
}
