import { JobProducer, QueueName } from '@faultline/platform';
import type { Report } from '@faultline/reports';
import {
  buildScenario,
  type FaultClass,
  type GroundTruth,
  playScenario,
  prefixKey,
  toNativeReport,
} from '@faultline/simulator';

import { pollUntil } from '../../bench/support/poll-until';
import type { Stack } from './stack';

/**
 * Plays a simulated scenario through the real HTTP API: aliases through PUT /api/v1/aliases,
 * reports through POST /api/v1/reports in arrival order, a request per few seconds of event
 * time. Every name gets a prefix (so scenarios sharing a database never meet) and every time
 * is shifted to start at `startAt`: scenarios played one after another must not overlap in
 * event time, since the engine's watermark only moves forward.
 */
export async function playOverHttp(
  stack: Stack,
  spec: { faultClass: FaultClass; seed: number; instances: number },
  prefix: string,
  startAt: number,
): Promise<{ truths: GroundTruth[]; endAt: number }> {
  const scenario = buildScenario(spec);
  const shift = startAt - scenario.startAt;
  const events: (
    | { kind: 'report'; report: Report }
    | { kind: 'tick'; at: number }
    | { kind: 'alias'; targetKey: string; servedBy: string }
  )[] = [];
  // Changes (bad-deploy, bad-config, decoys) are not played over HTTP here: reports and aliases only.
  const truths = playScenario(scenario, (e) => {
    if (e.kind !== 'change') events.push(e);
  });
  let batch: object[] = [];
  let flushedAt = -Infinity;
  const flush = async () => {
    if (batch.length === 0) return;
    const res = await stack.call('POST', '/api/v1/reports', batch);
    if (res.status !== 202)
      throw new Error(`POST /api/v1/reports answered ${res.status}: ${res.text.slice(0, 300)}`);
    batch = [];
  };
  for (const e of events) {
    if (e.kind === 'alias') {
      const res = await stack.call('PUT', '/api/v1/aliases', {
        target: prefixKey(e.targetKey, prefix),
        servedBy: prefixKey(e.servedBy, prefix),
      });
      if (res.status !== 200)
        throw new Error(`PUT /api/v1/aliases answered ${res.status}: ${res.text}`);
    } else if (e.kind === 'report') {
      batch.push(toNativeReport(e.report, prefix, shift));
    } else if (e.at - flushedAt >= 5000) {
      await flush();
      flushedAt = e.at;
    }
  }
  await flush();
  await drained(stack);
  return {
    truths: truths.map((t) => ({
      ...t,
      rootKey: prefixKey(t.rootKey, prefix),
      affected: t.affected.map((k) => prefixKey(k, prefix)),
    })),
    endAt: scenario.endAt + shift,
  };
}

/** Waits until ingest and correlation have nothing left to do. */
export async function drained(stack: Stack): Promise<void> {
  const producer = stack.api.get(JobProducer);
  await pollUntil(
    () => producer.depth(),
    (d) =>
      [QueueName.Ingest, QueueName.Correlation].every(
        (q) => d[q].waiting + d[q].active + d[q].delayed + (d[q].prioritized ?? 0) === 0,
      ),
    { timeoutMs: 60_000, intervalMs: 200, what: 'ingest and correlation queues drained' },
  );
}
