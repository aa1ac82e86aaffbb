import { describe, expect, it } from '@jest/globals';

import type { ChangeRef, RootCause } from './api';
import { causeEntity, duration, incidentChanges, relativeToFirst, safeHref } from './changes';

const ref = (id: string, startedAt: string, over: Partial<ChangeRef> = {}): ChangeRef => ({
  id,
  entity: 'service:billing',
  kind: 'deploy',
  status: 'succeeded',
  startedAt,
  version: 'v2.3.1',
  source: 'ci',
  summary: '',
  ...over,
});
const cause = (over: Partial<RootCause>): RootCause => ({
  key: 'service:billing',
  kind: 'service',
  confidence: 0.5,
  summary: '',
  ...over,
});

describe('changes on the dashboard', () => {
  it('collects every change an incident names once, oldest first, keeping its strongest role', () => {
    const deploy = ref('d1', '2026-01-01T12:00:05Z');
    const config = ref('c1', '2026-01-01T11:58:00Z', { kind: 'config', entity: 'backend:x' });
    const rollback = ref('r1', '2026-01-01T12:05:00Z', { status: 'rolled-back' });
    const nearby = ref('n1', '2026-01-01T11:50:00Z');
    const named = incidentChanges(
      {
        rootCauses: [
          cause({ key: 'change:d1', kind: 'change', change: deploy, changes: [deploy] }),
          cause({ changes: [config, deploy] }),
        ],
        timeline: [
          { at: '2026-01-01T12:00:50Z', what: 'opened' },
          { at: '2026-01-01T12:05:00Z', what: 'billing rolled back', change: rollback },
        ],
      },
      [nearby, deploy],
    );
    expect(named.map((c) => [c.change.id, c.role, c.of])).toEqual([
      ['n1', 'nearby', undefined],
      ['c1', 'evidence', 'service:billing'],
      ['d1', 'cause', undefined],
      ['r1', 'timeline', undefined],
    ]);
  });

  it('times a change against the first failure', () => {
    expect(relativeToFirst('2026-01-01T12:00:05Z', '2026-01-01T12:00:45Z')).toBe(
      '40 s before the first failure',
    );
    expect(relativeToFirst('2026-01-01T12:03:10Z', '2026-01-01T12:00:45Z')).toBe(
      '2 min 25 s after the first failure',
    );
    expect(relativeToFirst('not a time', '2026-01-01T12:00:45Z')).toBe('');
    expect(duration(3_600_000 + 5 * 60_000 + 7_000)).toBe('1 h 5 min');
    expect(duration(0)).toBe('0 s');
  });

  it('links only http(s) URLs', () => {
    expect(safeHref('https://ci.example.com/runs/4411')).toBe('https://ci.example.com/runs/4411');
    expect(safeHref('http://x.example/a?b=<c>')).toBe('http://x.example/a?b=%3Cc%3E');
    for (const bad of [
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      'data:text/html,<b>',
      '/relative',
      'vbscript:x',
      '',
    ])
      expect(safeHref(bad)).toBeNull();
  });

  it("places a change cause at its change's entity in the graph, any other cause at its key", () => {
    expect(
      causeEntity(
        cause({ key: 'change:d1', kind: 'change', change: ref('d1', '2026-01-01T12:00:05Z') }),
      ),
    ).toBe('service:billing');
    expect(causeEntity(cause({ key: 'backend:amqp://mq:5672', kind: 'backend' }))).toBe(
      'backend:amqp://mq:5672',
    );
  });
});
