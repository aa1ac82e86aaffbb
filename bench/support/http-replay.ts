import { QueueName } from '@faultline/platform';
import type { Report } from '@faultline/reports';
import {
  deliverOutOfOrder,
  type EngineEventLike,
  type GroundTruth,
  NaiveBaseline,
  playScenario,
  type Scenario,
  type ScoredIncidentChange,
  toNativeReport,
} from '@faultline/simulator';
import { Queue } from 'bullmq';

import type { ApiClient, ApiIncident } from './api-client';
import { pollUntil, sleep } from './poll-until';

/** Reports posted per request: the scenario's reports of this much event time. */
const BATCH_EVENT_MS = 5_000;

export interface ReplayResult {
  truths: GroundTruth[];
  /** Our incidents as read back from the API, as scored changes in the scenario's own time. */
  ours: ScoredIncidentChange[];
  /** Event time (the scenario's) each resolved incident of ours resolved at, by id. */
  resolvedAt: Map<string, number>;
  /** The naive baseline, fed the same events in-process. */
  naive: ScoredIncidentChange[];
  reports: number;
}

/**
 * Stops the stack's worker(s) once the replay has posted the reports of event time `at`, and
 * starts them again after the replay posted everything (the api accepts on meanwhile).
 */
export interface WorkerPause {
  /** Scenario event time (before the shift) from which the worker is down. */
  at: number;
  stop(): Promise<void>;
  /** Called once every report is posted; returns when the worker(s) run again. */
  resume(): Promise<void>;
}

/**
 * Plays one scenario through the real HTTP API of a fresh stack (aliases by PUT /api/v1/aliases,
 * reports by POST /api/v1/reports in arrival order, one request per 5 s of event time), waits
 * until ingest and correlation have nothing left, then reads every incident back through
 * GET /api/v1/incidents and /:id. Event time is shifted to end before now (the api refuses the
 * future), and shifted back when scoring. With `pause`, the worker is stopped from that point of
 * event time until every report is posted (see WorkerPause).
 */
export async function replayOverHttp(
  api: ApiClient,
  scenario: Scenario,
  queues: QueueProbe,
  options: { pause?: WorkerPause } = {},
): Promise<ReplayResult> {
  const { shift, events, truths, naive } = prepare(scenario);
  const pause = options.pause;
  let paused = false;
  let batch: object[] = [];
  let reports = 0;
  let flushedAt = -Infinity;
  // Change events (deploys, ...) are not replayed over HTTP yet: only reports and aliases.
  for (const e of events) {
    if (e.kind === 'alias') {
      await putAlias(api, e);
    } else if (e.kind === 'report') {
      batch.push(toNativeReport(e.report, '', shift));
      reports++;
    } else if (e.kind === 'tick' && e.at - flushedAt >= BATCH_EVENT_MS && batch.length > 0) {
      await api.postReports(batch);
      batch = [];
      flushedAt = e.at;
    }
    if (pause && !paused && e.kind === 'tick' && e.at >= pause.at) {
      paused = true;
      await pause.stop();
    }
  }
  if (batch.length > 0) await api.postReports(batch);
  if (pause) {
    if (!paused) await pause.stop();
    await pause.resume();
  }
  await settled(queues);
  return { truths, ...(await readIncidents(api, shift)), naive, reports };
}

// After the queues drain, the correlator's clock still catches up: the last reports' arrival
// grace runs out and, the stream idle for 5 s, the allowed lateness is waived (EventTimeFeed),
// on its clock ticking every second.
const SETTLE_MS = 7_000;

async function settled(queues: QueueProbe): Promise<void> {
  await queues.drained();
  await sleep(SETTLE_MS);
}

export interface LaneOptions {
  /** Concurrent posting lanes; an instance always posts through the same one. Default 8. */
  lanes?: number;
  /** How far apart (event time) reports of different instances may arrive. Default 60 s. */
  maxSkewMs?: number;
  /** Seeds the delivery order (deliverOutOfOrder). */
  seed: number;
}

/** Event time a lane's request may span, and the stream clock between two rounds of requests. */
const LANE_REQUEST_EVENT_MS = 10_000;

/**
 * Plays one scenario as parallel ingest meets it: the stream is re-ordered by deliverOutOfOrder
 * (each report held back up to maxSkewMs of event time, seeded; every instance's reports keep
 * their order), then posted at full speed through `lanes` concurrent lanes, each instance always
 * on the lane its service/instance hashes to. Every 10 s of the stream's clock, each lane posts
 * what was released to it since, in order, in requests spanning at most 10 s of event time
 * (observedAt); the lanes' requests of one round run concurrently, and the next round starts when
 * all are answered. Reports of different instances thus arrive up to maxSkewMs apart in event
 * time. Then waits for the queues and reads the incidents back, as replayOverHttp does.
 */
