import type { Report } from '@faultline/reports';

import {
  type CheckState,
  instanceId,
  type InstanceState,
  type StoredState,
  type Transition,
} from './state.model';

/** What one batch of reports changes: rows to write and transitions to record. */
export interface StatePlan {
  /** Every instance that applied at least one report, with its new state. */
  instances: InstanceState[];
  /** Check rows that are new or whose status or target changed; nothing else is rewritten. */
  checks: CheckState[];
  transitions: Transition[];
  /** Instances replayed because of late reports: their transitions from `from` on are replaced. */
  replayed: { service: string; instance: string; from: number }[];
  /** Reports older than their instance's watermark (applied by replay when one was given). */
  late: number;
}

/**
 * The input of a replay: an instance received reports older than its watermark, so its
 * timeline from the oldest of them on is recomputed from what is stored.
 */
export interface InstanceReplay {
  from: number;
  /** Every stored report of the instance observed at or after `from` (this batch's included). */
  reports: Report[];
  /** Its check states as they were just before `from`, by check name. */
  baseline: Map<string, CheckState>;
  /**
   * The replay bound: late reports older than this are stored as history only (they change no
   * state and no transition). Absent: unbounded.
   */
  floor?: number;
}

// The learned interval moves a fifth of the way towards each new gap, and a gap counts at
// most four times the current estimate, so one outage does not teach "reports every hour".
const INTERVAL_WEIGHT = 0.2;
const INTERVAL_CLAMP = 4;

/** Per instance, the event time of its oldest report at or before its watermark. */
export function lateStarts(
  reports: readonly Report[],
  state: ReadonlyMap<string, StoredState>,
): Map<string, number> {
  const starts = new Map<string, number>();
  for (const r of reports) {
    const id = instanceId(r.service, r.instance);
    const current = state.get(id)?.instance;
    if (current && r.observedAt <= current.lastSeenAt)
      starts.set(id, Math.min(starts.get(id) ?? Infinity, r.observedAt));
  }
  return starts;
}

/**
 * Applies new reports to the current state, in event time.
 *
 * Contract: `reports` are reports not seen before (duplicates already removed); `state` holds
 * the current state of every instance they name, with its checks (a newly created instance has
 * lastSeenAt = -Infinity and no checks).
 * Reports after an instance's watermark are applied in observedAt order. A report at or before
 * it is late: without a replay for its instance it changes nothing (an older report never
 * overwrites newer state); with one, the instance's timeline from the late report on is
 * recomputed, so transitions come out as if every report had arrived in order.
 * Pure: same input, same output. O(r log r + c) for r reports with c checks in all.
 */
export function planStateChanges(
  reports: readonly Report[],
  state: ReadonlyMap<string, StoredState>,
  replays: ReadonlyMap<string, InstanceReplay> = new Map(),
): StatePlan {
  const byInstance = new Map<string, Report[]>();
  for (const r of reports) {
    const id = instanceId(r.service, r.instance);
    const list = byInstance.get(id);
    if (list) list.push(r);
    else byInstance.set(id, [r]);
  }
  const plan: StatePlan = { instances: [], checks: [], transitions: [], replayed: [], late: 0 };
  for (const [id, own] of byInstance) {
    const stored = state.get(id);
    if (!stored)
      throw new Error(`no state loaded for instance ${own[0].service}/${own[0].instance}`);
    const current = stored.instance;
    const replay = replays.get(id);
    const late = own.filter((r) => r.observedAt <= current.lastSeenAt);
    plan.late += late.length;
    // Late reports beyond the replay's floor are history only: without one inside it, the
    // instance goes on as if no late report had come.
    const replayable = replay && late.filter((r) => r.observedAt >= (replay.floor ?? -Infinity));
    if (replay && replayable && replayable.length > 0) {
      const from = replayable.reduce((m, r) => Math.min(m, r.observedAt), Infinity);
      applyReplay(current, startAt(replay, from), plan);
      continue;
    }
    const inOrder = own
      .filter((r) => r.observedAt > current.lastSeenAt)
      .sort((a, b) => a.observedAt - b.observedAt);
    if (inOrder.length === 0) continue;
    const { states, transitions } = applyReports(inOrder, (name) => stored.checks.get(name));
    plan.instances.push(inOrder.reduce(advanceInstance, current));
    plan.checks.push(...states.values());
    plan.transitions.push(...transitions);
  }
  return plan;
}

/**
 * The replay from `from` (at or after `replay.from`): the stored reports before it advance the
 * baseline (what was recorded of them stays), the rest are replayed.
 */
function startAt(replay: InstanceReplay, from: number): InstanceReplay {
  if (from <= replay.from) return replay;
  const ordered = [...replay.reports].sort((a, b) => a.observedAt - b.observedAt);
  const before = ordered.filter((r) => r.observedAt < from);
  const { states } = applyReports(before, (name) => replay.baseline.get(name));
  return {
    from,
    reports: ordered.filter((r) => r.observedAt >= from),
    baseline: new Map([...replay.baseline, ...states]),
    floor: replay.floor,
  };
}

/** Replays an instance's stored reports from `replay.from` on, over its baseline. */
function applyReplay(current: InstanceState, replay: InstanceReplay, plan: StatePlan): void {
  const ordered = [...replay.reports].sort((a, b) => a.observedAt - b.observedAt);
  const { states, transitions } = applyReports(ordered, (name) => replay.baseline.get(name));
  const newest = ordered[ordered.length - 1];
  const oldest = ordered[0];
  plan.instances.push({
    ...current,
    host: newest.host,
    zone: newest.labels.zone ?? null,
    labels: newest.labels,
    status: newest.status,
    firstSeenAt: Math.min(current.firstSeenAt, oldest.observedAt),
    lastSeenAt: Math.max(current.lastSeenAt, newest.observedAt),
    lastReceivedAt: Math.max(current.lastReceivedAt, ...ordered.map((r) => r.receivedAt)),
  });
  plan.checks.push(...states.values());
  plan.transitions.push(...transitions);
  plan.replayed.push({ service: current.service, instance: current.name, from: replay.from });
}

/** Walks reports in order from the given check states; returns the changed states and transitions. */
function applyReports(
  ordered: readonly Report[],
  previous: (check: string) => CheckState | undefined,
): { states: Map<string, CheckState>; transitions: Transition[] } {
  const states = new Map<string, CheckState>();
  const transitions: Transition[] = [];
  for (const report of ordered) {
    for (const check of report.checks) {
      const before = states.get(check.name) ?? previous(check.name);
      if (
        before &&
        before.status === check.status &&
        before.backendKey === check.targetKey &&
        before.target === check.target
      )
        continue;
      states.set(check.name, {
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
  return { states, transitions };
}

function advanceInstance(current: InstanceState, report: Report): InstanceState {
  const isNew = current.lastSeenAt === -Infinity;
  let intervalMs = current.intervalMs;
  // An event (an alert) has no rhythm to learn: its instance is never stale.
  if (!isNew && report.periodic !== false) {
    const gap = report.observedAt - current.lastSeenAt;
    intervalMs =
      intervalMs === null
        ? gap
        : Math.round(
            intervalMs +
              INTERVAL_WEIGHT *
                (Math.min(Math.max(gap, intervalMs / INTERVAL_CLAMP), intervalMs * INTERVAL_CLAMP) -
                  intervalMs),
          );
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
