import type { Report } from '@faultline/reports';

import { NaiveBaseline } from './naive-baseline';

const report = (at: number, instance: string, failing: string[]): Report => ({
  id: null,
  service: 'app',
  instance,
  host: null,
  labels: {},
  observedAt: at,
  receivedAt: at,
  status: failing.length ? 'fail' : 'pass',
  checks: ['backend:x', 'backend:y'].map((key) => ({
    name: key,
    target: null,
    targetKey: key,
    status: failing.includes(key) ? 'fail' : 'pass',
    latencyMs: 1,
    output: null,
  })),
});

describe('NaiveBaseline', () => {
  it('blames the target failing most often in each 60 s window, one incident while it stays the same', () => {
    const b = new NaiveBaseline();
    const out = [
      ...b.apply({ kind: 'tick', at: 0 }),
      ...[1, 2, 3, 4].flatMap((i) =>
        b.apply({ kind: 'report', report: report(i * 1000, `a-${i}`, ['backend:x']) }),
      ),
      ...b.apply({ kind: 'report', report: report(5000, 'a-5', ['backend:y']) }),
      ...b.apply({ kind: 'tick', at: 60_000 }),
      ...[1, 2, 3].flatMap((i) =>
        b.apply({ kind: 'report', report: report(61_000 + i, `a-${i}`, ['backend:x']) }),
      ),
      ...b.apply({ kind: 'tick', at: 120_000 }),
      ...b.apply({ kind: 'tick', at: 180_000 }),
    ];
    expect(
      out.map((c) => [
        c.type,
        c.at,
        c.incident.rootCauses[0].key,
        c.incident.affected.instances.length,
      ]),
    ).toEqual([
      ['opened', 60_000, 'backend:x', 4],
      ['updated', 120_000, 'backend:x', 4],
      ['resolved', 180_000, 'backend:x', 4],
    ]);
  });

  it('needs a few failures before it blames anything', () => {
    const b = new NaiveBaseline(3);
    b.apply({ kind: 'report', report: report(0, 'a-1', ['backend:y']) });
    b.apply({ kind: 'report', report: report(1, 'a-2', ['backend:y']) });
    expect(b.apply({ kind: 'tick', at: 60_000 })).toEqual([]);
  });
});
