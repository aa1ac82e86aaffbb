import type { Client } from 'pg';

/**
 * Samples what the bench database's backends are doing while a phase runs, to tell apart
 * Postgres working ("running"), waiting on row locks (Lock:*), on the WAL (LWLock:WALWrite,
 * IO:WALSync) and waiting on the application inside a transaction ("idle in transaction").
 * The result is the average number of backends in each activity over the samples.
 */
export class BackendActivitySampler {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private samples = 0;
  private readonly totals = new Map<string, number>();

  constructor(
    private readonly db: Client,
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.inFlight ??= this.sample().finally(() => (this.inFlight = null));
    }, this.intervalMs);
  }

  async stop(): Promise<Record<string, number>> {
    if (this.timer) clearInterval(this.timer);
    await this.inFlight;
    const averages = [...this.totals]
      .map(
        ([activity, total]) =>
          [activity, Math.round((total / Math.max(1, this.samples)) * 100) / 100] as const,
      )
      .sort((a, b) => b[1] - a[1]);
    return Object.fromEntries(averages);
  }

  private async sample(): Promise<void> {
    try {
      const { rows } = await this.db.query<{ activity: string; n: number }>(
        `SELECT CASE WHEN state = 'active' THEN coalesce(wait_event_type || ':' || wait_event, 'running') ELSE state END AS activity, count(*)::int AS n
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle' GROUP BY 1`,
      );
      this.samples++;
      for (const { activity, n } of rows)
        this.totals.set(activity, (this.totals.get(activity) ?? 0) + n);
    } catch {
      // A lost sample only thins the statistics; the phase itself must not fail for it.
    }
  }
}
