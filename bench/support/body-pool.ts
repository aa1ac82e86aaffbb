import {
  type FleetMember,
  observedAt,
  REPORT_INTERVAL_MS,
  reportAt,
  type ReportIdentity,
} from './report-fleet';

/**
 * Request bodies for a timed phase. Reports are laid out tick by tick (the whole fleet at tick
 * t, then at t+1, ...), the order instances report in; body i holds reports
 * [i * reportsPerBody, (i + 1) * reportsPerBody).
 *
 * An eager pool serialises every body before the phase, so the load generator only copies
 * bytes. A lazy pool serialises each body as it is sent (about a millisecond of the bench's
 * CPU per 500 reports), so a pool of millions of reports (the fleet-size phases) needs no
 * gigabytes: any body can be rebuilt from its index.
 */
export interface BodyPool {
  name: string;
  /** Number of bodies. */
  size: number;
  body(index: number): Buffer;
  /** Bytes of bodies held in memory: all of them for an eager pool, 0 for a lazy one. */
  heldBytes: number;
  reportsPerBody: number;
  /** Ticks [firstTick, endTick) of event time. */
  firstTick: number;
  endTick: number;
  /** Event-time range [fromMs, toMs) that holds every report of the pool and no other's. */
  fromMs: number;
  toMs: number;
  /** Rebuilds the identities of the reports in these bodies. */
  identitiesOf(bodyIndexes: Iterable<number>): ReportIdentity[];
}

export interface BodyPoolSpec {
  name: string;
  fleet: readonly FleetMember[];
  /** Event time of tick 0. */
  origin: number;
  firstTick: number;
  /** Rounded up to whole bodies. */
  reports: number;
  /** 1 sends bare report objects; more sends JSON arrays. */
  reportsPerBody: number;
  /** Serialise each body when it is asked for instead of up front. */
  lazy?: boolean;
}

export function buildBodyPool(spec: BodyPoolSpec): BodyPool {
  const { fleet, origin, firstTick, reportsPerBody } = spec;
  const bodyCount = Math.ceil(spec.reports / reportsPerBody);
  const locate = (reportIndex: number) => ({
    member: reportIndex % fleet.length,
    tick: firstTick + Math.floor(reportIndex / fleet.length),
  });

  const serialise = (b: number): Buffer => {
    if (b < 0 || b >= bodyCount) throw new Error(`${spec.name}: no body ${b} of ${bodyCount}`);
    const reports = [];
    for (let r = b * reportsPerBody; r < (b + 1) * reportsPerBody; r++) {
      const { member, tick } = locate(r);
      reports.push(reportAt(origin, fleet, member, tick));
    }
    return Buffer.from(JSON.stringify(reportsPerBody === 1 ? reports[0] : reports));
  };
  const eager = spec.lazy ? null : Array.from({ length: bodyCount }, (_, b) => serialise(b));

  const endTick = firstTick + Math.ceil((bodyCount * reportsPerBody) / fleet.length);
  return {
    name: spec.name,
    size: bodyCount,
    body: eager ? (b) => eager[b] : serialise,
    heldBytes: eager ? eager.reduce((n, b) => n + b.length, 0) : 0,
    reportsPerBody,
    firstTick,
    endTick,
    fromMs: origin + firstTick * REPORT_INTERVAL_MS,
    toMs: origin + endTick * REPORT_INTERVAL_MS,
    identitiesOf(bodyIndexes) {
      const out: ReportIdentity[] = [];
      for (const b of bodyIndexes) {
        for (let r = b * reportsPerBody; r < (b + 1) * reportsPerBody; r++) {
          const { member, tick } = locate(r);
          const m = fleet[member];
          out.push({
            service: m.service,
            instance: m.instance,
            observedAt: observedAt(origin, m, tick),
          });
        }
      }
      return out;
    },
  };
}
