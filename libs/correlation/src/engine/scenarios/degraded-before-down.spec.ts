import { CASES, diagnosed, runScenario, verdict } from './scenario-harness';

jest.setTimeout(60_000);

describe('fault class: a backend degraded before it fails', () => {
  it.each(CASES)(
    'seed %i, %i instances: the backend its dependents warn about, named from the warnings, once',
    (seed, instances) => {
      const run = runScenario({ faultClass: 'degraded-before-down', seed, instances });
      const [truth] = run.truths;
      expect(truth.variant).toBe(seed % 2 === 0 ? 'warn-only' : 'warn-then-fail');
      expect(verdict(run)).toEqual(diagnosed(run));
      // Named while it was only slow, not once it failed.
      const warnUntil = truth.stages?.[1]?.startAt ?? truth.endAt;
      const delay = run.score.truths[0].delayMs;
      expect(delay).not.toBeNull();
      expect((truth.evidenceAt as number) + (delay as number)).toBeLessThan(warnUntil);
    },
  );
});
