import type IORedis from 'ioredis';

// Extends the lease only while we still hold it, and releases only our own lease: a process
// that paused past its lease must not take back or drop a lock another process now holds.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A leased lock in Redis that elects one leader among many processes (SET NX PX, renewed
 * while held). If the leader dies its lease runs out and another process takes over.
 */
export class LeaderLock {
  constructor(
    private readonly redis: IORedis,
    private readonly key: string,
    private readonly owner: string,
    private readonly leaseMs: number,
  ) {}

  /** Takes the lock if it is free, or extends it if we hold it. True while we are leader. */
  async acquireOrRenew(): Promise<boolean> {
    if ((await this.redis.eval(RENEW, 1, this.key, this.owner, String(this.leaseMs))) === 1)
      return true;
    return (await this.redis.set(this.key, this.owner, 'PX', this.leaseMs, 'NX')) === 'OK';
  }

  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, this.owner);
  }
}
