import { changeCauseText, evidenceChangesText, evidenceWithChanges } from './change-text';
import {
  CONFIG,
  configEvidenceEvent,
  DEPLOY,
  deployEvent,
  openedEvent,
  RABBIT,
} from './spec-support';

const top = (event: ReturnType<typeof openedEvent>) => event.incident.rootCauses[0];

describe('changeCauseText', () => {
  it("names the change from its fields, then the engine's evidence", () => {
    const event = deployEvent();
    expect(changeCauseText(event, top(event))).toBe(
      'billing deployed v2.3.1 at 12:00:05 UTC (ci) — 3 of 3 instances began failing 40 s later',
    );
  });

  it('works the evidence out itself from a summary without that form: how much later the changed service failed', () => {
    const event = deployEvent({}, { summary: 'a deploy' });
    expect(changeCauseText(event, top(event))).toBe(
      'billing deployed v2.3.1 at 12:00:05 UTC (ci) — 3 instances of billing began failing 40 s later',
    );
    const late = deployEvent({ startedAt: '2025-03-01T12:01:00.000Z' }, { summary: '' });
    expect(changeCauseText(late, top(late))).toBe(
      'billing deployed v2.3.1 at 12:01:00 UTC (ci) — 3 instances of billing began failing 15 s before it',
    );
    const db = deployEvent(
      { entity: 'backend:mysql://db-1:3306', kind: 'config', version: null },
      { summary: '' },
    );
    expect(changeCauseText(db, top(db))).toBe(
      'backend:mysql://db-1:3306 reconfigured at 12:00:05 UTC (ci) — the first failure came 40 s later',
    );
    const unknown = deployEvent({}, { summary: '' });
    delete unknown.incident.firstEvidenceAt;
    expect(changeCauseText(unknown, top(unknown))).toBe(
      'billing deployed v2.3.1 at 12:00:05 UTC (ci)',
    );
  });

  it('says a rollback and a failed change in their own words', () => {
    const rollback = deployEvent({ status: 'rolled-back', version: 'v2.3.0' });
    expect(changeCauseText(rollback, top(rollback))).toMatch(
      /^billing rolled back to v2\.3\.0 at 12:00:05 UTC \(ci\) — /,
    );
    const failed = deployEvent({ status: 'failed', source: null });
    expect(changeCauseText(failed, top(failed))).toMatch(
      /^billing failed to deploy v2\.3\.1 at 12:00:05 UTC — /,
    );
  });

  it('is null for a cause that is not a change', () => {
    const event = configEvidenceEvent();
    expect(changeCauseText(event, top(event))).toBeNull();
    expect(changeCauseText(openedEvent(), top(openedEvent()))).toBeNull();
  });

  it('keeps values from the data on one line and cut to a readable length', () => {
    const event = deployEvent({ version: `v1\nBCC: everyone ${'x'.repeat(200)}` });
    const text = changeCauseText(event, top(event))!;
    expect(text).not.toMatch(/\n/);
    expect(text).toContain('deployed v1 BCC: everyone x');
    expect(text.length).toBeLessThan(220);
  });
});

describe('evidenceChangesText / evidenceWithChanges', () => {
  it("adds a change the summary does not name, without repeating the cause's own name", () => {
    const event = configEvidenceEvent();
    expect(evidenceWithChanges(event, top(event))).toBe(
      '18 of 18 dependents lost it within 4 s; reconfigured 2 min before (config v42, argo)',
    );
  });

  it('says a change once when the summary names it already (as the engine writes it)', () => {
    const said =
      '18 of 18 dependents lost it within 4 s; reconfigured 2 min before (config v42, argo)';
    const event = configEvidenceEvent([CONFIG], said);
    expect(evidenceWithChanges(event, top(event))).toBe(said);
    // The machine-readable text still names it.
    expect(evidenceChangesText(event, top(event))).toBe(
      'reconfigured 2 min before (config v42, argo)',
    );
  });

  it('names the entity of a change on something else, shows two changes and counts the rest', () => {
    const event = configEvidenceEvent([
      { ...DEPLOY, startedAt: '2025-03-01T09:59:15.000Z' },
      CONFIG,
      { ...CONFIG, id: 'cfg-41', version: 'v41' },
      { ...CONFIG, id: 'cfg-40', version: 'v40' },
    ]);
    expect(evidenceChangesText(event, top(event))).toBe(
      'billing deployed 40 s before (deploy v2.3.1, ci); reconfigured 2 min before (config v42, argo); and 2 more changes',
    );
  });

  it('dates a change when the first failure is unknown, and says nothing without changes', () => {
    const event = configEvidenceEvent();
    delete event.incident.firstEvidenceAt;
    expect(evidenceChangesText(event, top(event))).toBe(
      'reconfigured at 09:57:55 UTC (config v42, argo)',
    );
    expect(evidenceChangesText(openedEvent(), top(openedEvent()))).toBeNull();
    expect(evidenceWithChanges(openedEvent(), top(openedEvent()))).toBe(
      '18 of 18 dependents lost it within 4 s',
    );
    expect(top(openedEvent()).key).toBe(RABBIT);
  });
});
