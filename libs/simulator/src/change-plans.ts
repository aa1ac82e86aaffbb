import type { Change } from '@faultline/changes';
import { serviceKey } from '@faultline/reports';

import { Prng } from './prng';
import type {
  Fault,
  PlannedChange,
  PlannedFault,
  ScenarioSpec,
  SimService,
  SimTopology,
} from './scenario.model';

/** Decoys start this long before the scenario: a change that old still bears on its first minutes. */
export const DECOY_LOOKBACK_MS = 15 * 60_000;

const change = (over: Partial<Change> & Pick<Change, 'id' | 'entity' | 'kind'>): Change => ({
  status: 'started',
  startedAt: 0,
  finishedAt: null,
  source: 'ci',
  version: null,
  summary: '',
  links: [],
  labels: {},
  ...over,
});

const semver = (rng: Prng): string => `v${rng.int(1, 4)}.${rng.int(0, 20)}.${rng.int(0, 9)}`;

/**
 * bad-deploy: a service is deployed at `start`, and 20-60 s later (its rollout) it breaks for
 * 120-150 s: odd seed ('broken-call') every instance fails its check of one backend that the
 * service's other dependents still reach, so its endpoint fails its callers; even seed (or no such
 * call: 'crash') every instance reports itself down. The deploy is posted as started, then
 * succeeded (the pipeline saw nothing wrong); 10-20 s before the end a rollback starts (a change
 * of its own) and the deploy becomes rolled-back; the service recovers at the end. A service that
 * others call is preferred, so that its dependents fail too. Root: the service, with the deploy.
 */
export function planBadDeploy(
  topo: SimTopology,
  rng: Prng,
  start: number,
  duration: number,
  seed: number,
  changes: PlannedChange[],
): PlannedFault[] {
  const services = [...topo.services.values()];
  const called = services.filter(
    (s) => (topo.backends.get(s.endpoint)?.dependents.length ?? 0) > 0,
  );
  const svc = rng.pick(called.length > 0 ? called : services);
  const calls = svc.deps.filter((d) => {
    const b = topo.backends.get(d.key);
    return d.service === null && b?.server != null && othersOf(b.dependents, svc) >= 3;
  });
  const breakAt = start + rng.int(20_000, 60_000);
  const endAt = breakAt + duration;
  const variant = seed % 2 === 1 && calls.length > 0 ? 'broken-call' : 'crash';
  const fault: Fault =
    variant === 'crash'
      ? { kind: 'service-broken', service: svc.name }
      : { kind: 'service-link', service: svc.name, backend: rng.pick(calls).key };
  const id = `sim-${seed}-deploy-${svc.name}`;
  const run = rng.int(1000, 9000);
  const version = semver(rng);
  const doneAt = start + rng.int(60_000, 90_000);
  const rollbackAt = endAt - rng.int(10_000, 20_000);
  const entity = serviceKey(svc.name);
  changes.push(
    {
      change: change({
        id,
        entity,
        kind: 'deploy',
        startedAt: start,
        version,
        summary: `CI run ${run}`,
      }),
      updates: [
        { at: doneAt, status: 'succeeded', finishedAt: doneAt },
        { at: rollbackAt, status: 'rolled-back', finishedAt: doneAt },
      ],
      decoy: false,
    },
    {
      change: change({
        id: `${id}-rollback`,
        entity,
        kind: 'deploy',
        startedAt: rollbackAt,
        version: semver(rng),
        summary: `CI run ${run + 1}: roll back ${version}`,
      }),
      updates: [{ at: endAt, status: 'succeeded', finishedAt: endAt }],
      decoy: false,
    },
  );
  return [{ id: 'f1', fault, rootKey: entity, startAt: breakAt, endAt, variant, change: id }];
}

/**
 * bad-config: a broker, database or cache (with 3+ dependents) is reconfigured at `start`, and
 * 5-30 s later it refuses its dependents for 120-150 s while its server reports itself well; a
 * revert (a change of its own) starts 5-15 s before the end. Root: the backend, with the change.
 */