export async function replayInLanes(
  api: ApiClient,
  scenario: Scenario,
  queues: QueueProbe,
  options: LaneOptions,
): Promise<ReplayResult> {
  const { shift, events, truths, naive } = prepare(scenario);
  const lanes = options.lanes ?? 8;
  const stream = deliverOutOfOrder(events, {
    maxSkewMs: options.maxSkewMs ?? 60_000,
    seed: options.seed,
  });
  let pending: Report[][] = Array.from({ length: lanes }, () => []);
  let held = 0;
  let reports = 0;
  let flushedAt = -Infinity;
  const round = async () => {
    const due = pending;
    pending = Array.from({ length: lanes }, () => []);
    held = 0;
    await Promise.all(
      due.map(async (lane) => {
        for (const request of splitBySpan(lane, LANE_REQUEST_EVENT_MS))
          await api.postReports(request.map((r) => toNativeReport(r, '', shift)));
      }),
    );
  };
  for (const e of stream) {
    if (e.kind === 'alias') {
      if (held > 0) await round();
      await putAlias(api, e);
    } else if (e.kind === 'report') {
      pending[laneOf(`${e.report.service}/${e.report.instance}`, lanes)].push(e.report);
      held++;
      reports++;
    } else if (e.kind === 'tick' && e.at - flushedAt >= LANE_REQUEST_EVENT_MS && held > 0) {
      await round();
      flushedAt = e.at;
    }
  }
  if (held > 0) await round();
  await settled(queues);
  return { truths, ...(await readIncidents(api, shift)), naive, reports };
}

/** Consecutive runs of reports whose observedAt spans at most `spanMs`, in the given order. */
function splitBySpan(reports: readonly Report[], spanMs: number): Report[][] {
  const out: Report[][] = [];
  let current: Report[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of reports) {
    const nextLo = Math.min(lo, r.observedAt);
    const nextHi = Math.max(hi, r.observedAt);
    if (current.length > 0 && nextHi - nextLo > spanMs) {
      out.push(current);
      current = [];
      lo = hi = r.observedAt;
    } else [lo, hi] = [nextLo, nextHi];
    current.push(r);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** FNV-1a of the instance's service/instance, onto one of `lanes`. */
function laneOf(instance: string, lanes: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < instance.length; i++) h = Math.imul(h ^ instance.charCodeAt(i), 0x01000193);
  return (h >>> 0) % lanes;
}

/** Plays the scenario in-process: its events, ground truth, the naive baseline and the shift. */
function prepare(scenario: Scenario) {
  const shift = Date.now() - 60_000 - scenario.endAt;
  const naiveBaseline = new NaiveBaseline();
  const naive: ScoredIncidentChange[] = [];
  const events: EngineEventLike[] = [];
  const truths = playScenario(scenario, (e) => {
    events.push(e);
    for (const c of naiveBaseline.apply(e)) naive.push(c);
  });
  return { shift, events, truths, naive };
}

async function putAlias(
  api: ApiClient,
  e: Extract<EngineEventLike, { kind: 'alias' }>,
): Promise<void> {
  const res = await api.call('PUT', '/api/v1/aliases', {
    target: e.targetKey.slice('backend:'.length),
    servedBy: e.servedBy,
  });
  if (res.status !== 200) throw new Error(`PUT /api/v1/aliases answered ${res.status}`);
}

/**
 * Every incident through the API, as the changes the scorer reads: one per timeline entry where a
 * cause became first (so detection is dated by the engine's own event time), then the final state.
 */
async function readIncidents(
  api: ApiClient,
  shift: number,
): Promise<{ ours: ScoredIncidentChange[]; resolvedAt: Map<string, number> }> {
  const list = await api.call<{ items: ApiIncident[] }>(
    'GET',
    '/api/v1/incidents?status=all&limit=500',
  );
  if (list.status !== 200) throw new Error(`GET /api/v1/incidents answered ${list.status}`);
  const changes: ScoredIncidentChange[] = [];
  const resolvedAt = new Map<string, number>();
  for (const summary of list.json.items) {
    const res = await api.call<ApiIncident>(
      'GET',
      `/api/v1/incidents/${encodeURIComponent(summary.id)}`,
    );
    if (res.status !== 200)
      throw new Error(`GET /api/v1/incidents/${summary.id} answered ${res.status}`);
    const inc = res.json as ApiIncident & { resolvedAt?: string | null };
    if (inc.resolvedAt) resolvedAt.set(inc.id, Date.parse(inc.resolvedAt) - shift);
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
  return { ours: changes, resolvedAt };
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
