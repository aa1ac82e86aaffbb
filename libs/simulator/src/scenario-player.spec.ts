import type { Report } from '@faultline/reports';

import type { EngineEventLike } from './engine-event';
import type { ScenarioSpec } from './scenario.model';
import { buildScenario, SCENARIO_EPOCH } from './scenario-builder';
import { playScenario } from './scenario-player';

function record(spec: ScenarioSpec) {
  const scenario = buildScenario(spec);
  const events: EngineEventLike[] = [];
  const truths = playScenario(scenario, (e) => events.push(e));
  const reports = events
    .filter((e): e is { kind: 'report'; report: Report } => e.kind === 'report')
    .map((e) => e.report);
  return { scenario, events, truths, reports };
}

describe('playScenario', () => {
  it('has every instance report about every 10 s, with a tick every second, in arrival order', () => {
    const { scenario, events, reports } = record({
      faultClass: 'flaps-only',
      seed: 1,
      instances: 30,
    });
    const ticks = events.filter((e) => e.kind === 'tick').map((e) => (e as { at: number }).at);
    expect(ticks[0]).toBe(SCENARIO_EPOCH + 1000);
    expect(ticks.every((t, i) => i === 0 || t - ticks[i - 1] === 1000)).toBe(true);
    expect(ticks[ticks.length - 1]).toBe(scenario.endAt);
    const byInstance = new Map<string, number[]>();
    for (const r of reports)
      byInstance.set(`${r.service}/${r.instance}`, [
        ...(byInstance.get(`${r.service}/${r.instance}`) ?? []),
        r.observedAt,
      ]);
    expect(byInstance.size).toBe(scenario.topology.instances.size);
    for (const times of byInstance.values()) {
      for (let i = 1; i < times.length; i++) {
        expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(9_600);
        expect(times[i] - times[i - 1]).toBeLessThanOrEqual(10_400);
      }
    }
    let last = 0;
    for (const e of events) {
      const at = e.kind === 'tick' ? e.at : e.kind === 'report' ? e.report.receivedAt : last;
      expect(at).toBeGreaterThanOrEqual(last);
      last = at;
    }
  });

  it('flaps about 0.5% of checks and says nothing happened when nothing did', () => {
    const { reports, truths } = record({ faultClass: 'flaps-only', seed: 2, instances: 400 });
    const checks = reports.flatMap((r) => r.checks);
    const share = checks.filter((c) => c.status === 'fail').length / checks.length;
    expect(share).toBeGreaterThan(0.004);
    expect(share).toBeLessThan(0.006);
    expect(truths).toEqual([]);
  });

  it('fails the dependents of a downed backend and records its first evidence and reach', () => {
    const { scenario, reports, truths } = record({
      faultClass: 'backend-down',
      seed: 3,
      instances: 120,
    });
    const [truth] = truths;
    const [fault] = scenario.faults;
    expect(truth).toMatchObject({
      id: 'f1',
      faultClass: 'backend-down',
      rootKey: fault.rootKey,
      startAt: fault.startAt,
      endAt: fault.endAt,
    });
    const failingDuring = reports.filter(
      (r) =>
        r.observedAt >= fault.startAt &&
        r.observedAt < fault.endAt &&
        r.checks.some((c) => c.targetKey === truth.rootKey && c.status === 'fail'),
    );
    const dependents = new Set(failingDuring.map((r) => `instance:${r.service}/${r.instance}`));
    expect(
      scenario.topology.backends.get(truth.rootKey)?.dependents.every((d) => dependents.has(d)),
    ).toBe(true);
    expect(truth.evidenceAt).toBe(Math.min(...failingDuring.map((r) => r.observedAt)));
    expect(truth.affected).toEqual(expect.arrayContaining([...dependents]));
    const after = reports.filter(
      (r) =>
        r.observedAt >= fault.endAt + 1000 && r.checks.some((c) => c.targetKey === truth.rootKey),
    );
    expect(
      after.filter((r) =>
        r.checks.some((c) => c.targetKey === truth.rootKey && c.status === 'fail'),
      ).length,
    ).toBeLessThan(after.length * 0.02);
  });

  it('silences a dead host, dating the evidence to its third missed interval', () => {
    const { scenario, reports, truths } = record({
      faultClass: 'host-down',
      seed: 4,
      instances: 120,
    });
    const fault = scenario.faults[0].fault as { host: string };
    const during = reports.filter(
      (r) =>
        r.host === fault.host &&
        r.observedAt >= truths[0].startAt &&
        r.observedAt < truths[0].endAt,
    );
    expect(during).toEqual([]);
    const lastBefore = Math.min(
      ...scenario.topology.hosts
        .get(fault.host)!
        .instances.map((key) =>
          Math.max(
            ...reports
              .filter(
                (r) =>
                  `instance:${r.service}/${r.instance}` === key && r.observedAt < truths[0].startAt,
              )
              .map((r) => r.observedAt),
          ),
        ),
    );
    expect(truths[0].evidenceAt).toBeLessThanOrEqual(lastBefore + 30_000);
  });

  it('delivers a late backend’s own reports after their observedAt', () => {
    const { scenario, reports } = record({ faultClass: 'late-evidence', seed: 2, instances: 120 });
    const late = scenario.faults[0].late;
    expect(late).toBeDefined();
    const delayed = reports.filter((r) => r.receivedAt > r.observedAt);
    expect(delayed.length).toBeGreaterThan(0);
    for (const r of delayed) expect(r.receivedAt - r.observedAt).toBe(late?.lateByMs);
  });

  it('replays a seed exactly', () => {
    const a = record({ faultClass: 'zone-outage', seed: 5, instances: 120 });
    const b = record({ faultClass: 'zone-outage', seed: 5, instances: 120 });
    expect(b.events).toEqual(a.events);
    expect(b.truths).toEqual(a.truths);
  });
});
