import type { Change } from '@faultline/changes';
import { type Check, parseTarget, type Report } from '@faultline/reports';

import { ChangeLog } from './change-log';
import { CorrelationEngine } from './correlation-engine';
import type { Incident, IncidentChange } from './engine.model';

const T0 = Date.UTC(2026, 10, 25, 10);
const s = (seconds: number) => T0 + seconds * 1000;
const DB = 'backend:mysql://db-1:3306';

interface Member {
  service: string;
  name: string;
  targets: [string, string][];
  phaseMs: number;
}

/**
 * 17 services of 2 instances and billing (3) checking db-1; shop (3) checking billing and db-1;
 * lonely (2) checking nothing; db-1 itself. 18 services lose db-1 when it fails.
 */
function fleet(): Member[] {
  const members: Member[] = [];
  const add = (service: string, n: number, targets: [string, string][]) => {
    for (let i = 1; i <= n; i++)
      members.push({
        service,
        name: `${service}-${i}`,
        targets,
        phaseMs: (members.length * 373) % 10_000,
      });
  };
  const db: [string, string] = ['database', 'mysql://db-1:3306/app'];
  for (let k = 1; k <= 17; k++) add(`svc-${k}`, 2, [db]);
  add('billing', 3, [db]);
  add('shop', 3, [['billing', 'http://billing:8080/health'], db]);
  add('lonely', 2, []);
  members.push({ service: 'mysql', name: 'db-1', targets: [], phaseMs: 4_100 });
  return members;
}

/** What fails for a member at a time: check names, 'process' for the instance itself. */
type Failing = (m: Member, at: number) => Set<string>;

const change = (over: Partial<Change> & Pick<Change, 'id' | 'entity' | 'startedAt'>): Change => ({
  kind: 'deploy',
  status: 'started',
  finishedAt: null,
  source: 'ci',
  version: null,
  summary: '',
  links: [],
  labels: {},
  ...over,
});

/**
 * Plays the fleet for `until` seconds (every member reports every 10 s, a tick every second);
 * `posts` are change events, each applied at its second before that second's reports.
 */
function play(
  failing: Failing,
  posts: [number, Change][] = [],
  until = 300,
): { changes: IncidentChange[]; engine: CorrelationEngine } {
  const engine = new CorrelationEngine();
  const members = fleet();
  const changes: IncidentChange[] = [];
  const next = members.map((m) => T0 + m.phaseMs);
  for (let tick = s(1); tick <= s(until); tick += 1000) {
    for (const [at, c] of posts) if (s(at) === tick) engine.apply({ kind: 'change', change: c });
    members.forEach((m, i) => {
      while (next[i] <= tick) {
        const at = next[i];
        next[i] += 10_000;
        const fails = failing(m, at);
        const checks: Check[] = m.targets.map(([name, target]) => ({
          name,
          target,
          targetKey: parseTarget(target).key,
          status: fails.has(name) ? 'fail' : 'pass',
          latencyMs: 2,
          output: null,
        }));
        checks.push({
          name: 'process',
          target: null,
          targetKey: null,
          status: fails.has('process') ? 'fail' : 'pass',
          latencyMs: null,
          output: null,
        });
        const report: Report = {
          id: null,
          service: m.service,
          instance: m.name,
          host: `node-${m.name}`,
          labels: { zone: 'az1' },
          observedAt: at,
          receivedAt: at,
          status: checks.some((c) => c.status === 'fail') ? 'fail' : 'pass',
          checks,
        };
        engine.apply({ kind: 'report', report });
      }
    });
    changes.push(...engine.apply({ kind: 'tick', at: tick }));
  }
  return { changes, engine };
}

/** The last word on each incident. */
function finals(changes: readonly IncidentChange[]): Incident[] {
  const last = new Map<string, Incident>();
  for (const c of changes) last.set(c.incident.id, c.incident);
  return [...last.values()];
}

/** billing's instances report themselves down from `from` to `to`, and shop fails its check of billing. */
const billingBroken =
  (from: number, to = Infinity): Failing =>
  (m, at) => {
    if (at < s(from) || at >= s(to)) return new Set();
    if (m.service === 'billing') return new Set(['process']);
    if (m.service === 'shop') return new Set(['billing']);
    return new Set();
  };

