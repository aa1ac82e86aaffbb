import { buildScenario, playScenario } from '@faultline/simulator';

import { CorrelationEngine } from '../correlation-engine';
import { CASES, runScenario } from './scenario-harness';

jest.setTimeout(60_000);

describe('fault class: background flaps only', () => {
  it.each(CASES)('seed %i, %i instances: no incident at all', (seed, instances) => {
    const run = runScenario({ faultClass: 'flaps-only', seed, instances });
    expect(run.changes).toEqual([]);
  });

  it('stays quiet with twice the usual flap rate', () => {
    const run = runScenario({ faultClass: 'flaps-only', seed: 9, instances: 400, flapRate: 0.01 });
    expect(run.changes).toEqual([]);
  });

  it('sees the flaps it ignores (they are real failing reports)', () => {
    const scenario = buildScenario({ faultClass: 'flaps-only', seed: 1, instances: 120 });
    const engine = new CorrelationEngine();
    let failing = 0;
    let peakSymptoms = 0;
    playScenario(scenario, (e) => {
      if (e.kind === 'report') failing += e.report.checks.filter((c) => c.status === 'fail').length;
      engine.apply(e);
      peakSymptoms = Math.max(peakSymptoms, engine.stats().symptoms);
    });
    expect(failing).toBeGreaterThan(50);
    expect(peakSymptoms).toBeGreaterThan(0);
  });
});
