import type { Report, Status } from '@faultline/reports';

import { type CheckState, instanceId, type InstanceState } from './state.model';
import { planStateChanges } from './state-planner';

const report = (observedAt: number, db: Status, extra: Partial<Report> = {}): Report => ({
  id: null,
  service: 'nova',
  instance: 'nova-1',
  host: 'h1',
  labels: { zone: 'az1' },
  observedAt,
  receivedAt: 1_000_000,
  status: db,
  checks: [
    {
      name: 'db',
      target: 'mysql://db:3306',
      targetKey: 'backend:mysql://db:3306',
      status: db,
      latencyMs: 1,
      output: null,
    },
  ],
  ...extra,
});

const fresh: InstanceState = {
  service: 'nova',
  name: 'nova-1',
  host: null,
  zone: null,
  labels: {},
  status: 'pass',
  firstSeenAt: -Infinity,
  lastSeenAt: -Infinity,
  lastReceivedAt: 0,
  intervalMs: null,
};
/** The stored state of nova-1: its row and the given check rows. */
const stateOf = (instance: InstanceState = fresh, checks: CheckState[] = []) =>
  new Map([
    [instanceId('nova', 'nova-1'), { instance, checks: new Map(checks.map((c) => [c.name, c])) }],
  ]);

describe('planStateChanges', () => {
  it('records first sight, then only real changes, in event-time order whatever the arrival order', () => {
    const plan = planStateChanges(
      [report(30_000, 'pass'), report(10_000, 'pass'), report(20_000, 'fail')],
      stateOf(fresh),
    );
    expect(plan.transitions.map((t) => [t.from, t.to, t.observedAt])).toEqual([
      [null, 'pass', 10_000],
      ['pass', 'fail', 20_000],
      ['fail', 'pass', 30_000],
    ]);
    expect(plan.checks).toHaveLength(1);
    expect(plan.checks[0]).toMatchObject({ status: 'pass', since: 30_000 });
    expect(plan.instances[0]).toMatchObject({
      lastSeenAt: 30_000,
      firstSeenAt: 10_000,
      zone: 'az1',
      host: 'h1',
      intervalMs: 10_000,
    });
    expect(plan.late).toBe(0);
  });

  it('never lets an older report overwrite newer state', () => {
    const current: InstanceState = {
      ...fresh,
      firstSeenAt: 0,
      lastSeenAt: 50_000,
      intervalMs: 10_000,
    };
    const check: CheckState = {
      service: 'nova',
      instance: 'nova-1',
      name: 'db',
      target: 'mysql://db:3306',
      backendKey: 'backend:mysql://db:3306',
      status: 'pass',
      since: 0,
      latencyMs: 1,
      output: null,
    };
    const plan = planStateChanges(
      [report(40_000, 'fail'), report(50_000, 'fail')],
      stateOf(current, [check]),
    );
    expect(plan).toEqual({ instances: [], checks: [], transitions: [], replayed: [], late: 2 });
  });

  it('replays an instance timeline from its late reports, as if they had arrived in order', () => {
    const current: InstanceState = {
      ...fresh,
      firstSeenAt: 0,
      lastSeenAt: 50_000,
      intervalMs: 10_000,
      status: 'pass',
    };
    const db: CheckState = {
      service: 'nova',
      instance: 'nova-1',
      name: 'db',
      target: 'mysql://db:3306',
      backendKey: 'backend:mysql://db:3306',
      status: 'pass',
      since: 0,
      latencyMs: 1,
      output: null,
    };
    const late = [report(30_000, 'pass'), report(20_000, 'fail')];
    const replay = {
      from: 20_000,
      reports: [...late, report(50_000, 'pass')],
      baseline: new Map([['db', db]]),
    };
    const plan = planStateChanges(
      late,
      stateOf(current, [db]),
      new Map([[instanceId('nova', 'nova-1'), replay]]),
    );
    expect(plan.transitions.map((t) => [t.from, t.to, t.observedAt])).toEqual([
      ['pass', 'fail', 20_000],
      ['fail', 'pass', 30_000],
    ]);
    expect(plan.checks).toEqual([
      expect.objectContaining({ name: 'db', status: 'pass', since: 30_000 }),
    ]);
    expect(plan.replayed).toEqual([{ service: 'nova', instance: 'nova-1', from: 20_000 }]);
    expect(plan.instances[0]).toMatchObject({
      lastSeenAt: 50_000,
      status: 'pass',
      intervalMs: 10_000,
    });
    expect(plan.late).toBe(2);
  });

  it('leaves late reports beyond the replay floor as history: no state, no transition', () => {
    const current: InstanceState = { ...fresh, firstSeenAt: 0, lastSeenAt: 50_000 };
    const db: CheckState = {
      service: 'nova',
      instance: 'nova-1',
      name: 'db',
      target: 'mysql://db:3306',
      backendKey: 'backend:mysql://db:3306',
      status: 'pass',
      since: 0,
      latencyMs: 1,
      output: null,
    };
    // The floor is 40 s: a fail at 10 s is too old to replay.
    const replay = {
      from: 40_000,
      reports: [report(40_000, 'pass'), report(50_000, 'pass')],
      baseline: new Map([['db', db]]),
      floor: 40_000,
    };
    const tooOld = planStateChanges(
      [report(10_000, 'fail')],
      stateOf(current, [db]),
      new Map([[instanceId('nova', 'nova-1'), replay]]),
    );
    expect(tooOld).toEqual({ instances: [], checks: [], transitions: [], replayed: [], late: 1 });

    // With one inside the floor in the same batch, the replay starts at that one, not the floor.
    const stored = [report(40_000, 'pass'), report(45_000, 'fail'), report(50_000, 'pass')];
    const mixed = planStateChanges(
      [report(10_000, 'fail'), report(45_000, 'fail'), report(60_000, 'pass')],
      stateOf(current, [db]),
      new Map([
        [instanceId('nova', 'nova-1'), { ...replay, reports: [...stored, report(60_000, 'pass')] }],
      ]),
    );
    expect(mixed.replayed).toEqual([{ service: 'nova', instance: 'nova-1', from: 45_000 }]);
    expect(mixed.transitions.map((t) => [t.from, t.to, t.observedAt])).toEqual([
      ['pass', 'fail', 45_000],
      ['fail', 'pass', 50_000],
    ]);
    expect(mixed.instances[0]).toMatchObject({ firstSeenAt: 0, lastSeenAt: 60_000 });
    expect(mixed.late).toBe(2);
  });

  it('writes nothing for a check whose status did not change', () => {
    const current: InstanceState = {
      ...fresh,
      firstSeenAt: 0,
      lastSeenAt: 50_000,
      intervalMs: 10_000,
    };
    const check: CheckState = {
      service: 'nova',
      instance: 'nova-1',
      name: 'db',
      target: 'mysql://db:3306',
      backendKey: 'backend:mysql://db:3306',
      status: 'pass',
      since: 0,
      latencyMs: 1,
      output: null,
    };
    const plan = planStateChanges([report(60_000, 'pass')], stateOf(current, [check]));
    expect(plan.checks).toEqual([]);
    expect(plan.transitions).toEqual([]);
    expect(plan.instances[0].lastSeenAt).toBe(60_000);
  });

  it('learns the usual interval without being thrown by one long gap', () => {
    const current: InstanceState = { ...fresh, firstSeenAt: 0, lastSeenAt: 0, intervalMs: 10_000 };
    const plan = planStateChanges([report(3_600_000, 'pass')], stateOf(current));
    expect(plan.instances[0].intervalMs).toBe(10_000 + 0.2 * 30_000);
  });

  it('refuses to plan for an instance whose state was not loaded', () => {
    expect(() => planStateChanges([report(1, 'pass')], new Map())).toThrow(/no state loaded/);
  });
});
