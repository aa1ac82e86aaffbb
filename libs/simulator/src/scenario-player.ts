import type { Change } from '@faultline/changes';
import { type Check, parseTarget, type Report, worstStatus } from '@faultline/reports';

import type { EngineEventLike } from './engine-event';
import { Prng } from './prng';
import type { Fault, GroundTruth, PlannedFault, Scenario, SimInstance } from './scenario.model';
import { World } from './world';

const TICK_MS = 1_000;
const JITTER_MS = 400;
const DEFAULT_FLAP_RATE = 0.005;

interface Due {
  at: number;
  order: number;
  inst?: SimInstance;
  report?: Report;
}

/**
 * Plays a scenario as the engine would receive it: alias events first, then native reports in
 * arrival order with a tick every second of event time, and returns the ground truth.
 *
 * Each instance reports every interval ± 0.4 s from its phase; an unheard instance (host or zone
 * down, or the intake cut) sends nothing; every check (targeted or not) fails by chance with
 * probability flapRate at each report, independently (background flaps). A check fails for real
 * when the World under the faults active at that instant says so, and warns ("slow: 2300 ms")
 * when the World says its backend is slow. A fault with stages is active only inside them, each
 * stage as its own fault. A fault's ground truth records every instance whose report it changed
 * and its first evidence: the earliest failing (or warning) report it caused, or for a silenced
 * instance its last report + 3 intervals. Reports of a fault's `late` instances inside its late
 * window are delivered (receivedAt) that much later, out of observedAt order. The scenario's
 * changes are posted as change events at their start (those that began before the scenario, at
 * its start, after the aliases), and again at each update (same id, new status), before the
 * reports of the same second.
 * Streams: memory is O(instances), not O(reports). Deterministic in the seed.
 */
export function playScenario(
  scenario: Scenario,
  visit: (event: EngineEventLike) => void,
): GroundTruth[] {
  const { topology: topo, faults, spec } = scenario;
  const rng = new Prng(spec.seed).fork('timeline');
  const flapRate = spec.flapRate ?? DEFAULT_FLAP_RATE;
  const base = new World(topo, []);
  /** Per planned fault, a world per stage (one for a fault without stages). */
  const solo = faults.map((f) => (f.stages ?? [f]).map((s) => new World(topo, [s.fault])));
  const worlds = new Map<string, World>();
  const ledgers = faults.map(() => ({ affected: new Set<string>(), evidenceAt: Infinity }));
  const lastReport = new Map<string, number>();
  const targets = new Map<string, string>();
  const display = (target: string) => {
    let d = targets.get(target);
    if (d === undefined) targets.set(target, (d = parseTarget(target).display));
    return d;
  };

  /** Active faults at t, as [fault index, stage index] (stage 0 for a fault without stages). */
  const worldAt = (t: number): { world: World; active: [number, number][] } => {
    const active: [number, number][] = [];
    faults.forEach((f, i) => {
      const s = stageAt(f, t);
      if (s >= 0) active.push([i, s]);
    });
    const key = active.map(([i, s]) => `${i}.${s}`).join(',');
    let world = worlds.get(key);
    if (!world)
      worlds.set(
        key,
        (world = new World(
          topo,
          active.map(([i, s]) => faultOf(faults[i], s)),
        )),
      );
    return { world, active };
  };
  const blame = (
    active: [number, number][],
    t: number,
    inst: SimInstance,
    caused: (w: World) => boolean,
  ) => {
    for (const [i, s] of active) {
      if (!caused(solo[i][s])) continue;
      ledgers[i].affected.add(inst.key);
      ledgers[i].evidenceAt = Math.min(ledgers[i].evidenceAt, t);
    }
  };

  const reportOf = (inst: SimInstance, t: number): Report | null => {
    const { world, active } = worldAt(t);
    if (!world.heard(inst)) {
      const silentFrom = (lastReport.get(inst.key) ?? t) + 3 * inst.intervalMs;
      blame(active, silentFrom, inst, (w) => !w.heard(inst));
      return null;
    }
    lastReport.set(inst.key, t);
    const checks: Check[] = [];
    for (const dep of inst.deps) {
      const real = world.depFails(inst, dep);
      if (real && !base.depFails(inst, dep)) blame(active, t, inst, (w) => w.depFails(inst, dep));
      const slow = !real && world.depSlow(inst, dep);
      if (slow) blame(active, t, inst, (w) => w.depSlow(inst, dep));
      const fail = real || rng.chance(flapRate);
      if (slow && !fail) {
        const latencyMs = rng.int(1_500, 4_000);
        checks.push({
          name: dep.check,
          target: display(dep.target),
          targetKey: dep.key,
          status: 'warn',
          latencyMs,
          output: `slow: ${latencyMs} ms`,
        });
        continue;
      }
      checks.push({
        name: dep.check,
        target: display(dep.target),
        targetKey: dep.key,
        status: fail ? 'fail' : 'pass',
        latencyMs: fail ? 5000 : rng.int(1, 40),
        output: fail ? 'connection refused' : null,
      });
    }
    const selfDown = world.selfDown(inst);
    if (selfDown) blame(active, t, inst, (w) => w.selfDown(inst));
    const fail = selfDown || rng.chance(flapRate);
    checks.push({
      name: inst.serves ? 'process' : 'disk',
      target: null,
      targetKey: null,
      status: fail ? 'fail' : 'pass',
      latencyMs: null,
      output: fail ? 'unhealthy' : null,
    });
    return {
      id: null,
      service: inst.service,
      instance: inst.name,
      host: inst.host,
      labels: { zone: inst.zone },
      observedAt: t,
      receivedAt: t,
      status: worstStatus(checks.map((c) => c.status)),
      checks,
    };
  };

  for (const a of topo.aliases)
    visit({ kind: 'alias', targetKey: a.targetKey, servedBy: a.servedBy });
  const posts = changePosts(scenario);
  let posted = 0;
  const postUntil = (t: number) => {
    for (; posted < posts.length && posts[posted].at <= t; posted++)
      visit({ kind: 'change', change: posts[posted].change });
  };
  postUntil(scenario.startAt);
  const schedule = new DueQueue();
  let order = 0;
  for (const inst of topo.instances.values())
    schedule.push({ at: scenario.startAt + Math.round(inst.phaseMs), order: order++, inst });
  const delayed = new DueQueue();
  for (let tick = scenario.startAt + TICK_MS; tick <= scenario.endAt; tick += TICK_MS) {
    postUntil(tick);
    for (;;) {
      const next = schedule.peek();
      const late = delayed.peek();
      if (late && late.at <= tick && (!next || next.at > tick || late.at <= next.at)) {
        const d = delayed.pop() as Due;
        visit({ kind: 'report', report: d.report as Report });
        continue;
      }
      if (!next || next.at > tick) break;
      const due = schedule.pop() as Due;
      const inst = due.inst as SimInstance;
      schedule.push({
        at: due.at + inst.intervalMs + rng.int(-JITTER_MS, JITTER_MS),
        order: order++,
        inst,
      });
      const report = reportOf(inst, due.at);
      if (!report) continue;
      const lateBy = lateness(faults, inst, due.at);
      if (lateBy > 0)
        delayed.push({
          at: due.at + lateBy,
          order: order++,
          report: { ...report, receivedAt: due.at + lateBy },
        });
      else visit({ kind: 'report', report });
    }
    visit({ kind: 'tick', at: tick });
  }

  return faults.map((f, i) => ({
    id: f.id,
    faultClass: spec.faultClass,
    rootKey: f.rootKey,
    startAt: f.startAt,
    endAt: f.endAt,
    evidenceAt: Number.isFinite(ledgers[i].evidenceAt) ? ledgers[i].evidenceAt : null,
    affected: [...ledgers[i].affected].sort(),
    ...(f.variant ? { variant: f.variant } : {}),
    ...(f.stages
      ? {
          stages: f.stages.map((st) => ({
            kind: st.fault.kind,
            startAt: st.startAt,
            endAt: st.endAt,
          })),
        }
      : {}),
    ...(f.cycles !== undefined ? { cycles: f.cycles } : {}),
    ...(f.change !== undefined ? { change: f.change } : {}),
  }));
}

