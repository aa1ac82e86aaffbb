import type { OrderComparison } from '@faultline/simulator';

/** The delivery orders compared with the reference (a) sequential. */
export type OtherOrder = 'parallel' | 'worker-paused';

/** One scenario played in the three orders: (b) and (c) compared with (a), and (a)'s AC@1. */
export interface OrdersTally {
  faultClass: string;
  seed: number;
  instances: number;
  /** AC@1 of the reference run (a). */
  referenceAc1: number;
  vs: Record<OtherOrder, OrderComparison>;
}

interface Row {
  scenarios: number;
  faults: number;
  same: Record<OtherOrder, number>;
  within: Record<OtherOrder, number>;
  extra: Record<OtherOrder, number>;
  /** Sum of per-truth AC@1 hits: (a), (b), (c). */
  top: [number, number, number];
}

/**
 * Prints, per fault class and overall: scenarios, faults, same top cause as (a) in (b) and (c),
 * opened within one interval of (a) in (b) and (c), incidents (a) does not have in (b) and (c),
 * and AC@1 of each order; returns the overall row for the targets.
 */
export function printOrders(
  tallies: readonly OrdersTally[],
  skewMs: number,
): {
  identical: boolean;
  extra: Record<OtherOrder, number>;
  faults: number;
  same: Record<OtherOrder, number>;
  within: Record<OtherOrder, number>;
} {
  const empty = (): Row => ({
    scenarios: 0,
    faults: 0,
    same: { parallel: 0, 'worker-paused': 0 },
    within: { parallel: 0, 'worker-paused': 0 },
    extra: { parallel: 0, 'worker-paused': 0 },
    top: [0, 0, 0],
  });
  const rows = new Map<string, Row>();
  const overall = empty();
  for (const t of tallies) {
    let row = rows.get(t.faultClass);
    if (!row) rows.set(t.faultClass, (row = empty()));
    for (const r of [row, overall]) {
      const faults = t.vs.parallel.faults;
      r.scenarios++;
      r.faults += faults;
      for (const o of ORDERS) {
        r.same[o] += t.vs[o].sameTop;
        r.within[o] += t.vs[o].openedWithin;
        r.extra[o] += t.vs[o].extra.length;
      }
      r.top[0] += t.referenceAc1 * faults;
      r.top[1] += t.vs.parallel.ac1 * faults;
      r.top[2] += t.vs['worker-paused'].ac1 * faults;
    }
  }
  const pair = (r: Row, k: 'same' | 'within') =>
    `${r[k].parallel}/${r.faults}`.padStart(8) +
    ' ' +
    `${r[k]['worker-paused']}/${r.faults}`.padStart(8);
  const ac = (r: Row, i: number) =>
    (r.faults === 0 ? '-' : (r.top[i] / r.faults).toFixed(2)).padStart(5);
  const line = (name: string, r: Row) =>
    [
      name.padEnd(CLASS_WIDTH),
      String(r.scenarios).padStart(4),
      String(r.faults).padStart(6),
      pair(r, 'same'),
      pair(r, 'within'),
      String(r.extra.parallel).padStart(5),
      String(r.extra['worker-paused']).padStart(5),
      ac(r, 0),
      ac(r, 1),
      ac(r, 2),
    ].join(' ');
  console.log(
    `${''.padEnd(CLASS_WIDTH)}              same top cause   opened <=10s of (a)  extra inc.  AC@1`,
  );
  console.log(
    `${'class'.padEnd(CLASS_WIDTH)} scen faults      (b)      (c)      (b)      (c)   (b)   (c)   (a)   (b)   (c)`,
  );
  for (const [cls, r] of rows) console.log(line(cls, r));
  console.log(line('overall', overall));
  console.log(
    '\n(a) sequential: one request per 5 s of event time, WORKER_CONCURRENCY=1. (b) parallel: 8 lanes at full speed, reports of',
  );
  console.log(
    `different instances up to ${(skewMs / 1000).toFixed(0)} s apart, the allowed lateness set to that drift. (c) worker-paused: as (a), the worker stopped at the midpoint.`,
  );
  console.log(
    'same top cause / opened: per fault, the incident standing for it in (b)/(c) vs (a) (both missed counts as the same).',
  );
  console.log(
    'extra inc.: incidents with no incident of (a) of the same top cause overlapping in time.',
  );
  const identical = ORDERS.every(
    (o) => overall.same[o] === overall.faults && overall.within[o] === overall.faults,
  );
  return {
    identical,
    extra: overall.extra,
    faults: overall.faults,
    same: overall.same,
    within: overall.within,
  };
}

/** Every difference from (a), one line each (nothing when identical). */
export function printOrderDifferences(tallies: readonly OrdersTally[]): void {
  const lines: string[] = [];
  const sec = (ms: number | null, from: number) =>
    ms === null ? 'none' : `${ms < from ? '-' : '+'}${(Math.abs(ms - from) / 1000).toFixed(0)} s`;
  for (const t of tallies)
    for (const o of ORDERS) {
      const c = t.vs[o];
      const name = `${t.faultClass} seed ${t.seed} (${t.instances}) ${o}`;
      for (const d of c.differences) {
        const base = d.reference.openedAt ?? d.other.openedAt ?? 0;
        lines.push(
          `  ${name}: fault ${d.reference.truthId} (root ${d.reference.rootKey}): (a) top ${d.reference.top ?? '-'} opened ${sec(d.reference.openedAt, base)}; ${o} top ${d.other.top ?? '-'} opened ${sec(d.other.openedAt, base)}`,
        );
      }
      if (c.extra.length === 0) continue;
      // Many extra incidents are usually of one kind (e.g. instances seen silent): summarised by
      // the kind of their top cause, with the first few named.
      const kinds = new Map<string, number>();
      for (const x of c.extra) {
        const kind = x.top === null ? '-' : x.top.slice(0, x.top.indexOf(':') + 1 || undefined);
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
      lines.push(
        `  ${name}: ${c.extra.length} extra incidents, top cause ${[...kinds].map(([k, n]) => `${k} x${n}`).join(', ')}`,
      );
      for (const x of c.extra.slice(0, EXTRA_SHOWN))
        lines.push(
          `    top ${x.top ?? '-'} opened ${new Date(x.openedAt).toISOString().slice(11, 19)} (scenario time)${x.resolvedAt === null ? ', open' : `, resolved after ${((x.resolvedAt - x.openedAt) / 1000).toFixed(0)} s`}`,
        );
    }
  if (lines.length === 0) return;
  console.log('\nDifferences from (a):');
  for (const l of lines) console.log(l);
}

/** Extra incidents named per scenario and order; the rest are counted. */
const EXTRA_SHOWN = 3;
const ORDERS: readonly OtherOrder[] = ['parallel', 'worker-paused'];
/** Wide enough for the longest fault class name (degraded-before-down). */
const CLASS_WIDTH = 21;
