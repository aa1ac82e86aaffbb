import { JobProducer, QueueName } from '@faultline/platform';

import { pollUntil } from '../bench/support/poll-until';
import { type NodeProcess, startCorrelator } from './support/processes';
import { freshDatabase, type Stack, startStack } from './support/stack';
import { freePort } from './support/throwaway-servers';

interface ApiIncident {
  id: string;
  status: 'open' | 'resolved';
  rootCauses: { key: string }[];
  affected: { services: string[] };
}

/**
 * The engine in its own process: an api and a worker with CORRELATION_ENABLED=false (in this
 * process), and correlators built in dist/ (`npm run start:correlator`) beside them. The worker
 * stores and forwards but never correlates; the correlator leads, names the shared backend, and
 * a second correlator takes over from a killed one with the same incident.
 */
describe('the correlator process', () => {
  const p = `corr${Date.now().toString(36)}`;
  const backend = `backend:postgres://${p}-db:5432`;
  const services = ['orders', 'billing', 'search', 'users'].map((s) => `${p}-${s}`);
  const INTERVAL_MS = 10_000;
  // Event time from ten minutes ago, so a minute of outage posts in seconds.
  let at = Date.now() - 10 * 60_000;
  let stack: Stack;
  let correlatorEnv: Record<string, string>;
  const correlators: NodeProcess[] = [];

  /** One report of every instance (two per service) at the next interval. */
  const round = async (status: 'pass' | 'fail', of = services) => {
    at += INTERVAL_MS;
    const reports = of.flatMap((service) =>
      [1, 2].map((n) => ({
        service,
        instance: `${service}-${n}`,
        host: `${service}-host-${n}`,
        observedAt: new Date(at + n).toISOString(),
        checks: [
          {
            name: 'database',
            target: `postgres://${p}-db:5432/app`,
            status,
            ...(status === 'fail' ? { output: 'connection refused' } : {}),
          },
        ],
      })),
    );
    const res = await stack.call('POST', '/api/v1/reports', reports);
    expect(res.status).toBe(202);
  };

  const incidents = async (): Promise<ApiIncident[]> => {
    const res = await stack.call('GET', '/api/v1/incidents?status=all&limit=100');
    expect(res.status).toBe(200);
    return res.json.items as ApiIncident[];
  };

  const openOn = async (what: string, check = (_i: ApiIncident) => true) =>
    (
      await pollUntil(incidents, (items) => items.some((i) => i.status === 'open' && check(i)), {
        timeoutMs: 30_000,
        intervalMs: 250,
        what,
      })
    ).filter((i) => i.status === 'open');

  const correlator = async (): Promise<NodeProcess> => {
    const c = startCorrelator(correlatorEnv);
    correlators.push(c);
    await c.waitForOutput(/correlator started: standing for correlation leader; metrics at /);
    return c;
  };

  beforeAll(async () => {
    const DATABASE_URL = await freshDatabase('correlator');
    const env = { DATABASE_URL, CORRELATION_LEASE_MS: '3000' };
    stack = await startStack({ env: { ...env, CORRELATION_ENABLED: 'false' } });
    correlatorEnv = {
      ...env,
      REDIS_URL: stack.config.REDIS_URL,
      QUEUE_PREFIX: stack.config.QUEUE_PREFIX,
      MIGRATE_ON_START: 'false',
      CORRELATOR_METRICS_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    };
  });
  afterAll(async () => {
    for (const c of correlators) await c.stop();
    await stack?.close();
  });

  it('a worker with CORRELATION_ENABLED=false stores the outage but leaves it to the correlator, which names the shared backend', async () => {
    for (let i = 0; i < 6; i++) await round('pass');
    for (let i = 0; i < 6; i++) await round('fail');
    // Stored, forwarded, and not correlated: the Correlate jobs wait for a correlator.
    await pollUntil(
      () => stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM reports`),
      ([r]) => r.n === 12 * 8,
      { timeoutMs: 20_000, intervalMs: 200, what: 'the reports stored' },
    );
    const depth = await stack.api.get(JobProducer).depth();
    expect(depth[QueueName.Correlation].waiting).toBeGreaterThan(0);
    expect(await incidents()).toEqual([]);

    const first = await correlator();
    await first.waitForOutput(/became correlation leader/);
    const [incident] = await openOn('an incident naming the shared database');
    expect(incident.rootCauses[0].key).toBe(backend);
    expect([...incident.affected.services].sort()).toEqual([...services].sort());

    const metrics = await fetch(
      `http://127.0.0.1:${correlatorEnv.CORRELATOR_METRICS_PORT}/metrics`,
      { signal: AbortSignal.timeout(5_000) },
    );
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^faultline_process_cpu_seconds_total /m);
  }, 90_000);

  it('a correlator killed outright is replaced by another, which keeps the incident (same id) and goes on correlating', async () => {
    const [before] = (await incidents()).filter((i) => i.status === 'open');
    expect(before?.rootCauses[0].key).toBe(backend);
    const [first] = correlators;
    await first.kill('SIGKILL');

    const second = await correlator();
    // The killed leader's lease runs out (3 s), then the second rebuilds from Postgres.
    await second.waitForOutput(/engine rebuilt from \d+ stored reports; 1 incidents open/, 20_000);
    // A fifth service loses the same database: only a running engine can add it.
    const latecomer = `${p}-cart`;
    for (let i = 0; i < 4; i++) await round('fail', [...services, latecomer]);
    const after = await openOn('the incident with the fifth service', (i) =>
      i.affected.services.includes(latecomer),
    );
    expect(after.map((i) => ({ id: i.id, top: i.rootCauses[0].key }))).toEqual([
      { id: before.id, top: backend },
    ]);
    expect(second.running).toBe(true);
  }, 90_000);
});
