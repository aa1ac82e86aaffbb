import { hostKey, zoneKey } from '@faultline/reports';
import { Prng } from './prng';
import type {
  FaultClass,
  PlannedFault,
  Scenario,
  ScenarioSpec,
  SimBackend,
  SimTopology,
} from './scenario.model';
import { generateTopology } from './topology-generator';

/** Scenarios start at a fixed instant so that a seed always yields the same timestamps. */
export const SCENARIO_EPOCH = Date.UTC(2026, 10, 25, 10, 0, 0);
const WARMUP_MS = 120_000;
const TAIL_MS = 90_000;

/**
 * Plans one scenario: a topology and the faults of its class, with the ground-truth root of each.
 *
 *   backend-down       a broker, database or cache (with 3+ dependents) fails; its server says so
 *   one-db-of-several  one database of several fails
 *   host-down          an application host of 2+ instances dies: its instances fall silent
 *   cascade            a backend X fails where a service depending on X has callers of its own
 *   instance-local     one instance loses a backend that its other dependents still reach
 *   two-backends       two backends on different hosts fail 0 to 5 s apart
 *   late-evidence      even seed: a backend fails and its own failing reports arrive 15-25 s late;
 *                      odd seed: a host carrying a cache dies (dependents fail before silence shows)
 *   zone-outage        every host of one zone dies
 *   flaps-only         nothing: background flaps only
 * Faults start 120-130 s in by default (after intervals are learned; `warmupMs` shortens it) and last 120-150 s; the scenario ends
 * 90 s after the last fault ends. Deterministic in the seed.
 */
export function buildScenario(spec: ScenarioSpec): Scenario {
  const topology = generateTopology(spec.seed, spec.instances);
  const rng = new Prng(spec.seed).fork(`faults:${spec.faultClass}`);
  const startAt = SCENARIO_EPOCH + (spec.warmupMs ?? WARMUP_MS) + rng.int(0, 10_000);
  const duration = 120_000 + rng.int(0, 30_000);
  const faults = planFaults(spec.faultClass, topology, rng, startAt, duration, spec.seed);
  const endAt =
    faults.length === 0
      ? SCENARIO_EPOCH + 400_000
      : Math.max(...faults.map((f) => f.endAt)) + TAIL_MS;
  return { spec, topology, faults, startAt: SCENARIO_EPOCH, endAt };
}

function planFaults(
  cls: FaultClass,
  topo: SimTopology,
  rng: Prng,
  start: number,
  duration: number,
  seed: number,
): PlannedFault[] {
  const end = start + duration;
  const backendDown = (b: SimBackend, id = 'f1', at = start, variant?: string): PlannedFault => ({
    id,
    fault: { kind: 'backend-down', backend: b.key },
    rootKey: b.key,
    startAt: at,
    endAt: at + duration,
    variant,
  });
  const served = [...topo.backends.values()].filter(
    (b) => b.server !== null && b.dependents.length >= 3,
  );
  switch (cls) {
    case 'backend-down':
      return [backendDown(rng.pick(served))];
    case 'one-db-of-several':
      return [
        backendDown(rng.pick(served.filter((b) => b.kind === 'mysql' || b.kind === 'postgres'))),
      ];
    case 'host-down': {
      const hosts = appHosts(topo).filter(
        (h) => !topo.hosts.get(h)?.instances.some((i) => topo.instances.get(i)?.serves),
      );
      const host = rng.pick(hosts.length > 0 ? hosts : appHosts(topo));
      return [
        {
          id: 'f1',
          fault: { kind: 'host-down', host },
          rootKey: hostKey(host),
          startAt: start,
          endAt: end,
        },
      ];
    }
    case 'cascade': {
      const xs = served.filter((b) => b.kind !== 'redis' && hasCallers(topo, b));
      if (xs.length === 0) return [backendDown(rng.pick(served), 'f1', start, 'no-callers')];
      return [backendDown(rng.pick(xs), 'f1', start, 'cascade')];
    }
    case 'instance-local': {
      const pairs = [...topo.instances.values()].flatMap((inst) =>
        inst.serves !== null || (topo.services.get(inst.service)?.instances.length ?? 0) < 2
          ? []
          : inst.deps
              .filter(
                (d) => d.service === null && (topo.backends.get(d.key)?.server ?? null) !== null,
              )
              .map((d) => ({
                inst,
                dep: d,
                fanIn: topo.backends.get(d.key)?.dependents.length ?? 0,
              })),
      );
      const most = Math.max(...pairs.map((p) => p.fanIn));
      const chosen = rng.pick(pairs.filter((p) => p.fanIn >= Math.min(21, most)));
      return [
        {
          id: 'f1',
          fault: { kind: 'instance-link', instance: chosen.inst.key, backend: chosen.dep.key },
          rootKey: chosen.inst.key,
          startAt: start,
          endAt: end,
        },
      ];
    }
    case 'two-backends': {
      const first = rng.pick(served);
      const hostOf = (b: SimBackend) => topo.instances.get(b.server as string)?.host;
      const second = rng.pick(served.filter((b) => b !== first && hostOf(b) !== hostOf(first)));
      return [backendDown(first, 'f1'), backendDown(second, 'f2', start + rng.int(0, 5_000))];
    }
    case 'late-evidence': {
      if (seed % 2 === 0) {
        const b = rng.pick(served.filter((x) => x.kind !== 'redis'));
        return [
          {
            ...backendDown(b, 'f1', start, 'late-self-report'),
            late: { instances: [b.server as string], lateByMs: rng.int(15_000, 25_000) },
          },
        ];
      }
      const withCache = appHosts(topo).filter((h) =>
        topo.hosts.get(h)?.instances.some((i) => topo.instances.get(i)?.serves),
      );
      const host = rng.pick(withCache);
      return [
        {
          id: 'f1',
          fault: { kind: 'host-down', host },
          rootKey: hostKey(host),
          startAt: start,
          endAt: end,
          variant: 'late-host-silence',
        },
      ];
    }
    case 'zone-outage': {
      const zone = rng.pick(topo.zones);
      return [
        {
          id: 'f1',
          fault: { kind: 'zone-down', zone },
          rootKey: zoneKey(zone),
          startAt: start,
          endAt: end,
        },
      ];
    }
    case 'flaps-only':
      return [];
  }
}

/** Hosts running application instances, two or more of them. */
function appHosts(topo: SimTopology): string[] {
  return [...topo.hosts.values()]
    .filter((h) => h.name.startsWith('node-') && h.instances.length >= 2)
    .map((h) => h.name);
}

/** Whether some service that depends on `b` is itself checked by another service. */
function hasCallers(topo: SimTopology, b: SimBackend): boolean {
  const dependents = new Set(
    [...topo.services.values()]
      .filter((s) => s.deps.some((d) => d.key === b.key))
      .map((s) => s.name),
  );
  return [...topo.services.values()].some((s) =>
    s.deps.some((d) => d.service !== null && dependents.has(d.service)),
  );
}
