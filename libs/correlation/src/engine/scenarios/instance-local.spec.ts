import { CASES, diagnosed, runScenario, verdict } from './scenario-harness';

jest.setTimeout(60_000);

describe('fault class: one instance loses a backend the others still reach', () => {
  it.each(CASES)('seed %i, %i instances: that instance, never the backend', (seed, instances) => {
    const run = runScenario({ faultClass: 'instance-local', seed, instances });
    expect(verdict(run)).toEqual(diagnosed(run));
    expect(run.changes.filter((c) => c.incident.rootCauses[0].kind !== 'instance')).toEqual([]);
    const [incident] = run.incidents.values();
    const m =
      /^fails its check of (backend:\S+) \((\d+) reports in a row\) while (\d+) of (\d+) other dependents reach it$/.exec(
        incident.rootCauses[0].summary,
      );
    expect(m).not.toBeNull();
    const [, backend, run_, ok, others] = (m as RegExpExecArray).map((x, i) =>
      i === 1 ? x : Number(x),
    ) as [string, string, number, number, number];
    expect(backend).toBe((run.scenario.faults[0].fault as { backend: string }).backend);
    expect(run_).toBeGreaterThanOrEqual(4);
    expect(ok).toBeGreaterThanOrEqual(0.9 * others);
    // The backend is still among the candidates, well below the instance.
    const alternative = incident.rootCauses.find((c) => c.key === backend);
    expect(alternative?.confidence ?? 0).toBeLessThan(incident.rootCauses[0].confidence / 2);
    expect(incident.affected.instances).toEqual([run.truths[0].rootKey]);
  });
});
