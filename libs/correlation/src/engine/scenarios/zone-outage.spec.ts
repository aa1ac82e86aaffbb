import { CASES, diagnosed, runScenario, verdict } from './scenario-harness';

jest.setTimeout(60_000);

describe('fault class: a zone outage', () => {
  it.each(CASES)('seed %i, %i instances: the zone, once', (seed, instances) => {
    const run = runScenario({ faultClass: 'zone-outage', seed, instances });
    expect(verdict(run)).toEqual(diagnosed(run));
    const [incident] = run.incidents.values();
    expect(incident.rootCauses[0].summary).toMatch(
      /^(\d+) of \1 instances in it stopped reporting, on (\d+) of \2 hosts/,
    );
  });
});
