import type { Incident, IncidentChange } from '@faultline/correlation';
import { type IncidentDetailRow, toWriteRow } from '@faultline/correlation/service';

import { toIncidentDetail, toIncidentSummary } from './incident-rows';

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
  };
}

describe('API views', () => {
  it('gives the list item exactly the docs/CONTRACT.md fields, then the additions', () => {
    const row = {
      ...readBack(change('opened', T + 1_000, incident('inc-1'))),
      instance_count: 2,
      sort_at: '2026-11-25T10:00:00.000000Z',
    };
    const view = toIncidentSummary(row);
    expect(view).toEqual({
      id: 'inc-1',
      status: 'open',
      openedAt: '2026-11-25T10:00:00.000Z',
      resolvedAt: null,
      rootCauses: [
        {
          key: 'backend:amqp://rabbit-1:5672',
          confidence: 0.93,
          summary: '18 of 18 dependents lost it within 4 s',
          kind: 'backend',
        },
        { key: 'host:rabbit-1', confidence: 0.2, summary: '1 of 1 instances silent', kind: 'host' },
      ],
      affected: { services: ['nova-api', 'nova-conductor'], instances: 2 },
      firstEvidenceAt: '2026-11-25T09:59:56.000Z',
      changedAt: '2026-11-25T10:00:01.000Z',
      updatedAt: '2026-11-25T10:01:00.000Z',
    });
    expect(Object.keys(view).slice(0, 6)).toEqual([
      'id',
      'status',
      'openedAt',
      'resolvedAt',
      'rootCauses',
      'affected',
    ]);
  });

  it('adds the instance keys and the timeline to the detail', () => {
    const view = toIncidentDetail(readBack(change('opened', T, incident('inc-1'))));
    expect(view.affected).toEqual({
      services: ['nova-api', 'nova-conductor'],
      instances: 2,
      instanceKeys: ['instance:nova-api/a-1', 'instance:nova-conductor/c-1'],
    });
    expect(view.timeline).toEqual([{ at: '2026-11-25T10:00:00.000Z', what: 'opened' }]);
  });
});
