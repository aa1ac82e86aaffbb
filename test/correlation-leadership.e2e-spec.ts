import {
  CorrelationLeadership,
  type CorrelationProcessor,
  type CorrelationService,
} from '@faultline/correlation/service';
import type { FaultlineConfig, JobWorkers, LeaderLock } from '@faultline/platform';

const waitFor = async (what: () => boolean, ms = 2_000): Promise<void> => {
  const until = Date.now() + ms;
  while (!what()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('CorrelationLeadership', () => {
  it('keeps campaigning after a round that throws', async () => {
    const config = {
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'leadership-spec',
      CORRELATION_LEASE_MS: 1_000,
      CORRELATION_CLOCK_MS: 1_000,
    } as FaultlineConfig;
    let rounds = 0;
    const lock = {
      // Leader, then not: the step-down stops the queue, which fails once.
      acquireOrRenew: () => Promise.resolve(++rounds === 1),
      release: () => Promise.resolve(),
    } as unknown as LeaderLock;
    let stops = 0;
    const workers = {
      startQueue: () => undefined,
      stopQueue: () =>
        ++stops === 1 ? Promise.reject(new Error('redis gone')) : Promise.resolve(),
    } as unknown as JobWorkers;
    const correlation = { rebuild: () => Promise.resolve() } as unknown as CorrelationService;
    const processor = { advanceClock: () => Promise.resolve({ changed: 0 }) };
    const leadership = new CorrelationLeadership(
      config,
      workers,
      correlation,
      processor as unknown as CorrelationProcessor,
    );
    Object.assign(leadership, { lock });
    const errors: string[] = [];
    Object.assign(leadership, {
      logger: { log: () => undefined, warn: () => undefined, error: (m: string) => errors.push(m) },
    });

    leadership.start();
    // Round 1 leads, round 2 steps down and throws, round 3 must still run.
    await waitFor(() => rounds >= 3);
    expect(errors).toEqual(['leadership round failed: redis gone']);
    await leadership.onModuleDestroy();
  });
});