/** Every dependent of db-1 fails it from 100 s on, while db-1 reports itself well. */
const dbRefuses: Failing = (m, at) =>
  at >= s(100) && m.targets.some(([name]) => name === 'database')
    ? new Set(['database'])
    : new Set();

const deploy = change({
  id: 'dep-1',
  entity: 'service:billing',
  startedAt: s(90),
  version: 'v2.3.1',
  summary: 'CI run 4411',
});

describe('CorrelationEngine: changes as evidence and causes', () => {
  it('names a deploy shortly before its service failed as the top cause, the service right behind it', () => {
    const { changes } = play(billingBroken(120), [[90, deploy]]);
    const incidents = finals(changes);
    expect(incidents).toHaveLength(1);
    const [top, structural] = incidents[0].rootCauses;
    expect(top).toMatchObject({ key: 'change:dep-1', kind: 'change', change: { id: 'dep-1' } });
    expect(top.summary).toMatch(
      /^billing deployed v2\.3\.1 at 10:01:30 \(ci: CI run 4411\); 3 of 3 instances began failing \d+ s later$/,
    );
    expect(structural.key).toBe('service:billing');
    expect(structural.changes?.map((c) => c.id)).toEqual(['dep-1']);
    expect(top.confidence).toBeGreaterThan(structural.confidence);
    // One incident, opened with the change on top: same id as without the change (root and time).
    expect(changes.filter((c) => c.type === 'opened')).toHaveLength(1);
    const plain = finals(play(billingBroken(120)).changes);
    expect(plain.map((i) => i.id)).toEqual(incidents.map((i) => i.id));
    expect(plain[0].rootCauses[0].key).toBe('service:billing');
  });

  it('re-ranks an open incident when the deploy before it is posted late, keeping its id', () => {
    const { changes } = play(billingBroken(120), [[200, deploy]]);
    const incidents = finals(changes);
    expect(incidents).toHaveLength(1);
    expect(incidents[0].rootCauses[0].key).toBe('change:dep-1');
    const reranked = incidents[0].timeline.find((e) => e.topCause === 'change:dep-1');
    expect(reranked?.what).toMatch(/^re-ranked: change:dep-1 now first \(was service:billing\)/);
  });

  it('adds a config change on a backend that 18 services lost to its evidence, never above it', () => {
    const config = change({
      id: 'cfg-42',
      entity: DB,
      kind: 'config',
      status: 'succeeded',
      startedAt: s(-20),
      version: 'v42',
      summary: 'max_connections lowered',
    });
    const withChange = finals(play(dbRefuses, [[1, config]]).changes);
    const without = finals(play(dbRefuses).changes);
    expect(withChange).toHaveLength(1);
    const root = withChange[0].rootCauses[0];
    expect(root.key).toBe(DB);
    expect(root.summary).toMatch(
      /^\d+ of \d+ dependents lost it within [^;]*; reconfigured 2 min before \(config v42, ci\)$/,
    );
    expect(root.changes?.map((c) => c.id)).toEqual(['cfg-42']);
    expect(withChange[0].rootCauses.some((c) => c.kind === 'change')).toBe(false);
    expect(root.confidence).toBeGreaterThanOrEqual(without[0].rootCauses[0].confidence);
    expect(withChange[0].id).toBe(without[0].id);
  });

  it('changes nothing for a deploy of an unrelated service, and opens nothing for a deploy alone', () => {
    const decoy = change({ id: 'decoy-1', entity: 'service:lonely', startedAt: s(95) });
    const without = play(dbRefuses).changes;
    expect(play(dbRefuses, [[95, decoy]]).changes).toEqual(without);
    expect(play(() => new Set(), [[95, decoy]]).changes).toEqual([]);
  });

  it('never explains symptoms by a change that started after them (beyond the clock skew allowed)', () => {
    const late = change({ id: 'dep-late', entity: 'service:billing', startedAt: s(160) });
    const { changes } = play(billingBroken(120), [[160, late]]);
    const [incident] = finals(changes);
    expect(incident.rootCauses[0].key).toBe('service:billing');
    expect(incident.rootCauses.flatMap((c) => c.changes ?? [])).toEqual([]);
    // It is recorded on the timeline, as a change while the incident is open.
    const entry = incident.timeline.find((e) => e.change?.id === 'dep-late');
    expect(entry?.what).toMatch(/^change while open: started deploy of service:billing/);
  });

  it('records a rollback and the recovery after it on the timeline', () => {
    const rollback = change({
      id: 'dep-2',
      entity: 'service:billing',
      startedAt: s(200),
      version: 'v2.3.0',
      summary: 'roll back v2.3.1',
    });
    const { changes } = play(
      billingBroken(120, 210),
      [
        [90, deploy],
        [200, rollback],
        [200, { ...deploy, status: 'rolled-back', finishedAt: s(150) }],
      ],
      400,
    );
    const [incident] = finals(changes);
    expect(incident.status).toBe('resolved');
    const whats = incident.timeline.map((e) => e.what);
    const rolledBack = whats.findIndex(
      (w) => w === 'change dep-1 on service:billing is now rolled-back',
    );
    const newDeploy = whats.findIndex((w) =>
      w.startsWith('change while open: started deploy v2.3.0 of service:billing'),
    );
    const recovered = whats.findIndex((w) => w.startsWith('recovered:'));
    expect(rolledBack).toBeGreaterThan(0);
    expect(newDeploy).toBeGreaterThan(0);
    expect(recovered).toBeGreaterThan(Math.max(rolledBack, newDeploy));
    expect(incident.timeline[newDeploy].change).toMatchObject({ id: 'dep-2', version: 'v2.3.0' });
    expect(incident.rootCauses[0]).toMatchObject({
      key: 'change:dep-1',
      change: { status: 'rolled-back' },
    });
  });

  it('reads the new status of a change into an incident waiting out its quiet period', () => {
    const { changes } = play(
      billingBroken(120, 200),
      [
        [90, deploy],
        [240, { ...deploy, status: 'rolled-back', finishedAt: s(240) }],
      ],
      400,
    );
    const [incident] = finals(changes);
    expect(incident.status).toBe('resolved');
    expect(incident.rootCauses[0].change?.status).toBe('rolled-back');
    const recovered = incident.timeline.findIndex((e) => e.what.startsWith('recovered:'));
    const rolledBack = incident.timeline.findIndex((e) => e.what.endsWith('is now rolled-back'));
    expect(rolledBack).toBeGreaterThan(recovered);
    expect(recovered).toBeGreaterThan(0);
  });

  it('updates a change in place by id: one change kept, its new status on the incident', () => {
    const { changes, engine } = play(billingBroken(120), [
      [90, deploy],
      [150, { ...deploy, status: 'succeeded', finishedAt: s(150) }],
    ]);
    expect(engine.stats().changes).toBe(1);
    const [incident] = finals(changes);
    expect(incident.rootCauses[0].change?.status).toBe('succeeded');
    expect(incident.rootCauses[1].changes?.map((c) => c.status)).toEqual(['succeeded']);
  });

  it('forgets changes no incident can use any more', () => {
    const old = change({ id: 'old', entity: 'service:lonely', startedAt: s(1) });
    const { engine } = play(() => new Set(), [[1, old]], 15 * 60 + 80);
    expect(engine.stats().changes).toBe(0);
    expect(play(() => new Set(), [[1, old]], 60).engine.stats().changes).toBe(1);
  });
});

describe('ChangeLog', () => {
  it('keeps changes by entity, moves one whose entity a later post corrects, and forgets by start', () => {
    const log = new ChangeLog();
    log.record(change({ id: 'a', entity: 'service:x', startedAt: 10 }));
    log.record(change({ id: 'b', entity: 'service:x', startedAt: 20 }));
    log.record(change({ id: 'a', entity: 'service:y', startedAt: 10, status: 'failed' }));
    expect(log.size).toBe(2);
    expect(log.version).toBe(3);
    expect(log.on('service:x').map((c) => c.id)).toEqual(['b']);
    expect(log.on('service:y').map((c) => [c.id, c.status])).toEqual([['a', 'failed']]);
    log.forgetBefore(15);
    expect(log.get('a')).toBeUndefined();
    expect(log.on('service:y')).toEqual([]);
    expect(log.get('b')?.startedAt).toBe(20);
  });
});
