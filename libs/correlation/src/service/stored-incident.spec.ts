import type { Incident, IncidentChange } from '../engine/engine.model';
import {
  type IncidentDetailRow,
  latestPerIncident,
  toIncident,
  toWriteRow,
} from './stored-incident';

const T = Date.UTC(2026, 10, 25, 10, 0, 0);

const incident = (id: string, over: Partial<Incident> = {}): Incident => ({
  id,
  status: 'open',
  openedAt: T,
  resolvedAt: null,
  firstEvidenceAt: T - 4_000,
  rootCauses: [
    {
      key: 'backend:amqp://rabbit-1:5672',
      kind: 'backend',
      confidence: 0.93,
      summary: '18 of 18 dependents lost it within 4 s',
    },
    { key: 'host:rabbit-1', kind: 'host', confidence: 0.2, summary: '1 of 1 instances silent' },
  ],
  affected: {
    services: ['nova-api', 'nova-conductor'],
    instances: ['instance:nova-api/a-1', 'instance:nova-conductor/c-1'],
  },
  timeline: [{ at: T, what: 'opened' }],
  severity: 'critical',
  flapping: false,
  cycles: 1,
  ...over,
});
const change = (type: IncidentChange['type'], at: number, inc: Incident): IncidentChange => ({
  type,
  at,
  incident: inc,
});

/** What node-pg hands back for a written row: timestamptz as Date, jsonb and arrays parsed. */
function readBack(change: IncidentChange, updatedAt = new Date(T + 60_000)): IncidentDetailRow {
  const w = toWriteRow(change);
  return {
    id: w.id,
    status: w.status,
    opened_at: new Date(w.opened_at),
    resolved_at: w.resolved_at === null ? null : new Date(w.resolved_at),
    first_evidence_at: new Date(w.first_evidence_at),
    root_causes: JSON.parse(JSON.stringify(w.root_causes)) as IncidentDetailRow['root_causes'],
    affected_services: w.affected_services,
    affected_instances: w.affected_instances,
    timeline: JSON.parse(JSON.stringify(w.timeline)) as IncidentDetailRow['timeline'],
    changed_at: new Date(w.changed_at),
    updated_at: updatedAt,
    severity: w.severity,
    flapping: w.flapping,
    cycles: w.cycles,
  };
}

describe('latestPerIncident', () => {
  it('keeps the latest change per incident, the later one on equal event time, sorted by id', () => {
    const b1 = change('opened', T, incident('b'));
    const b2 = change('updated', T + 10_000, incident('b', { timeline: [] }));
    const a1 = change('updated', T + 5_000, incident('a'));
    const a2 = change(
      'resolved',
      T + 5_000,
      incident('a', { status: 'resolved', resolvedAt: T + 5_000 }),
    );
    expect(latestPerIncident([b2, a1, b1, a2])).toEqual([a2, b2]);
    expect(latestPerIncident([])).toEqual([]);
  });
});

describe('toWriteRow / toIncident', () => {
  it('writes times as RFC 3339, the top cause as root_key, and reads back the same incident', () => {
    const inc = incident('inc-1', {
      status: 'resolved',
      resolvedAt: T + 60_000,
      timeline: [
        { at: T, what: 'opened', topCause: 'backend:amqp://rabbit-1:5672' },
        { at: T + 60_000, what: 'resolved' },
      ],
    });
    const row = toWriteRow(change('resolved', T + 60_000, inc));
    expect(row).toMatchObject({
      id: 'inc-1',
      status: 'resolved',
      opened_at: '2026-11-25T10:00:00.000Z',
      resolved_at: '2026-11-25T10:01:00.000Z',
      first_evidence_at: '2026-11-25T09:59:56.000Z',
      root_key: 'backend:amqp://rabbit-1:5672',
      changed_at: '2026-11-25T10:01:00.000Z',
    });
    expect(row.timeline).toEqual([
      { at: '2026-11-25T10:00:00.000Z', what: 'opened', topCause: 'backend:amqp://rabbit-1:5672' },
      { at: '2026-11-25T10:01:00.000Z', what: 'resolved' },
    ]);
    expect(toIncident(readBack(change('resolved', T + 60_000, inc)))).toEqual(inc);
  });

  it('has no root_key for an incident without causes', () => {
    expect(toWriteRow(change('opened', T, incident('x', { rootCauses: [] }))).root_key).toBeNull();
  });
});

describe('toWriteRow / toIncident: changes', () => {
  const deploy = {
    id: 'deploy-4411',
    entity: 'service:billing',
    kind: 'deploy' as const,
    status: 'succeeded' as const,
    startedAt: T - 40_000,
    version: 'v2.3.1',
    source: 'ci',
    summary: 'CI run 4411',
  };

  it('stores a change cause, the changes a cause names and a timeline change, and reads them back', () => {
    const inc = incident('inc-2', {
      rootCauses: [
        {
          key: 'change:deploy-4411',
          kind: 'change',
          confidence: 0.8,
          summary:
            'billing deployed v2.3.1 at 09:59:20 (ci: CI run 4411); 3 of 3 instances began failing 36 s later',
          change: deploy,
        },
        {
          key: 'service:billing',
          kind: 'service',
          confidence: 0.75,
          summary: '3 of 3 instances report themselves down',
          changes: [deploy],
        },
      ],
      timeline: [
        { at: T, what: 'opened', topCause: 'change:deploy-4411' },
        {
          at: T + 30_000,
          what: 'change while open: started deploy v2.3.0 of service:billing (ci): roll back',
          change: { ...deploy, id: 'deploy-4412', status: 'started', startedAt: T + 30_000 },
        },
      ],
    });
    const row = toWriteRow(change('updated', T + 30_000, inc));
    expect(row.root_key).toBe('change:deploy-4411');
    expect(row.root_causes[0].change).toEqual(deploy);
    expect(row.root_causes[1].changes).toEqual([deploy]);
    expect(row.timeline[1].change?.id).toBe('deploy-4412');
    expect(toIncident(readBack(change('updated', T + 30_000, inc)))).toEqual(inc);
  });

  it('writes no change fields for causes and entries without them', () => {
    const row = toWriteRow(change('opened', T, incident('inc-3')));
    expect(row.root_causes.every((c) => !('change' in c) && !('changes' in c))).toBe(true);
    expect(row.timeline.every((e) => !('change' in e))).toBe(true);
  });
});
