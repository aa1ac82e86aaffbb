import { randomUUID } from 'node:crypto';

import { Injectable, Logger } from '@nestjs/common';

import { InjectConfig } from '../config/config.module';
import type { FaultlineConfig } from '../config/config.schema';
import { JobProducer } from './job-producer.service';

/**
 * The event times still in flight between the API and the correlation engine, in one Redis
 * sorted set shared by every api and worker process: the source of the engine's low watermark.
 *
 * The api registers each group-committed batch (score: its oldest event time) before the job
 * that carries it is added; the correlator releases it once the batch's reports are in its
 * hands (or the ingest worker does, when nothing of the batch is new). A batch stuck longer than
 * IN_FLIGHT_MAX_HOLD_MS (a job that failed for good) stops holding the clock and is dropped,
 * with a warning: the clock is held for a slow pipeline, never frozen by a lost batch.
 * Tokens begin with their registration time, so expiry needs no second structure.
 */
@Injectable()
export class InFlightRegistry {
  private readonly logger = new Logger(InFlightRegistry.name);
  private readonly key: string;

  constructor(
    private readonly producer: JobProducer,
    @InjectConfig() private readonly config: FaultlineConfig,
  ) {
    this.key = `${config.QUEUE_PREFIX}:in-flight`;
  }

  /** Registers a batch whose oldest report has event time `oldestEventTime`; returns its token. */
  async register(oldestEventTime: number, now = Date.now()): Promise<string> {
    const token = `${now}:${randomUUID()}`;
    await this.producer.connection.zadd(this.key, oldestEventTime, token);
    return token;
  }

  /** Releases batches: their reports are in the correlator's hands, or none of them was new. */
  async release(...tokens: string[]): Promise<void> {
    if (tokens.length > 0) await this.producer.connection.zrem(this.key, ...tokens);
  }

  /** The oldest event time in flight, or null when nothing is; drops batches held too long. */
  async oldest(now = Date.now()): Promise<number | null> {
    const entries = await this.producer.connection.zrange(this.key, 0, -1, 'WITHSCORES');
    return this.oldestOf(entries, now);
  }

  /**
   * release(token), then oldest(), in one round trip: a correlate job's hold is let go and the
   * clock read at once (a Redis round trip costs the client several times a pipelined command).
   */
  async releaseThenOldest(token: string, now = Date.now()): Promise<number | null> {
    const replies = await this.producer.connection
      .pipeline()
      .zrem(this.key, token)
      .zrange(this.key, 0, -1, 'WITHSCORES')
      .exec();
    const failed = replies?.find(([error]) => error !== null);
    if (!replies || failed) throw failed?.[0] ?? new Error('the in-flight pipeline was not run');
    return this.oldestOf(replies[1][1] as string[], now);
  }

  private async oldestOf(entries: string[], now: number): Promise<number | null> {
    let oldest: number | null = null;
    const expired: string[] = [];
    for (let i = 0; i < entries.length; i += 2) {
      const token = entries[i];
      if (now - Number(token.slice(0, token.indexOf(':'))) > this.config.IN_FLIGHT_MAX_HOLD_MS)
        expired.push(token);
      else oldest = Math.min(oldest ?? Infinity, Number(entries[i + 1]));
    }
    if (expired.length > 0) {
      this.logger.warn(
        `${expired.length} batches in flight for over ${this.config.IN_FLIGHT_MAX_HOLD_MS} ms no longer hold the correlation clock`,
      );
      await this.producer.connection.zrem(this.key, ...expired);
    }
    return oldest;
  }
}
