import IORedis, { type RedisOptions } from 'ioredis';

/**
 * A Redis connection for BullMQ. Workers block on Redis and must retry forever
 * (maxRetriesPerRequest null); producers on the request path keep that too and bound
 * their wait with their own timeout, so a Redis restart delays requests instead of losing them.
 */
export function createRedis(url: string, name: string, extra: RedisOptions = {}): IORedis {
  return new IORedis(url, {
    maxRetriesPerRequest: null,
    connectionName: `faultline-${name}`,
    ...extra,
  });
}
