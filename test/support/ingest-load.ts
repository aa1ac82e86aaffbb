/**
 * A client that keeps posting batches of reports and records exactly which ones the api
 * acknowledged with 202. Every report has a unique identity (service, instance, observedAt),
 * so the stored rows can be compared with the acknowledged set one for one.
 *
 * A batch answered with anything but 202 (503 while a dependency is down, a connection error,
 * a timeout) is retried unchanged, as a real client would, until `retryForMs` passes; then it
 * is recorded as unacknowledged: its reports may or may not be stored, and are not counted.
 * Bounded: at most `maxBatches` batches, none started after `stop()` or `maxRunMs`.
 */
export interface LoadOptions {
  baseUrl: string;
  token: string;
  service: string;
  batchSize?: number;
  concurrency?: number;
  /** Pause between two batches of one sender. */
  pauseMs?: number;
  maxBatches?: number;
  maxRunMs?: number;
  retryForMs?: number;
}

/** The identity of a report as a string, the same for what was sent and what is stored. */
export const reportKey = (service: string, instance: string, observedAt: Date | string): string =>
  `${service}|${instance}|${new Date(observedAt).toISOString()}`;

export class IngestLoad {
  readonly accepted = new Set<string>();
  readonly unacknowledged = new Set<string>();
  /** How often each answer came: "202", "503", "error: fetch failed", ... */
  readonly answers: Record<string, number> = {};
  private readonly opts: Required<LoadOptions>;
  private readonly base = Date.now() - 50 * 60_000;
  private seq = 0;
  private batches = 0;
  private stopping = false;
  private aborted = false;
  private senders: Promise<void>[] = [];
  private readonly startedAt = Date.now();

  constructor(options: LoadOptions) {
    this.opts = {
      batchSize: 50,
      concurrency: 4,
      pauseMs: 20,
      maxBatches: 1000,
      maxRunMs: 60_000,
      retryForMs: 30_000,
      ...options,
    };
  }

  start(): this {
    this.senders = Array.from({ length: this.opts.concurrency }, () => this.sender());
    return this;
  }

  /** Starts no new batch; resolves once every batch in flight is acknowledged or given up. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.senders);
  }

  /** For cleanup after a failure: stops at once, giving up on batches still being retried. */
  async abort(): Promise<void> {
    this.aborted = true;
    await this.stop();
  }

  get sentBatches(): number {
    return this.batches;
  }

  private async sender(): Promise<void> {
    while (
      !this.stopping &&
      this.batches < this.opts.maxBatches &&
      Date.now() - this.startedAt < this.opts.maxRunMs
    ) {
      this.batches++;
      const batch = this.nextBatch();
      const keys = batch.map((r) => reportKey(r.service, r.instance, r.observedAt));
      const target = (await this.post(batch)) ? this.accepted : this.unacknowledged;
      keys.forEach((k) => target.add(k));
      await sleep(this.opts.pauseMs);
    }
  }

  /** Posts until 202 or until retryForMs has passed; true when acknowledged. */
  private async post(batch: object[]): Promise<boolean> {
    const giveUpAt = Date.now() + this.opts.retryForMs;
    const body = JSON.stringify(batch);
    for (;;) {
      let answer: string;
      try {
        const res = await fetch(`${this.opts.baseUrl}/api/v1/reports`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.opts.token}`,
            'content-type': 'application/json',
          },
          body,
          signal: AbortSignal.timeout(15_000),
        });
        await res.arrayBuffer();
        answer = String(res.status);
      } catch (e) {
        answer = `error: ${(e as Error).message}`;
      }
      this.answers[answer] = (this.answers[answer] ?? 0) + 1;
      if (answer === '202') return true;
      if (this.aborted || Date.now() > giveUpAt) return false;
      await sleep(100);
    }
  }

  private nextBatch(): {
    service: string;
    instance: string;
    observedAt: string;
    checks: object[];
  }[] {
    return Array.from({ length: this.opts.batchSize }, () => {
      const n = this.seq++;
      // One millisecond apart: unique identities within the last hour, whatever the instance.
      return {
        service: this.opts.service,
        instance: `i${n % 16}`,
        observedAt: new Date(this.base + n).toISOString(),
        // Flapping checks, so batches also write state and transitions.
        checks: [
          {
            name: 'db',
            target: 'postgres://db-faults:5432/app',
            status: Math.floor(n / 16) % 5 === 0 ? 'fail' : 'pass',
          },
        ],
      };
    });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
