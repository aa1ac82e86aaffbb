import type { Report } from '@faultline/reports';

import { CorrelationEngine } from './correlation-engine';
import {
  type CorrelationReport,
  decodeCorrelationReports,
  encodeCorrelationReports,
} from './correlation-report';

/** What the engine reads of a report, as a plain object: what the round trip must keep. */
const readByEngine = (r: CorrelationReport) => ({
  service: r.service,
  instance: r.instance,
  host: r.host,
  zone: r.labels.zone,
  observedAt: r.observedAt,
  receivedAt: r.receivedAt,
  status: r.status,
  periodic: r.periodic,
  checks: r.checks.map((c) => ({ name: c.name, targetKey: c.targetKey, status: c.status })),
});

/** Through the Correlate job: encoded, serialised as BullMQ does, decoded. */
const throughTheQueue = (reports: readonly CorrelationReport[]) =>
  decodeCorrelationReports(JSON.parse(JSON.stringify(encodeCorrelationReports(reports))));

const full: Report = {
  id: 'client-id-1',
  service: 'nova-api',
  instance: 'nova-api-3',
  host: 'compute-12',
  labels: { zone: 'az1', team: 'compute' },
  observedAt: 1_700_000_000_123,
  receivedAt: 1_700_000_000_456,
  status: 'fail',
  checks: [
    {
      name: 'rabbitmq',
      target: 'amqp://rabbit-1:5672',
      targetKey: 'backend:amqp://rabbit-1:5672',
      status: 'fail',
      latencyMs: 12,
      output: 'connection refused',
    },
    { name: 'disk', target: null, targetKey: null, status: 'warn', latencyMs: null, output: null },
  ],
};

const bare: Report = {
  id: null,
  service: 'billing',
  instance: 'billing-7',
  host: null,
  labels: {},
  observedAt: 1_700_000_001_000,
  receivedAt: 1_700_000_001_000,
  status: 'pass',
  checks: [],
};

const event: Report = { ...bare, instance: 'alert-1', periodic: false, status: 'warn' };

describe('the Correlate job payload (encodeCorrelationReports / decodeCorrelationReports)', () => {
  it('keeps every field the engine reads, through JSON', () => {
    const back = throughTheQueue([full, bare, event]);
    expect(back.map(readByEngine)).toEqual([full, bare, event].map(readByEngine));
  });

  it('keeps a report with no host, zone or periodic flag as such, and a check with no target', () => {
    const [fullBack, bareBack, eventBack] = throughTheQueue([full, bare, event]);
    expect(bareBack).toEqual({
      service: 'billing',
      instance: 'billing-7',
      host: null,
      labels: {},
      observedAt: 1_700_000_001_000,
      receivedAt: 1_700_000_001_000,
      status: 'pass',
      checks: [],
    });
    expect('periodic' in bareBack).toBe(false);
    expect(eventBack.periodic).toBe(false);
    expect(fullBack.labels).toEqual({ zone: 'az1' });
    expect(fullBack.checks[1]).toEqual({ name: 'disk', targetKey: null, status: 'warn' });
  });

  it('carries no bodies: outputs, latencies, targets, other labels and ids stay behind', () => {
    const wire = JSON.stringify(encodeCorrelationReports([full]));
    for (const left of ['connection refused', '"amqp://', 'team', '"compute"', 'client-id-1'])
      expect(wire).not.toContain(left);
    expect(wire).toContain('backend:amqp://rabbit-1:5672');
  });

  it('an engine fed the decoded reports ends where one fed the full reports does', () => {
    const reports: Report[] = [];
    // Five instances of one service lose the same broker for a minute.
    for (let t = 0; t < 60_000; t += 10_000)
      for (let i = 0; i < 5; i++)
        reports.push({
          ...full,
          instance: `nova-api-${i}`,
          host: `compute-${i}`,
          observedAt: 1_700_000_000_000 + t + i,
          receivedAt: 1_700_000_000_000 + t + i,
          status: t === 0 ? 'pass' : 'fail',
          checks: [{ ...full.checks[0], status: t === 0 ? 'pass' : 'fail' }],
        });
    const run = (fed: readonly CorrelationReport[]) => {
      const engine = new CorrelationEngine();
      const changes = fed.flatMap((report) => [
        ...engine.apply({ kind: 'tick', at: report.observedAt - 1 }),
        ...engine.apply({ kind: 'report', report }),
      ]);
      changes.push(...engine.apply({ kind: 'tick', at: 1_700_000_061_000 }));
      return changes;
    };
    const direct = run(reports);
    expect(direct.some((c) => c.type === 'opened')).toBe(true);
    expect(run(throughTheQueue(reports))).toEqual(direct);
  });
});
