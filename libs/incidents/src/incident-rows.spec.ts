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

  it('carries the changes a cause or a timeline entry names, times as RFC 3339 whether stored as ms or text', () => {
    const deploy = {
      id: 'deploy-4411',
      entity: 'service:billing',
      kind: 'deploy',
      status: 'succeeded',
      startedAt: T - 40_000,
      version: 'v2.3.1',
      source: 'ci',
      summary: 'billing v2.3.1',
    };
    const config = {
      id: 'cfg-42',
      entity: 'backend:mysql://db-1:3306',
      kind: 'config',
      status: 'succeeded',
      startedAt: new Date(T - 120_000).toISOString(),
      version: null,
      source: null,
      summary: 'max_connections 50',
    };
    const row = detailRow(T);
    row.root_causes = [
      { key: 'change:deploy-4411', kind: 'change', confidence: 0.9, summary: 's', change: deploy },
      {
        key: 'backend:mysql://db-1:3306',
        kind: 'backend',
        confidence: 0.4,
        summary: 't',
        // One stored value is no change at all: it is left out, the others kept in order.
        changes: [config, { id: 'x', startedAt: 'not a time' }, deploy],
      },
      { key: 'host:h', kind: 'host', confidence: 0.1, summary: 'u', change: 'nonsense' },
    ] as unknown as IncidentDetailRow['root_causes'];
    row.timeline = [
      { at: new Date(T).toISOString(), what: 'opened', topCause: 'change:deploy-4411' },
      {
        at: new Date(T + 60_000).toISOString(),
        what: 'billing rolled back to v2.3.0',
        change: {
          ...deploy,
          id: 'rb-1',
          status: 'rolled-back',
          version: 'v2.3.0',
          startedAt: T + 50_000,
        },
      } as IncidentDetailRow['timeline'][number],
    ];
    const view = toIncidentDetail(row);
    const deployView = {
      id: 'deploy-4411',
      entity: 'service:billing',
      kind: 'deploy',
      status: 'succeeded',
      startedAt: '2026-11-25T09:59:20.000Z',
      version: 'v2.3.1',
      source: 'ci',
      summary: 'billing v2.3.1',
    };
    expect(view.rootCauses).toEqual([
      {
        key: 'change:deploy-4411',
        confidence: 0.9,
        summary: 's',
        kind: 'change',
        change: deployView,
      },
      {
        key: 'backend:mysql://db-1:3306',
        confidence: 0.4,
        summary: 't',
        kind: 'backend',
        changes: [{ ...config, startedAt: '2026-11-25T09:58:00.000Z' }, deployView],
      },
      { key: 'host:h', confidence: 0.1, summary: 'u', kind: 'host' },
    ]);
    expect(Object.keys(view.rootCauses[0])).toEqual([
      'key',
      'confidence',
      'summary',
      'kind',
      'change',
    ]);
    expect(view.timeline).toEqual([
      { at: '2026-11-25T10:00:00.000Z', what: 'opened', topCause: 'change:deploy-4411' },
      {
        at: '2026-11-25T10:01:00.000Z',
        what: 'billing rolled back to v2.3.0',
        change: {
          ...deployView,
          id: 'rb-1',
          status: 'rolled-back',
          version: 'v2.3.0',
          startedAt: '2026-11-25T10:00:50.000Z',
        },
      },
    ]);
    // The list view names the same changes.
    expect(toIncidentSummary({ ...row, instance_count: 2, sort_at: '' }).rootCauses).toEqual(
      view.rootCauses,
    );
  });
});
