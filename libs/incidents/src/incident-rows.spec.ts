import type { IncidentDetailRow } from '@faultline/correlation/service';

import { toIncidentDetail, toIncidentSummary } from './incident-rows';

const T = Date.UTC(2026, 10, 25, 10, 0, 0);

/** An incidents row as node-pg hands it back (timestamptz as Date, jsonb parsed). */
const detailRow = (changedAt: number): IncidentDetailRow => ({
  id: 'inc-1',
  status: 'open',
  opened_at: new Date(T),
  resolved_at: null,
  first_evidence_at: new Date(T - 4_000),
  root_causes: [
    {
      key: 'backend:amqp://rabbit-1:5672',
      kind: 'backend',
      confidence: 0.93,
      summary: '18 of 18 dependents lost it within 4 s',
    },
    { key: 'host:rabbit-1', kind: 'host', confidence: 0.2, summary: '1 of 1 instances silent' },
  ],
  affected_services: ['nova-api', 'nova-conductor'],
  affected_instances: ['instance:nova-api/a-1', 'instance:nova-conductor/c-1'],
  timeline: [{ at: new Date(T).toISOString(), what: 'opened' }],
  changed_at: new Date(changedAt),
  updated_at: new Date(T + 60_000),
  severity: 'critical',
  flapping: true,
  cycles: 3,
});

describe('API views', () => {
  it('gives the list item exactly the docs/CONTRACT.md fields, then the additions', () => {
    const row = {
      ...detailRow(T + 1_000),
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
      severity: 'critical',
      flapping: true,
      cycles: 3,
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
    const view = toIncidentDetail(detailRow(T));
    expect(view.affected).toEqual({
      services: ['nova-api', 'nova-conductor'],
      instances: 2,
      instanceKeys: ['instance:nova-api/a-1', 'instance:nova-conductor/c-1'],
    });
    expect(view.timeline).toEqual([{ at: '2026-11-25T10:00:00.000Z', what: 'opened' }]);
  });
});
