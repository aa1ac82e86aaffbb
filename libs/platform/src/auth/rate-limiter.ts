import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type IORedis from 'ioredis';

import { InjectConfig } from '../config/config.module';
import type { FaultlineConfig } from '../config/config.schema';
import { createRedis } from '../queue/redis';
import type { Scope } from './scopes';

/** Which limit a refused request spent, and when its window ends. */
export interface RateLimitVerdict {
  limit: 'address' | 'token';
  /** Requests the window allows. */
  allowed: number;
  retryAfterMs: number;
}

// Both counters in one round trip: INCR each key of this window, expiring with the window.
// KEYS: address counter, token counter (or none); ARGV: time to live (ms). Returns the counts.
const HIT_SCRIPT = `
local counts = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
  counts[i] = n
end
return counts`;

type LimitedRedis = IORedis & {
  faultlineHit(numberOfKeys: number, ...args: (string | number)[]): Promise<number[]>;
};

/**
 * Request rate limits, counted in Redis so they hold across every api process of a deployment
 * (keys under QUEUE_PREFIX): per client address (every authenticated route, the token unknown
 * or not) and per token and route scope (an admin token posting reports spends its ingest
 * budget). Fixed windows of RATE_LIMIT_WINDOW_MS; limits are set per second and allowed as
 * rate × window, so a fleet reporting in bursts (all at :00) is not throttled while its average
 * is under the rate. One Redis round trip per request. A limit of 0 is off.
 *
 * Fails open: with Redis unreachable the request goes on (ingest then answers 503 on its own,
 * reads keep working), logged at most once a minute. Its own connection, so a Redis outage
 * fails a check at once instead of queueing it.
 */
@Injectable()
export class RateLimiter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RateLimiter.name);
  private redis: LimitedRedis | null = null;
  private lastWarning = 0;
  private readonly perToken: Record<Scope, number>;

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
   * route needing `scope`; returns the limit it exceeds, or null.
   */
  async hit(
    address: string,
    tokenHash: string | null,
    scope: Scope,
    now = Date.now(),
  ): Promise<RateLimitVerdict | null> {
    const window = this.config.RATE_LIMIT_WINDOW_MS;
    const addressAllowed = this.allowed(this.config.RATE_LIMIT_ADDRESS_PER_S);
    const tokenAllowed = tokenHash === null ? Infinity : this.allowed(this.perToken[scope]);
    if (addressAllowed === Infinity && tokenAllowed === Infinity) return null;
    const index = Math.floor(now / window);
    const prefix = `${this.config.QUEUE_PREFIX}:rate:${index}`;
    const keys: string[] = [];
    if (addressAllowed !== Infinity) keys.push(`${prefix}:a:${address}`);
    if (tokenAllowed !== Infinity) keys.push(`${prefix}:t:${scope}:${tokenHash}`);
    let counts: number[];
    try {
      counts = await this.connection().faultlineHit(keys.length, ...keys, window + 1000);
    } catch (e) {
      if (now - this.lastWarning > 60_000) {
        this.lastWarning = now;
        this.logger.warn(`rate limits not enforced, Redis unavailable: ${(e as Error).message}`);
      }
      return null;
    }
    const retryAfterMs = (index + 1) * window - now;
    let i = 0;
    if (addressAllowed !== Infinity && counts[i++] > addressAllowed)
      return { limit: 'address', allowed: addressAllowed, retryAfterMs };
    if (tokenAllowed !== Infinity && counts[i] > tokenAllowed)
      return { limit: 'token', allowed: tokenAllowed, retryAfterMs };
    return null;
  }

  private connection(): LimitedRedis {
    if (this.redis) return this.redis;
    const redis = createRedis(this.config.REDIS_URL, 'rate-limit', {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      commandTimeout: 1000,
    }) as LimitedRedis;
    redis.on('error', () => undefined); // reported by hit(), once a minute
    redis.defineCommand('faultlineHit', { lua: HIT_SCRIPT });
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

  async onModuleDestroy(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
