import type { Report } from '@faultline/reports';

import { deliverOutOfOrder } from './delivery-order';
import type { EngineEventLike } from './engine-event';
import { keyOf, record } from './spec-support';

const reportsOf = (events: readonly EngineEventLike[]): Report[] =>
  events.flatMap((e) => (e.kind === 'report' ? [e.report] : []));

function perInstance(events: readonly EngineEventLike[]): Map<string, Report[]> {
  const out = new Map<string, Report[]>();
  for (const r of reportsOf(events)) {
    const list = out.get(keyOf(r)) ?? [];
    list.push(r);
    out.set(keyOf(r), list);
  }
  return out;
}

describe('deliverOutOfOrder', () => {
  const { events } = record({ faultClass: 'backend-down', seed: 3, instances: 120 });
  const maxSkewMs = 60_000;
  const shuffled = deliverOutOfOrder(events, { maxSkewMs, seed: 7 });

  it('keeps every event, once, untouched', () => {
    expect(shuffled).toHaveLength(events.length);
    expect(new Set(shuffled)).toEqual(new Set(events));
    expect(shuffled).not.toEqual(events);
  });

  it("keeps each instance's own reports in order", () => {
    const before = perInstance(events);
    const after = perInstance(shuffled);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [key, list] of before) expect(after.get(key)).toEqual(list);
  });

  it('mixes instances, but never by more than maxSkewMs of event time', () => {
    let newest = -Infinity;
    let overtaken = 0;
    let worst = 0;
    for (const r of reportsOf(shuffled)) {
      if (r.receivedAt < newest) overtaken++;
      worst = Math.max(worst, newest - r.receivedAt);
      newest = Math.max(newest, r.receivedAt);
    }
    expect(overtaken).toBeGreaterThan(100);
    expect(worst).toBeGreaterThan(maxSkewMs / 2);
    expect(worst).toBeLessThanOrEqual(maxSkewMs);
  });

  it('keeps ticks in order at their wall-clock place: a report is held back, never sent ahead', () => {
    const ticks = (list: readonly EngineEventLike[]) =>
      list.flatMap((e) => (e.kind === 'tick' ? [e.at] : []));
    expect(ticks(shuffled)).toEqual(ticks(events));
    const lastTickBefore = (list: readonly EngineEventLike[]) => {
      let lastTick = -Infinity;
      const out = new Map<Report, number>();
      for (const e of list) {
        if (e.kind === 'tick') lastTick = e.at;
        else if (e.kind === 'report') out.set(e.report, lastTick);
      }
      return out;
    };
    const original = lastTickBefore(events);
    for (const [r, tick] of lastTickBefore(shuffled)) {
      // Never ahead of a tick it followed, and out before the tick maxSkewMs after its arrival.
      expect(tick).toBeGreaterThanOrEqual(original.get(r) as number);
      expect(tick).toBeLessThan(r.receivedAt + maxSkewMs);
    }
    // Aliases stay first, where the player put them.
    const aliases = events.filter((e) => e.kind === 'alias').length;
    expect(shuffled.slice(0, aliases).every((e) => e.kind === 'alias')).toBe(true);
  });

  it('is deterministic in the seed', () => {
    expect(deliverOutOfOrder(events, { maxSkewMs, seed: 7 })).toEqual(shuffled);
    expect(deliverOutOfOrder(events, { maxSkewMs, seed: 8 })).not.toEqual(shuffled);
  });

  it('changes nothing with no skew', () => {
    expect(deliverOutOfOrder(events, { maxSkewMs: 0, seed: 7 })).toEqual(events);
  });

  it('keeps the order a scenario already delivers late, per instance', () => {
    const late = record({ faultClass: 'late-evidence', seed: 2, instances: 120 }).events;
    const out = deliverOutOfOrder(late, { maxSkewMs: 30_000, seed: 1 });
    expect(out).toHaveLength(late.length);
    const before = perInstance(late);
    for (const [key, list] of perInstance(out)) expect(list).toEqual(before.get(key));
  });

  it('refuses a negative skew', () => {
    expect(() => deliverOutOfOrder(events, { maxSkewMs: -1, seed: 1 })).toThrow(RangeError);
  });
});
