import { decodeCorrelationReports } from '@faultline/correlation';
import { JobName, QueueName } from '@faultline/platform';
import type { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Registry } from 'prom-client';

import { createWorkerApp } from '../apps/worker/src/worker.app';
import { pollUntil } from '../bench/support/poll-until';
import { type Stack, startStack, uniqueName } from './support/stack';

/**
 * A worker writes the ingest jobs it holds at once in one transaction. A backlog of small jobs
 * (one report a request) must then cost a few writes, lose nothing, and still give every
 * instance the state and transitions of its reports in event-time order.
 */
describe('merged ingest writes (real api, worker, Postgres, Redis)', () => {
  let stack: Stack;
  let worker: INestApplicationContext | null = null;
  beforeAll(async () => {
    // No worker yet (and no correlation leader): the jobs pile up first.
    stack = await startStack({
      worker: false,
      env: { WORKER_CONCURRENCY: '8', CORRELATION_ENABLED: 'false' },
    });
  });
  afterAll(async () => {
    await worker?.close();
    await stack.close();
  });

  const metric = async (app: INestApplicationContext, name: string): Promise<number> => {
    const text = await app.get(Registry).metrics();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.split(' ')[1]) : 0;
  };

  it('writes a backlog of single-report jobs in a few transactions, with nothing lost', async () => {
    const service = uniqueName('merged');
    const base = Date.now() - 20 * 60_000;
    const instances = 8;
    const rounds = 6;
    // Each instance fails its check on round 2 and recovers on round 4.
    for (let round = 0; round < rounds; round++)
      for (let i = 0; i < instances; i++) {
        const res = await stack.call('POST', '/api/v1/reports', {
          service,
          instance: `${service}-${i}`,
          observedAt: new Date(base + round * 10_000 + i).toISOString(),
          checks: [
            {
              name: 'db',
              target: 'mysql://merged-db:3306',
              status: round === 2 || round === 3 ? 'fail' : 'pass',
            },
          ],
        });
        expect(res.status).toBe(202);
      }
    const posted = instances * rounds;
    const queues = {
      connection: { url: stack.config.REDIS_URL },
      prefix: stack.config.QUEUE_PREFIX,
    };
    const ingest = new Queue(QueueName.Ingest, queues);
    const correlation = new Queue(QueueName.Correlation, queues);
    try {
      const backlog = await ingest.getJobCounts('waiting');
      expect(backlog.waiting).toBeGreaterThanOrEqual(posted / 2); // mostly a job a request

      worker = await createWorkerApp(stack.config);
      await pollUntil(
        async () =>
          Number(
            (
              await stack.sql<{ n: string }>(
                'SELECT count(*) AS n FROM reports WHERE service = $1',
                [service],
              )
            )[0].n,
          ),
        (n) => n === posted,
        { what: `${posted} stored reports` },
      );
      const writes = await metric(worker, 'faultline_ingest_batch_seconds_count');
      expect(writes).toBeLessThan(backlog.waiting);

      const transitions = await stack.sql<{ instance: string; to_status: string }>(
        `SELECT instance, to_status FROM check_transitions WHERE service = $1 ORDER BY instance, observed_at`,
        [service],
      );
      for (let i = 0; i < instances; i++)
        expect(
          transitions.filter((t) => t.instance === `${service}-${i}`).map((t) => t.to_status),
        ).toEqual(['pass', 'fail', 'pass']);

      // Every stored report was handed to correlation, once per merged write.
      const correlate = await correlation.getJobs(['waiting']);
      const forwarded = correlate
        .filter((j) => j.name === String(JobName.Correlate))
        .flatMap((j) => decodeCorrelationReports(j.data.reports))
        .filter((r) => r.service === service);
      expect(forwarded).toHaveLength(posted);
      expect(correlate.length).toBeLessThanOrEqual(writes);
      // The merged jobs' holds on the correlation clock were replaced by one hold per write.
      const redis = new IORedis(stack.config.REDIS_URL);
      const holds = await redis.zcard(`${stack.config.QUEUE_PREFIX}:in-flight`);
      redis.disconnect();
      expect(holds).toBe(correlate.length);
    } finally {
      await ingest.close();
      await correlation.close();
    }
  });
});
