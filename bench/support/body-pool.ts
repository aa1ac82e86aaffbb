import {
  type FleetMember,
  observedAt,
  REPORT_INTERVAL_MS,
  reportAt,
  type ReportIdentity,
} from './report-fleet';

/**
 * Request bodies serialised before a timed phase, so the load generator only copies bytes.
 * Reports are laid out tick by tick (the whole fleet at tick t, then at t+1, ...), the order
 * instances report in; body i holds reports [i * reportsPerBody, (i + 1) * reportsPerBody).
 */
export interface BodyPool {
  name: string;
  bodies: Buffer[];
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
}

export function buildBodyPool(spec: BodyPoolSpec): BodyPool {
  const { fleet, origin, firstTick, reportsPerBody } = spec;
  const bodyCount = Math.ceil(spec.reports / reportsPerBody);
  const locate = (reportIndex: number) => ({
    member: reportIndex % fleet.length,
    tick: firstTick + Math.floor(reportIndex / fleet.length),
  });

  const bodies: Buffer[] = new Array<Buffer>(bodyCount);
  for (let b = 0; b < bodyCount; b++) {
    const reports = [];
    for (let r = b * reportsPerBody; r < (b + 1) * reportsPerBody; r++) {
      const { member, tick } = locate(r);
      reports.push(reportAt(origin, fleet, member, tick));
    }
    bodies[b] = Buffer.from(JSON.stringify(reportsPerBody === 1 ? reports[0] : reports));
  }

  const endTick = firstTick + Math.ceil((bodyCount * reportsPerBody) / fleet.length);
  return {
    name: spec.name,
    bodies,
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
