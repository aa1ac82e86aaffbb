import { INTAKE_KEY } from '@faultline/simulator';

import { CASES, diagnosed, runScenario, verdict } from './scenario-harness';

jest.setTimeout(60_000);

describe('fault class: everything silent at once', () => {
  it.each(CASES)(
    'seed %i, %i instances: the path to Faultline, not every zone and host at once',
    (seed, instances) => {
      const run = runScenario({ faultClass: 'everything-silent', seed, instances });
      expect(run.truths[0].rootKey).toBe(INTAKE_KEY);
      expect(verdict(run)).toEqual(diagnosed(run));
      // No incident ever put a zone, a host or a service first.
      expect(
        run.changes.filter((c) => c.incident.rootCauses[0].key !== INTAKE_KEY).map((c) => c.type),
      ).toEqual([]);
    },
  );
});
