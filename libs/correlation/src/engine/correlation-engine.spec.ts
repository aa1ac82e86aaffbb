import { type Check, parseTarget, type Report } from '@faultline/reports';

import { CorrelationEngine } from './correlation-engine';
import { type IncidentChange, InvalidCorrelationOptionsError } from './engine.model';

const T0 = Date.UTC(2026, 10, 25, 10);
const s = (seconds: number) => T0 + seconds * 1000;

interface Member {
  service: string;
  name: string;
  host: string;
  zone: string;
  targets: [string, string][];
  intervalMs: number;
  phaseMs: number;
}

/** 20 app instances (4 a host, two zones) checking a broker and a database, plus the broker and database themselves. */
function fleet(broker = 'amqp://rabbit-1:5672'): Member[] {
  const apps: Member[] = Array.from({ length: 20 }, (_, i) => ({
    service: 'app',
    name: `app-${i + 1}`,
    host: `node-${Math.floor(i / 4) + 1}`,
    zone: i < 12 ? 'az1' : 'az2',
    targets: [
      ['rabbitmq', broker],
      ['database', 'mysql://db-1:3306/app'],
    ] as [string, string][],
    intervalMs: 10_000,
    phaseMs: i * 500,
  }));
  return [
    ...apps,
    {
      service: 'rabbitmq',
      name: 'rabbit-1',
      host: 'rabbit-1',
      zone: 'az1',
      targets: [],
      intervalMs: 10_000,
      phaseMs: 250,
    },
    {
      service: 'mysql',
      name: 'db-1',
      host: 'db-1',
      zone: 'az2',
      targets: [],
      intervalMs: 10_000,
      phaseMs: 750,
    },
  ];
}

type Failing = (m: Member, at: number) => { fails: Set<string>; silent?: boolean };

/** Plays the fleet from 0 to `until` seconds: each member reports on its own interval, a tick every second. */
function play(
  engine: CorrelationEngine,
  members: Member[],
  until: number,
  failing: Failing = () => ({ fails: new Set() }),
): IncidentChange[] {
  const changes: IncidentChange[] = [];
  const next = members.map((m) => T0 + m.phaseMs);
  for (let tick = s(1); tick <= s(until); tick += 1000) {
    members.forEach((m, i) => {
      while (next[i] <= tick) {
        const at = next[i];
        next[i] += m.intervalMs;
        const state = failing(m, at);
        if (state.silent) continue;
        const checks: Check[] = m.targets.map(([name, target]) => ({
          name,
          target,
          targetKey: parseTarget(target).key,
          status: state.fails.has(name) ? 'fail' : 'pass',
          latencyMs: 2,
          output: null,
        }));
        checks.push({
          name: 'process',
          target: null,
          targetKey: null,
          status: state.fails.has('process') ? 'fail' : 'pass',
          latencyMs: null,
          output: null,
        });
        const status = checks.some((c) => c.status === 'fail') ? 'fail' : 'pass';
        const report: Report = {
          id: null,
          service: m.service,
          instance: m.name,
          host: m.host,
          labels: { zone: m.zone },
          observedAt: at,
          receivedAt: at,
          status,
          checks,
        };
        engine.apply({ kind: 'report', report });
      }
    });
    changes.push(...engine.apply({ kind: 'tick', at: tick }));
  }
  return changes;
}

const brokerDown: Failing = (m, at) => {
  const down = at >= s(100) && at < s(160);
  if (!down) return { fails: new Set() };
  return {
    fails: new Set(
      m.service === 'rabbitmq' ? ['process'] : m.service === 'app' ? ['rabbitmq'] : [],
    ),
  };
};

