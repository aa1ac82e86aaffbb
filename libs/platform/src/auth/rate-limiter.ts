import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type IORedis from 'ioredis';

import { InjectConfig } from '../config/config.module';
import type { FaultlineConfig } from '../config/config.schema';
import { createRedis } from '../queue/redis';
import type { Scope } from './scopes';
import { type PendingIncrement, WindowCounts } from './window-counts';

/** Which limit a refused request spent, and when its window ends. */
export interface RateLimitVerdict {
  limit: 'address' | 'token';
  /** Requests the window allows. */
  allowed: number;
  retryAfterMs: number;
}

/**
 * How often this process sends its counts to Redis and learns the other processes'. Also the
 * bound on over-admission: see WindowCounts (processes × this × request rate per window).
 */
export const RATE_SYNC_MS = 50;
/** Keys per script call, so one sync after a flood of addresses is several modest commands. */
const SYNC_CHUNK = 500;

// Each key's increment of one sync, expiring with its window. KEYS: the counters; ARGV: time to
// live (ms), then one increment per key. Returns the counts after.
const SYNC_SCRIPT = `
local counts = {}
for i, key in ipairs(KEYS) do
  local delta = tonumber(ARGV[i + 1])
  local n = redis.call('INCRBY', key, delta)
  if n == delta then redis.call('PEXPIRE', key, ARGV[1]) end
  counts[i] = n
end
return counts`;

type LimitedRedis = IORedis & {
  faultlineRateSync(numberOfKeys: number, ...args: (string | number)[]): Promise<number[]>;
};

/**
 * Request rate limits that hold across every api process of a deployment (keys under
 * QUEUE_PREFIX): per client address (every authenticated route, the token unknown or not) and
 * per token and route scope (an admin token posting reports spends its ingest budget). Fixed
 * windows of RATE_LIMIT_WINDOW_MS; limits are set per second and allowed as rate × window, so a
 * fleet reporting in bursts (all at :00) is not throttled while its average is under the rate.
 * A limit of 0 is off.
 *
 * No Redis round trip per request: each process counts locally and every RATE_SYNC_MS sends one
 * INCRBY per key it saw (one script call), deciding on the last count Redis gave plus the hits
 * not yet sent (WindowCounts). One process is exact; N processes may together admit up to
 * N × RATE_SYNC_MS × their request rate over a limit in a window (each learns the others'
 * counts within one sync), and never more than N × the limit.
 *
 * Fails open: with Redis unreachable the request goes on (ingest then answers 503 on its own,
 * reads keep working), logged at most once a minute. Its own connection, so a Redis outage
 * fails a sync at once instead of queueing it.
 */
@Injectable()
export class RateLimiter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RateLimiter.name);
  private redis: LimitedRedis | null = null;
  private lastWarning = 0;
  private readonly perToken: Record<Scope, number>;
  private readonly counts = new WindowCounts();
  private syncTimer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private closed = false;

  constructor(@InjectConfig() private readonly config: FaultlineConfig) {
    this.perToken = {
      ingest: config.RATE_LIMIT_INGEST_PER_S,
      read: config.RATE_LIMIT_READ_PER_S,
      admin: config.RATE_LIMIT_ADMIN_PER_S,
    };
  }

  get windowMs(): number {
    return this.config.RATE_LIMIT_WINDOW_MS;
  }

  /** Requests one window allows at `perSecond` (0: unlimited). */
  allowed(perSecond: number): number {
    return perSecond === 0
      ? Infinity
      : Math.ceil((perSecond * this.config.RATE_LIMIT_WINDOW_MS) / 1000);
  }

  /**
   * Counts one request from `address` with the token hashed as `tokenHash` (null: no token) on a
   * route needing `scope`; returns the limit it exceeds, or null. Refused requests count too,
   * as they did when every request was an INCR.
   */
  hit(
    address: string,
    tokenHash: string | null,
    scope: Scope,
    now = Date.now(),
  ): RateLimitVerdict | null {
    const addressAllowed = this.allowed(this.config.RATE_LIMIT_ADDRESS_PER_S);
    const tokenAllowed = tokenHash === null ? Infinity : this.allowed(this.perToken[scope]);
    if (addressAllowed === Infinity && tokenAllowed === Infinity) return null;
    if (this.redis?.status !== 'ready') {
      this.warn(now, `Redis is ${this.redis?.status ?? 'not connected'}`);
      return null;
    }
    const window = this.config.RATE_LIMIT_WINDOW_MS;
    const index = Math.floor(now / window);
    const prefix = `${this.config.QUEUE_PREFIX}:rate:${index}`;
    const addressCount =
      addressAllowed === Infinity ? 0 : this.counts.hit(index, `${prefix}:a:${address}`);
    const tokenCount =
      tokenAllowed === Infinity ? 0 : this.counts.hit(index, `${prefix}:t:${scope}:${tokenHash}`);
    this.syncTimer ??= this.scheduleSync();
    const retryAfterMs = (index + 1) * window - now;
    if (addressCount > addressAllowed)
      return { limit: 'address', allowed: addressAllowed, retryAfterMs };
    if (tokenCount > tokenAllowed) return { limit: 'token', allowed: tokenAllowed, retryAfterMs };
    return null;
  }

  /**
   * Sends the counts not yet sent and takes Redis's totals; one at a time. Scheduled by the
   * first unsynced hit, so an idle api makes no Redis calls.
   */
  sync(): Promise<void> {
    this.syncing ??= this.sendCounts().finally(() => {
      this.syncing = null;
      this.syncTimer = null;
      if (this.counts.pending && !this.closed) this.syncTimer = this.scheduleSync();
    });
    return this.syncing;
  }

  private scheduleSync(): NodeJS.Timeout {
    return setTimeout(() => void this.sync(), RATE_SYNC_MS).unref();
  }

  private async sendCounts(): Promise<void> {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    const batch = this.counts.take();
    if (batch.length === 0) return;
    const now = Date.now();
    const current = Math.floor(now / this.config.RATE_LIMIT_WINDOW_MS);
    try {
      const counts = (
        await Promise.all(chunks(batch, SYNC_CHUNK).map((chunk) => this.send(chunk)))
      ).flat();
      this.counts.settle(batch, counts, current);
    } catch (e) {
      this.counts.fail(batch, current);
      this.warn(now, (e as Error).message);
    }
  }

  private send(chunk: readonly PendingIncrement[]): Promise<number[]> {
    const ttl = this.config.RATE_LIMIT_WINDOW_MS + 1000;
    return this.connection().faultlineRateSync(
      chunk.length,
      ...chunk.map((c) => c.key),
      ttl,
      ...chunk.map((c) => c.delta),
    );
  }

  private warn(now: number, reason: string): void {
    if (now - this.lastWarning <= 60_000) return;
    this.lastWarning = now;
    this.logger.warn(`rate limits not enforced, Redis unavailable: ${reason}`);
  }

  private connection(): LimitedRedis {
    if (this.redis) return this.redis;
    const redis = createRedis(this.config.REDIS_URL, 'rate-limit', {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      commandTimeout: 1000,
    }) as LimitedRedis;
    redis.on('error', () => undefined); // reported by hit() and sync(), once a minute
    redis.defineCommand('faultlineRateSync', { lua: SYNC_SCRIPT });
    this.redis = redis;
    return redis;
  }

  /** Connects at start (without an offline queue, checks before the connection would fail open). */
  async onModuleInit(): Promise<void> {
    const redis = this.connection();
    if (redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3000); // Redis down: start anyway, fail open
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Sends what was counted last (other processes go on counting it), then closes. */
  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    await this.syncing;
    await this.sync();
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
