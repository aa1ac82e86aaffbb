import { type Check, instanceKey, type Report } from '@faultline/reports';

import type { EngineEventLike } from './engine-event';
import type { GroundTruth, Scenario, ScenarioSpec } from './scenario.model';
import { buildScenario } from './scenario-builder';
import { playScenario } from './scenario-player';

/** Test support: a scenario played into memory. */
export interface Recorded {
  scenario: Scenario;
  events: EngineEventLike[];
  truths: GroundTruth[];
  reports: Report[];
}

export function record(spec: ScenarioSpec): Recorded {
  const scenario = buildScenario(spec);
  const events: EngineEventLike[] = [];
  const truths = playScenario(scenario, (e) => events.push(e));
  const reports = events
    .filter((e): e is { kind: 'report'; report: Report } => e.kind === 'report')
    .map((e) => e.report);
  return { scenario, events, truths, reports };
}

/** The instance key of a report. */
export const keyOf = (r: Report): string => instanceKey(r.service, r.instance);

/** The check of `targetKey` in a report, if it has one. */
export const checkOf = (r: Report, targetKey: string): Check | undefined =>
  r.checks.find((c) => c.targetKey === targetKey);

/** Reports observed in [from, to). */
export const within = (reports: readonly Report[], from: number, to: number): Report[] =>
  reports.filter((r) => r.observedAt >= from && r.observedAt < to);

/** Share of `items` satisfying `ok` (1 for none). */
export const share = <T>(items: readonly T[], ok: (x: T) => boolean): number =>
  items.length === 0 ? 1 : items.filter(ok).length / items.length;

/** Seeds and sizes the shape specs of a fault class run: tuning and report seeds, 30 to 1,000 instances. */
export const SHAPE_CASES: [number, number][] = [
  [1, 30],
  [2, 120],
  [3, 400],
  [4, 1000],
  [5, 120],
  [6, 30],
  [7, 400],
  [8, 120],
];

/** A ground truth of one backend fault from 100 s to 200 s, for scorer and comparison specs. */
export const truth = (
  id: string,
  rootKey: string,
  over: Partial<GroundTruth> = {},
): GroundTruth => ({
  id,
  faultClass: 'backend-down',
  rootKey,
  startAt: 100_000,
  endAt: 200_000,
  evidenceAt: 101_000,
  affected: ['instance:a/a-1', 'instance:a/a-2'],
  ...over,
});
