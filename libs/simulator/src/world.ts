import type { Fault, SimDependency, SimInstance, SimTopology } from './scenario.model';

/**
 * The true health of the fleet under a set of active faults (flaps aside).
 *
 * Rules: an instance is alive unless its host or zone is down. An infra backend is up unless it
 * is faulted or its server is dead. A service endpoint is up while at least one instance of the
 * service is healthy (alive, and every dependency up for it): a load balancer in front of the
 * service. An instance-link fault breaks one instance's path to one backend. A partition breaks
 * the path from every instance of one zone to some backends (their servers and the other zones
 * are fine); an isolated backend is reachable from its own zone only. A slow backend stays up but
 * its dependents' checks of it warn. A cut intake leaves every instance alive and healthy, only
 * unheard: nothing it reports reaches Faultline. A broken release makes every instance of its
 * service report itself down (so its endpoint is down); a broken call fails one service's checks
 * of one backend, for it alone; a refusing backend fails every dependent while its server reports
 * well (a bad configuration).
 * Services form a DAG in generated topologies; a cycle is cut by treating the service met again
 * as healthy. Memoised per world: O(instances + dependencies) for the whole fleet.
 */
export class World {
  private readonly deadHosts = new Set<string>();
  private readonly downBackends = new Set<string>();
  private readonly links = new Map<string, Set<string>>();
  /** Zone → backends its instances cannot reach. */
  private readonly partitions = new Map<string, Set<string>>();
  /** Backend → the only zone that reaches it. */
  private readonly isolated = new Map<string, string>();
  private readonly slowBackends = new Set<string>();
  private intakeCut = false;
  /** Services whose instances report themselves down (a bad release). */
  private readonly brokenServices = new Set<string>();
  /** Backends that refuse their dependents while their servers report well (a bad config). */
  private readonly refusing = new Set<string>();
  private readonly serviceUp = new Map<string, boolean>();
  private readonly visiting = new Set<string>();

  constructor(
    private readonly topo: SimTopology,
    faults: readonly Fault[],
  ) {
    for (const f of faults) {
      if (f.kind === 'backend-down') this.downBackends.add(f.backend);
      else if (f.kind === 'host-down') this.deadHosts.add(f.host);
      else if (f.kind === 'zone-down') {
        for (const h of topo.hosts.values()) if (h.zone === f.zone) this.deadHosts.add(h.name);
      } else if (f.kind === 'instance-link') {
        let set = this.links.get(f.instance);
        if (!set) this.links.set(f.instance, (set = new Set()));
        set.add(f.backend);
      } else if (f.kind === 'partition') {
        let set = this.partitions.get(f.zone);
        if (!set) this.partitions.set(f.zone, (set = new Set()));
        for (const b of f.backends) set.add(b);
      } else if (f.kind === 'backend-isolated') this.isolated.set(f.backend, f.zone);
      else if (f.kind === 'backend-slow') this.slowBackends.add(f.backend);
      else if (f.kind === 'service-broken') this.brokenServices.add(f.service);
      else if (f.kind === 'service-link') {
        for (const instance of topo.services.get(f.service)?.instances ?? []) {
          let set = this.links.get(instance);
          if (!set) this.links.set(instance, (set = new Set()));
          set.add(f.backend);
        }
      } else if (f.kind === 'backend-refuses') this.refusing.add(f.backend);
      else this.intakeCut = true;
    }
  }

  alive(inst: SimInstance): boolean {
    return !this.deadHosts.has(inst.host);
  }

  /** Whether Faultline hears the instance: it is alive and the path to the intake is up. */
  heard(inst: SimInstance): boolean {
    return !this.intakeCut && this.alive(inst);
  }

  /** Whether the instance's check of `dep` fails because of a fault. */
  depFails(inst: SimInstance, dep: SimDependency): boolean {
    if (this.links.get(inst.key)?.has(dep.key)) return true;
    if (this.partitions.get(inst.zone)?.has(dep.key)) return true;
    const only = this.isolated.get(dep.key);
    if (only !== undefined && only !== inst.zone) return true;
    return !this.backendUp(dep);
  }

  /** Whether the instance's check of `dep` is slow (warn) because of a fault, while it does not fail. */
  depSlow(inst: SimInstance, dep: SimDependency): boolean {
    return this.slowBackends.has(dep.key) && !this.depFails(inst, dep);
  }

  /**
   * Whether an instance reports itself down: an infra server whose backend is faulted while its
   * host lives, or an instance of a broken release.
   */
  selfDown(inst: SimInstance): boolean {
    return (
      (inst.serves !== null && this.downBackends.has(inst.serves)) ||
      this.brokenServices.has(inst.service)
    );
  }

  private backendUp(dep: SimDependency): boolean {
    if (dep.service !== null) return this.serviceHealthy(dep.service);
    if (this.downBackends.has(dep.key) || this.refusing.has(dep.key)) return false;
    const server = this.topo.backends.get(dep.key)?.server;
    const inst = server ? this.topo.instances.get(server) : undefined;
    return inst === undefined || this.alive(inst);
  }

  private serviceHealthy(name: string): boolean {
    const known = this.serviceUp.get(name);
    if (known !== undefined) return known;
    if (this.visiting.has(name)) return true;
    this.visiting.add(name);
    const svc = this.topo.services.get(name);
    let up = false;
    for (const key of svc?.instances ?? []) {
      const inst = this.topo.instances.get(key) as SimInstance;
      if (
        this.alive(inst) &&
        !this.brokenServices.has(name) &&
        inst.deps.every((d) => !this.depFails(inst, d))
      ) {
        up = true;
        break;
      }
    }
    this.visiting.delete(name);
    this.serviceUp.set(name, up);
    return up;
  }
}
