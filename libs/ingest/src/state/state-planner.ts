import type { Report } from '@faultline/reports';
import { type CheckState, checkId, type InstanceState, instanceId, type Transition } from './state.model';

/** What one batch of reports changes: rows to write and transitions to record. */
export interface StatePlan {
  /** Every instance that applied at least one report, with its new state. */
  instances: InstanceState[];
  /** Check rows that are new or whose status or target changed; nothing else is rewritten. */
  checks: CheckState[];
  transitions: Transition[];
  /** Reports older than their instance's watermark: stored as history, not applied to state. */
  late: number;
}

// The learned interval moves a fifth of the way towards each new gap, and a gap counts at
// most four times the current estimate, so one outage does not teach "reports every hour".
const INTERVAL_WEIGHT = 0.2;
const INTERVAL_CLAMP = 4;

/**
 * Applies new reports to the current state, in event time.
 *
 * Contract: `reports` are reports not seen before (duplicates already removed); `instances`
 * holds the current state of every instance they name (a newly created instance has
 * lastSeenAt = -Infinity); `checks` holds the current check states of those instances.
 * Reports are applied per instance in observedAt order; a report at or before the instance's
 * watermark is late and changes nothing, so an older report never overwrites newer state.
 * Pure: same input, same output. O(r log r + c) for r reports with c checks in all.
 */
export function planStateChanges(reports: readonly Report[], instances: ReadonlyMap<string, InstanceState>, checks: ReadonlyMap<string, CheckState>): StatePlan {
  const ordered = [...reports].sort((a, b) => a.observedAt - b.observedAt);
  const nextInstances = new Map<string, InstanceState>();
  const changedChecks = new Map<string, CheckState>();
  const transitions: Transition[] = [];
  let late = 0;

  for (const report of ordered) {
    const id = instanceId(report.service, report.instance);
    const current = nextInstances.get(id) ?? instances.get(id);
    if (!current) throw new Error(`no state loaded for instance ${report.service}/${report.instance}`);
    if (report.observedAt <= current.lastSeenAt) {
      late++;
      continue;
    }
    nextInstances.set(id, advanceInstance(current, report));

    for (const check of report.checks) {
      const cid = checkId(report.service, report.instance, check.name);
      const before = changedChecks.get(cid) ?? checks.get(cid);
      if (before && before.status === check.status && before.backendKey === check.targetKey && before.target === check.target) continue;
      changedChecks.set(cid, {
        service: report.service,
        instance: report.instance,
        name: check.name,
        target: check.target,
        backendKey: check.targetKey,
        status: check.status,
        since: before && before.status === check.status ? before.since : report.observedAt,
        latencyMs: check.latencyMs,
        output: check.output,
      });
      if (!before || before.status !== check.status) {
        transitions.push({
          service: report.service,
          instance: report.instance,
          checkName: check.name,
          backendKey: check.targetKey,
          from: before?.status ?? null,
          to: check.status,
          observedAt: report.observedAt,
          output: check.output,
        });
      }
    }
  }
  return { instances: [...nextInstances.values()], checks: [...changedChecks.values()], transitions, late };
}

function advanceInstance(current: InstanceState, report: Report): InstanceState {
  const isNew = current.lastSeenAt === -Infinity;
  let intervalMs = current.intervalMs;
  if (!isNew) {
    const gap = report.observedAt - current.lastSeenAt;
    intervalMs =
      intervalMs === null
        ? gap
        : Math.round(intervalMs + INTERVAL_WEIGHT * (Math.min(Math.max(gap, intervalMs / INTERVAL_CLAMP), intervalMs * INTERVAL_CLAMP) - intervalMs));
  }
  return {
    service: current.service,
    name: current.name,
    host: report.host,
    zone: report.labels.zone ?? null,
    labels: report.labels,
    status: report.status,
    firstSeenAt: isNew ? report.observedAt : Math.min(current.firstSeenAt, report.observedAt),
    lastSeenAt: report.observedAt,
    lastReceivedAt: Math.max(current.lastReceivedAt, report.receivedAt),
    intervalMs,
  };
}
