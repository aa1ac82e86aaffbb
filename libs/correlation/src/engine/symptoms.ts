import type { EngineState } from './engine-state';
import type { CheckRec, InstanceRec } from './records';
import type { Resolution } from './root-resolver';

/**
 * One thing currently wrong: a failing check with a target, a check warning about its target (a
 * symptom only where the target is degraded: see RootResolver.backendDegraded), a stale
 * instance, an instance down for its own reasons.
 */
export interface Symptom {
  /** Stable across evaluations: `<instance key>#<check>`, `<instance key>#stale`, `<instance key>#self`. */
  id: string;
  kind: 'check' | 'warn' | 'stale' | 'self';
  inst: InstanceRec;
  check: CheckRec | null;
  /** Evidence in failing reports, capped where it alone is significant; a stale instance weighs the cap. */
  weight: number;
  /** Event time the symptom began. */
  since: number;
  /** For a failing check: how many live checks its target has (the chances for a coincidence). */
  fanIn: number;
}

/** Symptoms sharing a root: one incident's worth of evidence. */
export interface Cluster {
  key: string;
  symptoms: Symptom[];
  weight: number;
  /** Checks the symptoms could have come from: the live checks of their targets, plus self-reports. */
  opportunities: number;
  firstAt: number;
  /** Weight explained through each intermediate entity (the cascade path). */
  via: Map<string, number>;
  /** Weight of failing checks per target backend. */
  targets: Map<string, number>;
  /** Number of failing-check symptoms, in all and per target. */
  checkCount: number;
  targetCounts: Map<string, number>;
}

/** The current symptoms, in a deterministic order (the state's insertion order). O(S). */
export function collectSymptoms(state: EngineState, cap: number): Symptom[] {
  const out: Symptom[] = [];
  for (const check of state.failingChecks) {
    out.push({
      id: check.id,
      kind: 'check',
      inst: check.inst,
      check,
      weight: Math.min(check.run, cap),
      since: check.since,
      fanIn: state.backends.get(check.targetKey as string)?.checks ?? 1,
    });
  }
  for (const check of state.warningChecks) {
    out.push({
      id: check.id,
      kind: 'warn',
      inst: check.inst,
      check,
      weight: Math.min(check.run, cap),
      since: check.since,
      fanIn: state.backends.get(check.targetKey as string)?.checks ?? 1,
    });
  }
  for (const inst of state.staleInstances) {
    out.push({
      id: `${inst.key}#stale`,
      kind: 'stale',
      inst,
      check: null,
      weight: cap,
      since: inst.staleSince,
      fanIn: 1,
    });
  }
  for (const inst of state.selfDownInstances) {
    out.push({
      id: `${inst.key}#self`,
      kind: 'self',
      inst,
      check: null,
      weight: Math.min(inst.selfRun, cap),
      since: inst.selfSince,
      fanIn: 1,
    });
  }
  return out;
}

export function addToCluster(
  clusters: Map<string, Cluster>,
  symptom: Symptom,
  r: Resolution,
): void {
  let c = clusters.get(r.key);
  if (!c)
    clusters.set(
      r.key,
      (c = {
        key: r.key,
        symptoms: [],
        weight: 0,
        opportunities: 0,
        firstAt: Infinity,
        via: new Map(),
        targets: new Map(),
        checkCount: 0,
        targetCounts: new Map(),
      }),
    );
  c.symptoms.push(symptom);
  c.weight += symptom.weight;
  if (symptom.since < c.firstAt) c.firstAt = symptom.since;
  for (const v of r.via) c.via.set(v, (c.via.get(v) ?? 0) + symptom.weight);
  const target = symptom.check?.targetKey;
  if (target) {
    if (!c.targets.has(target)) c.opportunities += symptom.fanIn;
    c.targets.set(target, (c.targets.get(target) ?? 0) + symptom.weight);
    c.targetCounts.set(target, (c.targetCounts.get(target) ?? 0) + 1);
    c.checkCount++;
  } else c.opportunities += 1;
}
