/** The services, hosts and backends a batch names, with what it would write for each. */
export interface NamedEntities {
  /** Service name → its earliest observedAt in the batch. */
  services: Map<string, number>;
  /** Host name → its zone (null: none said) and earliest observedAt. */
  hosts: Map<string, { zone: string | null; at: number }>;
  /** Backend key → a target naming it and its earliest observedAt. */
  backends: Map<string, { target: string; at: number }>;
}

/**
 * Entities this worker has committed recently, so a batch of a known fleet skips the entity
 * statements (six round trips) that would change nothing. Forgotten every `ttlMs` (another
 * worker may have moved a host to another zone since) and past `capacity` names. Pure.
 */
export class SeenEntities {
  private services = new Map<string, number>();
  private hosts = new Map<string, string | null>();
  private backends = new Set<string>();
  private since = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly capacity: number,
  ) {}

  /** What of `named` may still change a row: the rest is dropped from it. */
  unseen(named: NamedEntities, now: number): NamedEntities {
    if (now - this.since > this.ttlMs) this.forget(now);
    const services = new Map(
      [...named.services].filter(([n, at]) => at < (this.services.get(n) ?? Infinity)),
    );
    const hosts = new Map(
      [...named.hosts].filter(
        ([n, h]) => !(this.hosts.has(n) && (h.zone === null || this.hosts.get(n) === h.zone)),
      ),
    );
    const backends = new Map([...named.backends].filter(([k]) => !this.backends.has(k)));
    return { services, hosts, backends };
  }

  /** After the commit: these rows exist now, as written. */
  record(written: NamedEntities): void {
    for (const [n, at] of written.services)
      this.services.set(n, Math.min(at, this.services.get(n) ?? Infinity));
    for (const [n, h] of written.hosts) this.hosts.set(n, h.zone ?? this.hosts.get(n) ?? null);
    for (const k of written.backends.keys()) this.backends.add(k);
    if (this.services.size + this.hosts.size + this.backends.size > this.capacity) this.forget(0);
  }

  private forget(now: number): void {
    this.services = new Map();
    this.hosts = new Map();
    this.backends = new Set();
    this.since = now;
  }
}
