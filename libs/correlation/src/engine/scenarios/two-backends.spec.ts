import { CASES, diagnosed, runScenario, verdict } from './scenario-harness';

jest.setTimeout(60_000);

describe('fault class: two unrelated backends fail within seconds', () => {
  it.each(CASES)(
    'seed %i, %i instances: two incidents, each with its own root',
    (seed, instances) => {
      const run = runScenario({ faultClass: 'two-backends', seed, instances });
      expect(run.truths).toHaveLength(2);
      expect(Math.abs(run.truths[0].startAt - run.truths[1].startAt)).toBeLessThanOrEqual(5_000);
      expect(verdict(run)).toEqual(diagnosed(run));
      expect(run.incidents.size).toBe(2);
    },
  );
});