describe('CorrelationEngine', () => {
  it('names a broker that all its dependents lost, in one incident that resolves when they recover', () => {
    // Played past the quiet period (75 s) that the incident waits out before it resolves.
    const changes = play(new CorrelationEngine(), fleet(), 260, brokerDown);
    const opened = changes.filter((c) => c.type === 'opened');
    expect(opened).toHaveLength(1);
    expect(opened[0].at).toBeGreaterThanOrEqual(s(100));
    expect(opened[0].at).toBeLessThanOrEqual(s(110));
    const last = changes[changes.length - 1];
    expect(last.type).toBe('resolved');
    expect(last.incident.id).toBe(opened[0].incident.id);
    expect(last.incident.resolvedAt).toBeGreaterThanOrEqual(s(160));
    expect(last.incident.resolvedAt).toBeLessThanOrEqual(s(172));
    const [top] = last.incident.rootCauses;
    expect(top).toMatchObject({ key: 'backend:amqp://rabbit-1:5672', kind: 'backend' });
    expect(top.confidence).toBeGreaterThanOrEqual(0.9);
    expect(top.summary).toMatch(
      /^20 of 20 dependents lost it within \d+ s; it reports itself down/,
    );
    expect(last.incident.affected.services).toEqual(['app', 'rabbitmq']);
    expect(last.incident.affected.instances).toHaveLength(21);
    expect(last.incident.timeline.map((e) => e.what)).toEqual([
      expect.stringMatching(/^first evidence: /),
      expect.stringMatching(/^opened: backend:amqp/),
      expect.stringMatching(/^recovered: no symptom left; resolves after 75 s quiet/),
      expect.stringMatching(/^resolved/),
    ]);
    expect(last.incident.timeline.map((e) => e.topCause)).toEqual([
      undefined,
      'backend:amqp://rabbit-1:5672',
      undefined,
      undefined,
    ]);
    expect(last.incident).toMatchObject({ severity: 'critical', flapping: false, cycles: 1 });
  });

  it('blames one instance that loses a backend the others still reach, and never the backend', () => {
    const changes = play(new CorrelationEngine(), fleet(), 280, (m, at) => ({
      fails: new Set(m.name === 'app-7' && at >= s(100) && at < s(180) ? ['database'] : []),
    }));
    expect(changes.every((c) => c.incident.rootCauses[0].key === 'instance:app/app-7')).toBe(true);
    const opened = changes.filter((c) => c.type === 'opened');
    expect(opened).toHaveLength(1);
    // Four failing reports in a row are needed from a lone witness: at 103, 113, 123 and 133 s.
    expect(opened[0].at).toBe(s(133));
    expect(opened[0].incident.rootCauses[0].summary).toBe(
      'fails its check of backend:mysql://db-1:3306 (4 reports in a row) while 19 of 19 other dependents reach it',
    );
    expect(changes[changes.length - 1].type).toBe('resolved');
  });

  it('opens nothing for isolated flaps, however many', () => {
    const flaps: Failing = (m, at) => {
      const second = Math.round((at - T0) / 1000);
      const n = Number(m.name.replace(/\D/g, '') || 0);
      return {
        fails: new Set(
          second % 37 === n % 37
            ? ['database']
            : second % 41 === n % 41
              ? ['rabbitmq', 'process']
              : [],
        ),
      };
    };
    expect(play(new CorrelationEngine(), fleet(), 400, flaps)).toEqual([]);
  });

  it('learns each instance’s own interval and calls it stale after three of them', () => {
    const members: Member[] = [
      ...fleet(),
      {
        service: 'batch',
        name: 'batch-1',
        host: 'batch-host',
        zone: 'az3',
        targets: [],
        intervalMs: 30_000,
        phaseMs: 0,
      },
    ];
    const changes = play(new CorrelationEngine(), members, 300, (m, at) => ({
      fails: new Set(),
      silent: m.name === 'batch-1' && at > s(100),
    }));
    // Last report at 90 s; three 30 s intervals later it is stale (a 10 s instance would have been long before).
    expect(changes.map((c) => [c.type, (c.at - T0) / 1000])).toEqual([['opened', 180]]);
    expect(changes[0].incident.rootCauses[0]).toMatchObject({
      key: 'instance:batch/batch-1',
      summary: 'stopped reporting: missed 3 of its 30 s intervals',
    });
  });

  it('sees a broker reached through an alias as the broker it reports itself as', () => {
    const engine = new CorrelationEngine();
    engine.apply({
      kind: 'alias',
      targetKey: 'backend:amqp://mq.internal:5672',
      servedBy: 'instance:rabbitmq/rabbit-1',
    });
    const changes = play(engine, fleet('amqp://guest:guest@mq.internal/'), 200, brokerDown);
    expect(changes.filter((c) => c.type === 'opened')).toHaveLength(1);
    expect(changes[changes.length - 1].incident.rootCauses[0].key).toBe(
      'backend:amqp://mq.internal:5672',
    );
    expect(changes[changes.length - 1].incident.rootCauses[0].summary).toContain(
      'it reports itself down',
    );
    expect(engine.impact('instance:rabbitmq/rabbit-1').direct).toEqual([
      'backend:amqp://mq.internal:5672',
      'instance:app/app-1',
      'instance:app/app-10',
      'instance:app/app-11',
      'instance:app/app-12',
      'instance:app/app-13',
      'instance:app/app-14',
      'instance:app/app-15',
      'instance:app/app-16',
      'instance:app/app-17',
      'instance:app/app-18',
      'instance:app/app-19',
      'instance:app/app-2',
      'instance:app/app-20',
      'instance:app/app-3',
      'instance:app/app-4',
      'instance:app/app-5',
      'instance:app/app-6',
      'instance:app/app-7',
      'instance:app/app-8',
      'instance:app/app-9',
      'service:rabbitmq',
    ]);
  });

  it('gives the same changes for the same events', () => {
    const a = play(new CorrelationEngine(), fleet(), 200, brokerDown);
    const b = play(new CorrelationEngine(), fleet(), 200, brokerDown);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('ignores duplicate and older reports, and ticks older than its watermark', () => {
    const engine = new CorrelationEngine();
    const report = (at: number, status: 'pass' | 'fail'): Report => ({
      id: null,
      service: 'app',
      instance: 'app-1',
      host: 'h',
      labels: {},
      observedAt: at,
      receivedAt: at,
      status,
      checks: [
        {
          name: 'db',
          target: 'mysql://db:3306',
          targetKey: 'backend:mysql://db:3306',
          status,
          latencyMs: 1,
          output: null,
        },
      ],
    });
    engine.apply({ kind: 'report', report: report(s(20), 'pass') });
    engine.apply({ kind: 'report', report: report(s(10), 'fail') });
    engine.apply({ kind: 'report', report: report(s(20), 'fail') });
    expect(engine.stats()).toMatchObject({ instances: 1, symptoms: 0 });
    engine.apply({ kind: 'tick', at: s(30) });
    expect(engine.apply({ kind: 'tick', at: s(25) })).toEqual([]);
    expect(engine.watermark).toBe(s(30));
  });

  it('exports its graph in graphology’s format and refuses unworkable options', () => {
    const engine = new CorrelationEngine();
    play(engine, fleet(), 15);
    const graph = engine.exportGraph();
    expect(graph.options.type).toBe('directed');
    expect(graph.nodes.filter((n) => n.attributes?.kind === 'instance')).toHaveLength(22);
    expect(engine.exportGraphAround('backend:mysql://db-1:3306', 1).nodes).toHaveLength(22);
    expect(() => new CorrelationEngine({ overdueFactor: 4 })).toThrow(
      InvalidCorrelationOptionsError,
    );
    expect(() => new CorrelationEngine({ overdueFactor: 4 })).toThrow(/staleIntervals/);
    expect(() => new CorrelationEngine({ reopenWindowMs: -1 })).toThrow(/reopenWindowMs/);
    expect(new CorrelationEngine({ reopenWindowMs: 0 }).options.reopenWindowMs).toBe(0);
  });
});
