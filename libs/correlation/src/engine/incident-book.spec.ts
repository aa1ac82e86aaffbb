import type { IncidentChange } from './engine.model';
import { IncidentBook, type Ranker } from './incident-book';
import type { InstanceRec } from './records';
import type { Cluster, Symptom } from './symptoms';

const T0 = Date.UTC(2026, 10, 25, 10);
const s = (seconds: number) => T0 + seconds * 1000;
const DB = 'backend:mysql://db-1:3306';
const QUIET = 30_000;
const WINDOW = 120_000;

/** A cluster of `n` failing checks of `key`, from app-1..app-n; weight 1 each. */
function cluster(key: string, n: number, since = T0): Cluster {
  const symptoms: Symptom[] = Array.from({ length: n }, (_, i) => ({
    id: `instance:app/app-${i + 1}#db`,
    kind: 'check',
    inst: { key: `instance:app/app-${i + 1}`, service: 'app' } as InstanceRec,
    check: null,
    weight: 1,
    since,
    fanIn: 10,
  }));
  return {
    key,
    symptoms,
    weight: n,
    opportunities: 10,
    firstAt: since,
    via: new Map(),
    targets: new Map(),
    checkCount: n,
    targetCounts: new Map(),
  };
}

const rank: Ranker = (primary) => [
  { key: primary.key, kind: 'backend', confidence: 0.9, summary: 'its dependents lost it' },
];

/** A book where 3 or more symptoms are significant. */
function book(reopenWindowMs = WINDOW): {
  at: (seconds: number, ...clusters: Cluster[]) => IncidentChange[];
  book: IncidentBook;
} {
  const b = new IncidentBook((c) => c.weight >= 3, QUIET, reopenWindowMs);
  return { book: b, at: (sec, ...clusters) => b.reconcile(clusters, new Map(), s(sec), rank) };
}

/** Down at `from` for a tick, then quiet; returns every change up to `until` (one tick a second). */
function recoverUntil(
  at: (seconds: number, ...clusters: Cluster[]) => IncidentChange[],
  from: number,
  until: number,
): IncidentChange[] {
  const out: IncidentChange[] = [];
  for (let t = from; t <= until; t++) out.push(...at(t));
  return out;
}

