import { hostKey, zoneKey } from '@faultline/reports';

import { planBadConfig, planBadDeploy, planDecoys } from './change-plans';
import { Prng } from './prng';
import {
  type Fault,
  type FaultClass,
  type FaultStage,
  INTAKE_KEY,
  type PlannedChange,
  type PlannedFault,
  type Scenario,
  type ScenarioSpec,
  type SimBackend,
  type SimHost,
  type SimInstance,
  type SimTopology,
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
 *   network-partition  odd seed ('zone-partition'): the instances of one zone lose 3-5 backends
 *                      served from other zones, which everyone else still reaches (root: the zone);
 *                      even seed ('zone-only-backend'): one backend is reachable from its own zone
 *                      only (root: the backend)
 *   flapping-cause     a backend goes down for 30-60 s and comes back for 30-90 s, again and again
 *                      for 10 minutes: one truth for the whole episode (first down to last recovery)
 *   degraded-before-down  odd seed ('warn-then-fail'): a backend's dependents warn ("slow: 2300 ms")
 *                      for 60-120 s, then it fails for 120-150 s; even seed ('warn-only'): they warn
 *                      for 3-5 minutes and it never fails. Evidence: the first warning report
 *   everything-silent  the path to Faultline breaks: every instance stops reporting at once for
 *                      2-5 minutes (root: backend:faultline://intake)
 *   host-in-zone       a small zone (az4) of 2-3 application hosts is carved out of the fleet and
 *                      its biggest host dies: half or more of the zone falls silent (root: the host)
 *   bad-deploy         a service is deployed, then breaks (its instances report themselves down,
 *                      or one of its calls fails for it alone) and its callers fail; rolled back
 *                      at the end (root: the service, with the deploy: see change-plans.ts)
 *   bad-config         a backend is reconfigured, then refuses its dependents while its server
 *                      reports well; reverted at the end (root: the backend, with the change)
 * With `decoyChangesPerHour`, unrelated deploys are posted at random times (planDecoys), drawn
 * from their own stream: the reports and faults are the same as without them.
 * Faults start 120-130 s in by default (after intervals are learned; `warmupMs` shortens it) and
 * last 120-150 s unless said otherwise above; the scenario ends 90 s after the last fault ends.
 * Classes draw from their own random streams, so adding a class never changes another's
 * scenarios. Deterministic in the seed.
 */
export function buildScenario(spec: ScenarioSpec): Scenario {
  const topology = generateTopology(spec.seed, spec.instances);
  const rng = new Prng(spec.seed).fork(`faults:${spec.faultClass}`);
  const startAt = SCENARIO_EPOCH + (spec.warmupMs ?? WARMUP_MS) + rng.int(0, 10_000);
  const duration = 120_000 + rng.int(0, 30_000);
  const own: PlannedChange[] = [];
  const faults = planFaults(spec.faultClass, topology, rng, startAt, duration, spec.seed, own);
  const endAt =
    faults.length === 0
      ? SCENARIO_EPOCH + 400_000
      : Math.max(...faults.map((f) => f.endAt)) + TAIL_MS;
  const changes = [...own, ...planDecoys(spec, topology, faults, SCENARIO_EPOCH, endAt)].sort(
    (a, b) => a.change.startedAt - b.change.startedAt || (a.change.id < b.change.id ? -1 : 1),
  );
  // Without changes the scenario has no `changes` at all: the existing classes stay byte for byte.
  return {
    spec,
    topology,
    faults,
    ...(changes.length > 0 ? { changes } : {}),
    startAt: SCENARIO_EPOCH,
    endAt,
  };
}

function planFaults(
  cls: FaultClass,
  topo: SimTopology,
  rng: Prng,
  start: number,
  duration: number,
  seed: number,
  changes: PlannedChange[],
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
    case 'network-partition':
      return seed % 2 === 0
        ? [zoneOnlyBackend(topo, served, rng, start, end)]
        : [partition(topo, served, rng, start, end)];
    case 'flapping-cause': {
      const b = rng.pick(served);
      const down: Fault = { kind: 'backend-down', backend: b.key };
      const stages: FaultStage[] = [];
      for (let t = start; t < start + FLAPPING_EPISODE_MS;) {
        const downFor = rng.int(30_000, 60_000);
        stages.push({ fault: down, startAt: t, endAt: t + downFor });
        t += downFor + rng.int(30_000, 90_000);
      }
      return [
        {
          id: 'f1',
          fault: down,
          rootKey: b.key,
          startAt: start,
          endAt: stages[stages.length - 1].endAt,
          stages,
          cycles: stages.length,
        },
      ];
    }
    case 'degraded-before-down': {
      const b = rng.pick(served);
      const slow: Fault = { kind: 'backend-slow', backend: b.key };
      if (seed % 2 === 0)
        return [
          {
            id: 'f1',
            fault: slow,
            rootKey: b.key,
            startAt: start,
            endAt: start + rng.int(180_000, 300_000),
            variant: 'warn-only',
          },
        ];
      const down: Fault = { kind: 'backend-down', backend: b.key };
      const failAt = start + rng.int(60_000, 120_000);
      return [
        {
          id: 'f1',
          fault: down,
          rootKey: b.key,
          startAt: start,
          endAt: failAt + duration,
          variant: 'warn-then-fail',
          stages: [
            { fault: slow, startAt: start, endAt: failAt },
            { fault: down, startAt: failAt, endAt: failAt + duration },
          ],
        },
      ];
    }
    case 'everything-silent':
      return [
        {
          id: 'f1',
          fault: { kind: 'intake-cut' },
          rootKey: INTAKE_KEY,
          startAt: start,
          endAt: start + rng.int(120_000, 300_000),
        },
      ];
    case 'bad-deploy':
      return planBadDeploy(topo, rng, start, duration, seed, changes);
    case 'bad-config':
      return planBadConfig(topo, rng, start, duration, seed, changes);
    case 'host-in-zone': {
      const host = carveSmallZone(topo, rng);
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
  }
}

/** How long a flapping cause keeps coming and going (its last down period may run past it). */
const FLAPPING_EPISODE_MS = 600_000;
/** The small zone host-in-zone carves out of the fleet. */
const SMALL_ZONE = 'az4';

const serverZone = (topo: SimTopology, b: SimBackend): string =>
  topo.instances.get(b.server as string)?.zone as string;
const zoneOf = (topo: SimTopology, instance: string): string =>
  topo.instances.get(instance)?.zone as string;

/**
 * The instances of one zone lose 3-5 backends served from other zones (their servers stay up,
 * dependents in the other zones still reach them): the zone's way out is what broke, so the
 * root is the zone. A zone with 3+ such backends is preferred; a small fleet may offer fewer.
 */
function partition(
  topo: SimTopology,
  served: SimBackend[],
  rng: Prng,
  start: number,
  end: number,
): PlannedFault {
  const candidates = (zone: string) =>
    served.filter(
      (b) =>
        serverZone(topo, b) !== zone &&
        b.dependents.some((d) => zoneOf(topo, d) === zone) &&
        b.dependents.some((d) => zoneOf(topo, d) !== zone),
    );
  const rich = topo.zones.filter((z) => candidates(z).length >= 3);
  const zone =
    rich.length > 0
      ? rng.pick(rich)
      : topo.zones.reduce((a, z) => (candidates(z).length > candidates(a).length ? z : a));
  const backends = rng
    .shuffle(candidates(zone))
    .slice(0, rng.int(3, 5))
    .map((b) => b.key)
    .sort();
  return {
    id: 'f1',
    fault: { kind: 'partition', zone, backends },
    rootKey: zoneKey(zone),
    startAt: start,
    endAt: end,
    variant: 'zone-partition',
  };
}

/**
 * The mirror case: one backend becomes reachable from its own zone only (dependents in other
 * zones fail on it, dependents in its zone pass). The root is the backend, not its zone: the
 * zone is healthy (its instances report fine and even reach the backend); what broke is the
 * backend's cross-zone path (its listener, security group or route), and the engine has no key
 * kind for a link, so the backend is the most specific entity that owns it.
 */
function zoneOnlyBackend(
  topo: SimTopology,
  served: SimBackend[],
  rng: Prng,
  start: number,
  end: number,
): PlannedFault {
  const split = served.map((b) => {
    const zone = serverZone(topo, b);
    const inside = b.dependents.filter((d) => zoneOf(topo, d) === zone).length;
    return { b, zone, inside, outside: b.dependents.length - inside };
  });
  const both = split.filter((x) => x.outside >= 2 && x.inside >= 1);
  const most = Math.max(...split.map((x) => x.outside));
  const chosen = rng.pick(both.length > 0 ? both : split.filter((x) => x.outside === most));
  return {
    id: 'f1',
    fault: { kind: 'backend-isolated', backend: chosen.b.key, zone: chosen.zone },
    rootKey: chosen.b.key,
    startAt: start,
    endAt: end,
    variant: 'zone-only-backend',
  };
}

/**
 * Reshapes the fleet for host-in-zone: 2-3 application hosts (no cache on them) move, with their
 * instances, into a new small zone; the biggest of them is returned (the one to kill), the others
 * are the smallest available, so the dead host carries half or more of the zone's instances.
 */
function carveSmallZone(topo: SimTopology, rng: Prng): string {
  const candidates = appHosts(topo)
    .map((name) => topo.hosts.get(name) as SimHost)
    .filter((h) => !h.instances.some((i) => topo.instances.get(i)?.serves));
  const biggest = Math.max(...candidates.map((h) => h.instances.length));
  const down = rng.pick(candidates.filter((h) => h.instances.length === biggest));
  const others = rng
    .shuffle(candidates.filter((h) => h !== down))
    .sort((a, b) => a.instances.length - b.instances.length)
    .slice(0, rng.int(1, 2));
  topo.zones.push(SMALL_ZONE);
  for (const h of [down, ...others]) {
    h.zone = SMALL_ZONE;
    for (const key of h.instances) (topo.instances.get(key) as SimInstance).zone = SMALL_ZONE;
  }
  return down.name;
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
