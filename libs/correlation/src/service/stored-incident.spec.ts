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
