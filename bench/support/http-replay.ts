import { QueueName } from '@faultline/platform';
import {
  type GroundTruth,
  NaiveBaseline,
  playScenario,
  type Scenario,
  type ScoredIncidentChange,
  toNativeReport,
} from '@faultline/simulator';
import { Queue } from 'bullmq';
import type { ApiClient, ApiIncident } from './api-client';
import { pollUntil } from './poll-until';

/** Reports posted per request: the scenario's reports of this much event time. */
const BATCH_EVENT_MS = 5_000;

export interface ReplayResult {
  truths: GroundTruth[];
  /** Our incidents as read back from the API, as scored changes in the scenario's own time. */
  ours: ScoredIncidentChange[];
  /** The naive baseline, fed the same events in-process. */
  naive: ScoredIncidentChange[];
  reports: number;
}

/**
 * Plays one scenario through the real HTTP API of a fresh stack (aliases by PUT /api/v1/aliases,
 * reports by POST /api/v1/reports in arrival order, one request per 5 s of event time), waits
 * until ingest and correlation have nothing left, then reads every incident back through
 * GET /api/v1/incidents and /:id. Event time is shifted to end before now (the api refuses the
 * future), and shifted back when scoring.
 */
export async function replayOverHttp(
  api: ApiClient,
  scenario: Scenario,
  queues: QueueProbe,
): Promise<ReplayResult> {
  const shift = Date.now() - 60_000 - scenario.endAt;
  const naiveBaseline = new NaiveBaseline();
  const naive: ScoredIncidentChange[] = [];
  const events: Parameters<Parameters<typeof playScenario>[1]>[0][] = [];
  const truths = playScenario(scenario, (e) => {
    events.push(e);
    for (const c of naiveBaseline.apply(e)) naive.push(c);
  });
  let batch: object[] = [];
  let reports = 0;
  let flushedAt = -Infinity;
  for (const e of events) {
    if (e.kind === 'alias') {
      const res = await api.call('PUT', '/api/v1/aliases', {
        target: e.targetKey.slice('backend:'.length),
        servedBy: e.servedBy,
      });
      if (res.status !== 200) throw new Error(`PUT /api/v1/aliases answered ${res.status}`);
    } else if (e.kind === 'report') {
      batch.push(toNativeReport(e.report, '', shift));
      reports++;
    } else if (e.at - flushedAt >= BATCH_EVENT_MS && batch.length > 0) {
      await api.postReports(batch);
      batch = [];
      flushedAt = e.at;
    }
  }
  if (batch.length > 0) await api.postReports(batch);
  await queues.drained();
  return { truths, ours: await readIncidents(api, shift), naive, reports };
}

/**
 * Every incident through the API, as the changes the scorer reads: one per timeline entry where a
 * cause became first (so detection is dated by the engine's own event time), then the final state.
 */
async function readIncidents(api: ApiClient, shift: number): Promise<ScoredIncidentChange[]> {
  const list = await api.call<{ items: ApiIncident[] }>(
    'GET',
    '/api/v1/incidents?status=all&limit=500',
  );
  if (list.status !== 200) throw new Error(`GET /api/v1/incidents answered ${list.status}`);
  const changes: ScoredIncidentChange[] = [];
  for (const summary of list.json.items) {
    const res = await api.call<ApiIncident>(
      'GET',
      `/api/v1/incidents/${encodeURIComponent(summary.id)}`,
    );
    if (res.status !== 200)
      throw new Error(`GET /api/v1/incidents/${summary.id} answered ${res.status}`);
    const inc = res.json;
    const incident = {
      id: inc.id,
      status: inc.status,
      openedAt: Date.parse(inc.openedAt) - shift,
      rootCauses: inc.rootCauses.map((c) => ({ key: c.key })),
      affected: { instances: inc.affected.instanceKeys ?? [] },
    };
    for (const entry of inc.timeline ?? []) {
      if (entry.topCause !== undefined)
        changes.push({
          type: 'updated',
          at: Date.parse(entry.at) - shift,
          incident: { ...incident, rootCauses: [{ key: entry.topCause }] },
        });
    }
    changes.push({
      type: inc.status === 'open' ? 'updated' : 'resolved',
      at: Number.MAX_SAFE_INTEGER,
      incident,
    });
  }
  return changes;
}

/** Whether the stack's ingest and correlation queues are empty (BullMQ, the stack's prefix). */
export class QueueProbe {
  private readonly queues: Queue[];

  constructor(redisUrl: string, prefix: string) {
    const url = new URL(redisUrl);
    const connection = { host: url.hostname, port: Number(url.port || 6379) };
    this.queues = [QueueName.Ingest, QueueName.Correlation].map(
      (name) => new Queue(name, { connection, prefix }),
    );
  }

  async drained(timeoutMs = 300_000): Promise<void> {
    await pollUntil(
      async () => {
        for (const q of this.queues) {
          const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          if (c.waiting + c.active + c.delayed + c.prioritized > 0) return null;
        }
        return true;
      },
      (drained) => drained !== null,
      {
        retryErrors: true,
        timeoutMs,
        intervalMs: 100,
        what: 'ingest and correlation queues drained',
      },
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close()));
  }
}
