import { type FaultlineConfig, InjectConfig, JobProducer } from '@faultline/platform';
import { Injectable } from '@nestjs/common';

const WINDOW_MS = 60_000;

/**
 * A per-channel budget of deliveries per minute, counted in Redis (fixed one-minute windows,
 * shared by every worker). A delivery over budget waits for the next window instead of being
 * refused: a storm of distinct incidents reaches a channel at its pace, never all at once.
 */
@Injectable()
export class ChannelRateLimiter {
  constructor(
    private readonly producer: JobProducer,
    @InjectConfig() private readonly config: FaultlineConfig,
  ) {}

  /** Takes one delivery from the channel's budget; returns null, or when the next window opens (ms) if it is spent. */
  async take(channelId: string, perMinute: number, now = Date.now()): Promise<number | null> {
    const window = Math.floor(now / WINDOW_MS);
    const key = `${this.config.QUEUE_PREFIX}:rate:channel:${channelId}:${window}`;
    const redis = this.producer.connection;
    const used = await redis.incr(key);
    if (used === 1) await redis.pexpire(key, 2 * WINDOW_MS);
    return used <= perMinute ? null : (window + 1) * WINDOW_MS;
  }
}