describe('IncidentBook: a cause failing again after its incident resolved', () => {
  it('reopens the same incident within the reopen window: open again, one cycle more, flapping', () => {
    const { at, book: b } = book();
    const [opened] = at(0, cluster(DB, 5));
    expect(opened).toMatchObject({ type: 'opened', incident: { cycles: 1, flapping: false } });
    const id = opened.incident.id;
    const quiet = recoverUntil(at, 1, 40);
    const resolved = quiet.filter((c) => c.type === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0].at).toBe(s(30));
    expect(resolved[0].incident).toMatchObject({ id, status: 'resolved', resolvedAt: s(1) });
    expect(b.openCount).toBe(0);
    expect(b.recentlyResolvedCount).toBe(1);

    const changes = at(50, cluster(DB, 4));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      type: 'updated',
      at: s(50),
      incident: { id, status: 'open', resolvedAt: null, cycles: 2, flapping: true },
    });
    expect(changes[0].incident.timeline.at(-1)?.what).toBe(
      'failing again 20 s after it resolved (cycle 2): flapping',
    );
    expect(b.openCount).toBe(1);
    expect(b.recentlyResolvedCount).toBe(0);
  });

  it('once flapping, bridges its longest up period (×1.5, at most twice the quiet period)', () => {
    const { at } = book();
    const id = at(0, cluster(DB, 5))[0].incident.id;
    recoverUntil(at, 1, 49); // resolves at 30 s
    at(50, cluster(DB, 5)); // reopened: up 50 s (from the recovery's midpoint, 0 s): quiet 60 s
    const second = recoverUntil(at, 51, 104);
    expect(second.filter((c) => c.type === 'resolved')).toEqual([]);
    expect(second[0].incident.timeline.at(-1)?.what).toBe(
      'recovered: no symptom left; resolves after 60 s quiet unless it fails again',
    );
    // Up 55 s this time, longer than the plain quiet period: still the same open incident.
    const third = at(105, cluster(DB, 5));
    expect(third[0].incident).toMatchObject({ id, status: 'open', cycles: 3 });
    expect(third[0].incident.timeline.at(-1)?.what).toMatch(
      /failing again after 54 s quiet \(cycle 3\)/,
    );
    // The cause stops: it resolves 60 s after its last recovery's midpoint, and once.
    const end = recoverUntil(at, 106, 200);
    const resolved = end.filter((c) => c.type === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({ at: s(165), incident: { id, cycles: 3, flapping: true } });
  });

  it('a cause that never flapped resolves after the plain quiet period', () => {
    const { at } = book();
    at(0, cluster(DB, 5));
    const changes = recoverUntil(at, 1, 40);
    expect(changes.filter((c) => c.type === 'resolved').map((c) => c.at)).toEqual([s(30)]);
  });

  it('opens a new incident once the reopen window has passed, and forgets the old one', () => {
    const { at, book: b } = book();
    const first = at(0, cluster(DB, 5))[0].incident.id;
    recoverUntil(at, 1, 150); // resolved at 30 s, remembered until 150 s
    expect(b.recentlyResolvedCount).toBe(1);
    const changes = at(151, cluster(DB, 5));
    expect(b.recentlyResolvedCount).toBe(0);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ type: 'opened', incident: { cycles: 1, flapping: false } });
    expect(changes[0].incident.id).not.toBe(first);
  });

  it('does not reopen on evidence that would not have opened an incident', () => {
    const { at, book: b } = book();
    at(0, cluster(DB, 5));
    recoverUntil(at, 1, 40);
    expect(at(41, cluster(DB, 2))).toEqual([]);
    expect(b.openCount).toBe(0);
    expect(b.recentlyResolvedCount).toBe(1);
  });

  it('with a reopen window of 0, a cause failing again is a new incident', () => {
    const { at, book: b } = book(0);
    const first = at(0, cluster(DB, 5))[0].incident.id;
    recoverUntil(at, 1, 40);
    expect(b.recentlyResolvedCount).toBe(0);
    const [again] = at(45, cluster(DB, 5));
    expect(again.type).toBe('opened');
    expect(again.incident.id).not.toBe(first);
  });

  it('another root is not reopened into it', () => {
    const { at } = book();
    const first = at(0, cluster(DB, 5))[0].incident.id;
    recoverUntil(at, 1, 40);
    const [other] = at(45, cluster('backend:redis://cache-1:6379', 5));
    expect(other.type).toBe('opened');
    expect(other.incident.id).not.toBe(first);
  });
});

describe('IncidentBook: one root cause, one open incident', () => {
  /** Ranks every cluster under one cause, as late evidence can when two roots turn out to be one. */
  const sameCause: Ranker = () => [
    { key: DB, kind: 'backend', confidence: 0.9, summary: 'its dependents lost it' },
  ];
  const shifted = (key: string, n: number, offset: number): Cluster => {
    const c = cluster(key, n);
    c.symptoms = c.symptoms.map((sym, i) => ({
      ...sym,
      id: `instance:app/app-${offset + i + 1}#db`,
      inst: { key: `instance:app/app-${offset + i + 1}`, service: 'app' } as InstanceRec,
    }));
    return c;
  };

  it('folds a new incident with the same top cause into the open one instead of opening it', () => {
    const b = new IncidentBook((c) => c.weight >= 3, QUIET, WINDOW);
    const first = b.reconcile([shifted('host:node-1', 3, 0)], new Map(), s(0), sameCause);
    expect(first.map((c) => c.type)).toEqual(['opened']);
    const second = b.reconcile(
      [shifted('host:node-1', 3, 0), shifted('host:node-2', 3, 3)],
      new Map(),
      s(1),
      sameCause,
    );
    expect(second.map((c) => c.type)).toEqual(['updated']);
    expect(second[0].incident.id).toBe(first[0].incident.id);
    expect(second[0].incident.affected.instances).toHaveLength(6);
    expect(b.openCount).toBe(1);
  });
});
