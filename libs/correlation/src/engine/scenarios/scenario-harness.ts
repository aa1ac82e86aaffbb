import {
  buildScenario,
  type GroundTruth,
  playScenario,
  type RunScore,
  type Scenario,
  type ScenarioSpec,
  scoreRun,
} from '@faultline/simulator';

import { CorrelationEngine } from '../correlation-engine';
import type { CorrelationOptions, Incident, IncidentChange } from '../engine.model';

export interface ScenarioRun {
  scenario: Scenario;
  truths: GroundTruth[];
  changes: IncidentChange[];
  score: RunScore;
  /** The last snapshot of every incident, by id. */
  incidents: Map<string, Incident>;
  engine: CorrelationEngine;
}

/**
 * Plays a simulated scenario through a fresh engine and scores what it said (test support).
 * `extraTailMs` plays that much more fault-free event time after the scenario's own end (90 s
 * after the last fault): for incidents whose quiet period may be longer (a flapping cause).
 */
export function runScenario(
  spec: ScenarioSpec,
  options: Partial<CorrelationOptions> = {},
  extraTailMs = 0,
): ScenarioRun {
  const built = buildScenario(spec);
  const scenario = { ...built, endAt: built.endAt + extraTailMs };
  const engine = new CorrelationEngine(options);
  const changes: IncidentChange[] = [];
  const truths = playScenario(scenario, (event) => {
    for (const c of engine.apply(event)) changes.push(c);
  });
  const incidents = new Map<string, Incident>();
  for (const c of changes) incidents.set(c.incident.id, c.incident);
  return { scenario, truths, changes, score: scoreRun(truths, changes), incidents, engine };
}

/** A readable account of a run, for assertion messages. */
export function explain(run: ScenarioRun): string {
  const lines = run.truths.map(
    (t) =>
      `truth ${t.rootKey} (${t.faultClass}${t.variant ? `/${t.variant}` : ''}) affected ${t.affected.length}`,
  );
  for (const inc of run.incidents.values()) {
    lines.push(
      `${inc.id} ${inc.status} opened ${(inc.openedAt - run.scenario.startAt) / 1000}s: ${inc.rootCauses.map((c) => `${c.key} ${c.confidence} [${c.summary}]`).join(' | ')} (${inc.affected.instances.length} instances)`,
    );
  }
  return lines.join('\n');
}

/** Seeds and sizes every fault-class spec runs: several seeds, and one topology of over 1,000 instances. */
export const CASES: [number, number][] = [
  [1, 120],
  [2, 120],
  [3, 120],
  [4, 400],
  [5, 1200],
];

/** What a fault-class spec asserts, in one comparable object (a failure shows every incident's top). */
export interface Verdict {
  /** 1-based rank of each true root in its incident's final ranking. */
  ranks: (number | null)[];
  falsePositives: number;
  duplicates: number;
  /** Final top cause of every incident, sorted. */
  tops: string[];
  /** Incidents still open when the scenario ended (after every fault had recovered). */
  unresolved: string[];
}

export function verdict(run: ScenarioRun): Verdict {
  const incidents = [...run.incidents.values()];
  return {
    ranks: run.score.truths.map((t) => t.rank),
    falsePositives: run.score.falsePositives,
    duplicates: run.score.duplicates,
    tops: incidents.map((i) => i.rootCauses[0].key).sort(),
    unresolved: incidents.filter((i) => i.status !== 'resolved').map((i) => i.id),
  };
}

/** The verdict of a run that got everything right: each truth on top of exactly one incident, nothing else. */
export function diagnosed(run: ScenarioRun): Verdict {
  return {
    ranks: run.truths.map(() => 1),
    falsePositives: 0,
    duplicates: 0,
    tops: run.truths.map((t) => t.rootKey).sort(),
    unresolved: [],
  };
}