/**
 * Every post of the scenario's changes, in time order (ties: plan order, then update order). A
 * change that began before the scenario is posted at its start as it stood then.
 */
function changePosts(scenario: Scenario): { at: number; change: Change }[] {
  const posts: { at: number; order: number; change: Change }[] = [];
  let order = 0;
  for (const planned of scenario.changes ?? []) {
    const firstAt = Math.max(planned.change.startedAt, scenario.startAt);
    let first = planned.change;
    const updates = planned.updates.filter((u) => {
      if (u.at > firstAt) return true;
      first = { ...first, status: u.status, finishedAt: u.finishedAt };
      return false;
    });
    posts.push({ at: firstAt, order: order++, change: first });
    let current = first;
    for (const u of updates) {
      current = { ...current, status: u.status, finishedAt: u.finishedAt };
      posts.push({ at: u.at, order: order++, change: current });
    }
  }
  return posts.sort((a, b) => a.at - b.at || a.order - b.order);
}

/** The index of the stage of `f` active at t (0 for a fault without stages), or -1. */
function stageAt(f: PlannedFault, t: number): number {
  if (t < f.startAt || t >= f.endAt) return -1;
  if (!f.stages) return 0;
  return f.stages.findIndex((s) => s.startAt <= t && t < s.endAt);
}

function faultOf(f: PlannedFault, stage: number): Fault {
  return f.stages ? f.stages[stage].fault : f.fault;
}

function lateness(faults: readonly PlannedFault[], inst: SimInstance, t: number): number {
  for (const f of faults)
    if (
      f.late &&
      f.late.instances.includes(inst.key) &&
      t >= f.startAt &&
      t < f.startAt + f.late.lateByMs
    )
      return f.late.lateByMs;
  return 0;
}

/** A binary min-heap on (at, order): deterministic ties. */
class DueQueue {
  private readonly heap: Due[] = [];

  peek(): Due | undefined {
    return this.heap[0];
  }

  push(d: Due): void {
    const h = this.heap;
    h.push(d);
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!before(d, h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  pop(): Due | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Due, b: Due): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}
