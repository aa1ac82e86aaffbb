import type { Report } from '@faultline/reports';
import { buildScenario, percentile, playScenario, toNativeReport } from '@faultline/simulator';

import type { ApiClient, ApiIncident } from './api-client';
import { sleep } from './poll-until';

export interface LagFigures {
  instances: number;
  reportsPerSecond: number;
  /** Dependents whose first failing report reached the incident, and the lag of each (ms). */
  samples: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  /** From accepting the request whose reports made the incident significant to seeing it open. */
  openLagMs: number | null;
  rootOnTop: string | null;
  missed: number;
}

const POST_EVERY_MS = 100;
const PROBE_EVERY_MS = 50;
/** How long after the fault starts the phase keeps going. */
const FAULT_WATCH_MS = 45_000;

/**
 * Wall-clock lag at full size, in real time: a simulated fleet of ~5,000 instances reporting
 * every 10 s is posted as its reports fall due (a request every 100 ms, observedAt = now), then
 * one of its backends fails. For every dependent, the lag is from the 202 of the request that
 * carried its first failing report to the moment GET /api/v1/incidents/:id lists it (probed
 * every 50 ms, so a sample is late by up to 50 ms). Dependents that fail before the incident
 * can open are left out: they wait for evidence in event time (detection delay, measured
 * apart), not for the pipeline; the request that made the incident significant is timed as
 * `openLagMs` instead.
 */
export async function measureLag(api: ApiClient, seed: number): Promise<LagFigures> {
  const scenario = buildScenario({
    faultClass: 'backend-down',
    seed,
    instances: 5000,
    warmupMs: 30_000,
  });
  const fault = scenario.faults[0];
  const rootKey = fault.rootKey;
  const stopAt = fault.startAt + FAULT_WATCH_MS;
  const events: { at: number; report: Report }[] = [];
  const aliases: { targetKey: string; servedBy: string }[] = [];
  playScenario({ ...scenario, endAt: stopAt }, (e) => {
    if (e.kind === 'report') events.push({ at: e.report.receivedAt, report: e.report });
    else if (e.kind === 'alias') aliases.push(e);
  });
  for (const a of aliases)
    await api.call('PUT', '/api/v1/aliases', {
      target: a.targetKey.slice('backend:'.length),
      servedBy: a.servedBy,
    });

  const shift = Date.now() + 1_000 - scenario.startAt;
  const firstFailAccepted = new Map<string, number>();
  const batches: { acceptedAt: number; newestEventAt: number }[] = [];
  const seen = new Map<string, number>();
  let incident: ApiIncident | null = null;
  let visibleAt: number | null = null;
  let posting = true;

  const allSeen = () => [...firstFailAccepted.keys()].every((k) => seen.has(k));
  const probe = async () => {
    while (posting || !allSeen()) {
      await sleep(PROBE_EVERY_MS);
      if (incident === null) {
        const list = await api.call<{ items: ApiIncident[] }>(
          'GET',
          `/api/v1/incidents?status=open&key=${encodeURIComponent(rootKey)}`,
        );
        incident = list.json.items[0] ?? null;
        if (incident === null) continue;
        visibleAt = Date.now();
      }
      const detail = await api.call<ApiIncident>(
        'GET',
        `/api/v1/incidents/${encodeURIComponent(incident.id)}`,
      );
      const now = Date.now();
      for (const key of detail.json.affected.instanceKeys ?? [])
        if (!seen.has(key)) seen.set(key, now);
      if (!posting && now - batches[batches.length - 1].acceptedAt > 15_000) break;
    }
  };
  const probing = probe();

  let next = 0;
  const started = Date.now();
  while (next < events.length) {
    const now = Date.now();
    const due: object[] = [];
    const failing: string[] = [];
    let newest = -Infinity;
    for (; next < events.length && events[next].at + shift <= now; next++) {
      const r = events[next].report;
      due.push(toNativeReport(r, '', shift));
      newest = Math.max(newest, r.observedAt + shift);
      if (
        r.observedAt >= fault.startAt &&
        r.checks.some((c) => c.targetKey === rootKey && c.status === 'fail')
      )
        failing.push(`instance:${r.service}/${r.instance}`);
    }
    if (due.length > 0) {
      await api.postReports(due);
      const acceptedAt = Date.now();
      batches.push({ acceptedAt, newestEventAt: newest });
      for (const key of failing)
        if (!firstFailAccepted.has(key)) firstFailAccepted.set(key, acceptedAt);
    }
    await sleep(Math.max(0, POST_EVERY_MS - (Date.now() - now)));
  }
  const seconds = (Date.now() - started) / 1000;
  posting = false;
  await probing;

  const found = incident as ApiIncident | null;
  const openedAt = found ? Date.parse(found.openedAt) : null;
  const opener = openedAt === null ? undefined : batches.find((b) => b.newestEventAt >= openedAt);
  const lags: number[] = [];
  let missed = 0;
  for (const [key, acceptedAt] of firstFailAccepted) {
    const at = seen.get(key);
    if (at === undefined) missed++;
    else if (visibleAt !== null && acceptedAt > visibleAt) lags.push(at - acceptedAt);
  }
  lags.sort((a, b) => a - b);
  return {
    instances: scenario.topology.instances.size,
    reportsPerSecond: Math.round(events.length / seconds),
    samples: lags.length,
    p50Ms: percentile(lags, 0.5),
    p95Ms: percentile(lags, 0.95),
    maxMs: lags.length ? lags[lags.length - 1] : null,
    openLagMs: opener && visibleAt !== null ? visibleAt - opener.acceptedAt : null,
    rootOnTop: found ? (found.rootCauses[0]?.key ?? null) : null,
    missed,
  };
}
