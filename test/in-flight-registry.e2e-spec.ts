import { type FaultlineConfig, InFlightRegistry, type JobProducer } from '@faultline/platform';
import IORedis from 'ioredis';

describe('InFlightRegistry (real Redis)', () => {
  const connection = new IORedis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const config = {
    QUEUE_PREFIX: `in-flight-spec-${Date.now().toString(36)}`,
    IN_FLIGHT_MAX_HOLD_MS: 60_000,
  } as FaultlineConfig;
  const registry = new InFlightRegistry({ connection } as unknown as JobProducer, config);

  afterAll(async () => {
    await connection.del(`${config.QUEUE_PREFIX}:in-flight`);
    await connection.quit();
  });

  it('answers the oldest event time in flight until each batch is released', async () => {
    expect(await registry.oldest()).toBeNull();
    const newer = await registry.register(2_000);
    const older = await registry.register(1_000);
    expect(await registry.oldest()).toBe(1_000);
    await registry.release(older);
    expect(await registry.oldest()).toBe(2_000);
    await registry.release(newer);
    expect(await registry.oldest()).toBeNull();
  });

  it('releases several batches at once, and releases one while reading the clock in one round trip', async () => {
    const a = await registry.register(1_000);
    const b = await registry.register(2_000);
    const c = await registry.register(3_000);
    const d = await registry.register(4_000);
    await registry.release(a, b);
    expect(await registry.oldest()).toBe(3_000);
    expect(await registry.releaseThenOldest(c)).toBe(4_000);
    expect(await registry.releaseThenOldest(d)).toBeNull();
    await registry.release(); // nothing to release: no command
  });

  it('stops holding for a batch registered longer ago than the maximum hold, and drops it', async () => {
    const now = Date.now();
    await registry.register(500, now - 61_000);
    const fresh = await registry.register(3_000, now);
    expect(await registry.oldest(now)).toBe(3_000);
    expect(await connection.zcard(`${config.QUEUE_PREFIX}:in-flight`)).toBe(1);
    await registry.release(fresh);
  });
});