export function planBadConfig(
  topo: SimTopology,
  rng: Prng,
  start: number,
  duration: number,
  seed: number,
  changes: PlannedChange[],
): PlannedFault[] {
  const served = [...topo.backends.values()].filter(
    (b) => b.server !== null && b.dependents.length >= 3,
  );
  const b = rng.pick(served);
  const breakAt = start + rng.int(5_000, 30_000);
  const endAt = breakAt + duration;
  const id = `sim-${seed}-config-${rng.int(100, 999)}`;
  const n = rng.int(10, 98);
  const source = rng.pick(['ansible', 'terraform', 'ci']);
  changes.push(
    {
      change: change({
        id,
        entity: b.key,
        kind: 'config',
        status: 'succeeded',
        startedAt: start,
        finishedAt: start + 2_000,
        source,
        version: `v${n}`,
        summary: rng.pick([
          'max_connections lowered',
          'TLS required of clients',
          'credentials rotated',
        ]),
      }),
      updates: [],
      decoy: false,
    },
    {
      change: change({
        id: `${id}-revert`,
        entity: b.key,
        kind: 'config',
        status: 'succeeded',
        startedAt: endAt - rng.int(5_000, 15_000),
        finishedAt: endAt,
        source,
        version: `v${n + 1}`,
        summary: `revert v${n}`,
      }),
      updates: [],
      decoy: false,
    },
  );
  return [
    {
      id: 'f1',
      fault: { kind: 'backend-refuses', backend: b.key },
      rootKey: b.key,
      startAt: breakAt,
      endAt,
      change: id,
    },
  ];
}

/**
 * Decoys: unrelated deploys of application services at random times (a Poisson process of
 * `decoyChangesPerHour`), from DECOY_LOOKBACK_MS before `from` to `to`, each posted as started
 * and 30-120 s later as succeeded. Unrelated: never the service a fault is rooted in (its own
 * service, its instance's service, a deployed service), which a deploy of it would explain.
 * Drawn from their own random stream: a scenario with decoys plays the same reports as without.
 */
export function planDecoys(
  spec: ScenarioSpec,
  topo: SimTopology,
  faults: readonly PlannedFault[],
  from: number,
  to: number,
): PlannedChange[] {
  const rate = spec.decoyChangesPerHour ?? 0;
  if (!(rate > 0)) return [];
  const rng = new Prng(spec.seed).fork('decoys');
  const related = new Set<string>();
  for (const f of faults) {
    if ('service' in f.fault) related.add(f.fault.service);
    if (f.fault.kind === 'instance-link')
      related.add(topo.instances.get(f.fault.instance)?.service ?? '');
    if (f.rootKey.startsWith('service:')) related.add(f.rootKey.slice('service:'.length));
    if (f.rootKey.startsWith('instance:'))
      related.add(topo.instances.get(f.rootKey)?.service ?? '');
  }
  const pool = [...topo.services.keys()].filter((s) => !related.has(s));
  if (pool.length === 0) return [];
  const mean = 3_600_000 / rate;
  const gap = () => -Math.log(1 - rng.next()) * mean;
  const out: PlannedChange[] = [];
  for (let t = from - DECOY_LOOKBACK_MS + gap(), i = 1; t < to; t += gap(), i++) {
    const at = Math.round(t);
    const doneAt = at + rng.int(30_000, 120_000);
    out.push({
      change: change({
        id: `sim-${spec.seed}-decoy-${i}`,
        entity: serviceKey(rng.pick(pool)),
        kind: 'deploy',
        startedAt: at,
        version: semver(rng),
        summary: `CI run ${rng.int(1000, 9999)}`,
      }),
      updates: [{ at: doneAt, status: 'succeeded', finishedAt: doneAt }],
      decoy: true,
    });
  }
  return out;
}

function othersOf(dependents: readonly string[], svc: SimService): number {
  const own = new Set(svc.instances);
  return dependents.filter((d) => !own.has(d)).length;
}
