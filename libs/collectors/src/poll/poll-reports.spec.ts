import { type ReportInput, ReportValidator } from '@faultline/reports';
import { readFileSync } from 'fs';
import { join } from 'path';

import type { SafeResponse } from '../http';
import type { PollTarget } from '../targets/poll-target.model';
import { identityOf, type PollAnswer, pollReports, REACHABILITY_CHECK } from './poll-reports';

const NOW = Date.parse('2026-11-25T10:00:00Z');
const NOW_ISO = '2026-11-25T10:00:00.000Z';
const COLLECTOR = 'worker-1';
const validator = new ReportValidator();

const fixture = (name: string): string =>
  readFileSync(join(__dirname, '..', '..', '..', 'formats', 'src', 'fixtures', name), 'utf8');

function target(overrides: Partial<PollTarget> = {}): PollTarget {
  return {
    id: 'orders-api',
    url: 'http://orders-api.internal:8080/actuator/health',
    format: 'auto',
    intervalMs: 10_000,
    timeoutMs: 5_000,
    tlsVerify: true,
    allowLinkLocal: false,
    service: 'orders',
    headerNames: [],
    origin: 'api',
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    ...overrides,
  };
}

function answered(
  status: number,
  body: string,
  contentType: string | null,
  elapsedMs = 42.4,
): PollAnswer {
  const response: SafeResponse = {
    status,
    body,
    contentType,
    elapsedMs,
    url: 'http://orders-api.internal:8080/actuator/health',
  };
  return { ok: true, response };
}

/** The produced reports are accepted by the intake's own validator, as they would be in production. */
function expectValid(reports: ReportInput[]): void {
  const result = validator.validate(reports, { now: NOW, retentionMs: 3 * 86_400_000 });
  expect(result.ok ? [] : result.errors).toEqual([]);
  expect(result.ok && result.reports.length).toBe(reports.length);
}

const reachabilityOf = (report: ReportInput) =>
  (report.checks ?? []).filter((c) => c.name === REACHABILITY_CHECK);

describe('identityOf', () => {
  it('defaults the instance to the URL host and port', () => {
    expect(identityOf(target())).toEqual({
      service: 'orders',
      instance: 'orders-api.internal:8080',
    });
  });

  it('uses the URL host alone when the port is the scheme default', () => {
    expect(identityOf(target({ url: 'https://orders.example.com/health' })).instance).toBe(
      'orders.example.com',
    );
  });

  it('keeps an explicit instance, the host and non-empty labels', () => {
    expect(
      identityOf(target({ instance: 'orders-7', host: 'node-3', labels: { zone: 'eu-1' } })),
    ).toEqual({
      service: 'orders',
      instance: 'orders-7',
      host: 'node-3',
      labels: { zone: 'eu-1' },
    });
  });

  it('leaves out empty labels', () => {
    expect(identityOf(target({ labels: {} }))).not.toHaveProperty('labels');
  });
});

describe('pollReports', () => {
  it('turns an oslo text answer into one passing report with a passing reachability check', () => {
    const t = target({
      url: 'http://nova-api.internal:8774/healthcheck',
      service: 'nova-api',
      host: 'node-3',
      labels: { zone: 'eu-1' },
    });
    const result = pollReports(
      t,
      answered(200, 'OK\n', 'text/plain; charset=UTF-8', 12.6),
      COLLECTOR,
      NOW,
    );

    expect(result).toEqual({
      reports: [
        {
          service: 'nova-api',
          instance: 'nova-api.internal:8774',
          host: 'node-3',
          labels: { zone: 'eu-1' },
          observedAt: NOW_ISO,
          status: 'pass',
          checks: [
            { name: 'healthcheck', status: 'pass' },
            { name: 'reachability', target: 'collector://worker-1', status: 'pass', latencyMs: 13 },
          ],
        },
      ],
      unresolved: [],
      unreachable: null,
    });
    expectValid(result.reports);
  });

  it('keeps an explicit instance instead of the URL host', () => {
    const result = pollReports(
      target({ instance: 'orders-7', format: 'oslo' }),
      answered(200, 'OK', 'text/plain'),
      COLLECTOR,
      NOW,
    );
    expect(result.reports[0].instance).toBe('orders-7');
    expectValid(result.reports);
  });

  it('keeps the dependency checks of a 503 actuator answer and marks the target reachable', () => {
    const result = pollReports(
      target(),
      answered(
        503,
        fixture('actuator-down.json'),
        'application/vnd.spring-boot.actuator.v3+json',
        87.5,
      ),
      COLLECTOR,
      NOW,
    );

    expect(result.unreachable).toBeNull();
    expect(result.reports).toHaveLength(1);
    const [report] = result.reports;
    expect(report).toMatchObject({
      service: 'orders',
      instance: 'orders-api.internal:8080',
      observedAt: NOW_ISO,
      status: 'fail',
    });
    expect(report.checks?.map((c) => c.name)).toEqual([
      'db',
      'diskSpace',
      'my',
      'ping',
      'rabbit',
      'reachability',
    ]);
    expect(report.checks?.find((c) => c.name === 'db')).toMatchObject({
      status: 'fail',
      target: 'component://db.orders',
      output: expect.stringContaining('CannotGetJdbcConnectionException'),
    });
    expect(report.checks?.find((c) => c.name === 'my')).toMatchObject({ status: 'fail' });
    expect(report.checks?.find((c) => c.name === 'rabbit')).toMatchObject({ status: 'warn' });
    expect(reachabilityOf(report)).toEqual([
      { name: 'reachability', target: 'collector://worker-1', status: 'pass', latencyMs: 88 },
    ]);
    expect(result.unresolved.map((u) => u.component)).toEqual(['db', 'my', 'rabbit']);
    expectValid(result.reports);
  });

  it("applies the target's mapping: a mapped component gets its target and is no longer unresolved", () => {
    const t = target({ mapping: { db: 'mysql://orders-db:3306' } });
    const result = pollReports(
      t,
      answered(503, fixture('actuator-down.json'), 'application/json'),
      COLLECTOR,
      NOW,
    );

    const db = result.reports[0].checks?.find((c) => c.name === 'db');
    expect(db?.target).toBe('mysql://orders-db:3306');
    expect(result.unresolved).toEqual([
      { service: 'orders', component: 'my', target: 'component://my.orders' },
      { service: 'orders', component: 'rabbit', target: 'component://rabbit.orders' },
    ]);
    expectValid(result.reports);
  });

  it('turns no answer into one failing report whose only check is a failing reachability', () => {
    const message = 'http://orders-api.internal:8080: no answer within 5000 ms';
    const result = pollReports(
      target({ host: 'node-3' }),
      { ok: false, reason: 'timeout', message },
      COLLECTOR,
      NOW,
    );

    expect(result).toEqual({
      reports: [
        {
          service: 'orders',
          instance: 'orders-api.internal:8080',
          host: 'node-3',
          observedAt: NOW_ISO,
          status: 'fail',
          checks: [
            {
              name: 'reachability',
              target: 'collector://worker-1',
              status: 'fail',
              output: `timeout: ${message}`,
            },
          ],
        },
      ],
      unresolved: [],
      unreachable: `timeout: ${message}`,
    });
    expect(result.reports[0].checks?.[0].output).toMatch(/^timeout:/);
    expectValid(result.reports);
  });

  it('marks an HTML answer (format auto) unreachable: no known health format', () => {
    const html = '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>';
    const result = pollReports(target(), answered(502, html, 'text/html', 3.2), COLLECTOR, NOW);

    expect(result.reports).toHaveLength(1);
    const [report] = result.reports;
    expect(report.status).toBe('fail');
    expect(report.checks).toHaveLength(1);
    expect(report.checks?.[0]).toMatchObject({
      name: 'reachability',
      target: 'collector://worker-1',
      status: 'fail',
      latencyMs: 3,
    });
    expect(report.checks?.[0].output).toMatch(/no known health format/);
    expect(report.checks?.[0].output).toContain('HTTP 502');
    expect(report.checks?.[0].output).toContain('text/html');
    expect(result.unreachable).toBe(report.checks?.[0].output);
    expect(result.unresolved).toEqual([]);
    expectValid(result.reports);
  });

  it('says so when an unreadable answer carries no content type', () => {
    const result = pollReports(target(), answered(200, '{"hello": "world"}', null), COLLECTOR, NOW);
    expect(result.unreachable).toMatch(/no content type.*no known health format/);
    expectValid(result.reports);
  });

  it('marks an answer that does not match the explicit format unreachable, naming the format', () => {
    const result = pollReports(
      target({ format: 'actuator' }),
      answered(200, '{"status": 42}', 'application/json'),
      COLLECTOR,
      NOW,
    );

    expect(result.reports).toHaveLength(1);
    const [report] = result.reports;
    expect(report.status).toBe('fail');
    expect(report.checks).toHaveLength(1);
    expect(report.checks?.[0]).toMatchObject({
      name: 'reachability',
      status: 'fail',
      latencyMs: 42,
    });
    expect(report.checks?.[0].output).toMatch(/not valid actuator/);
    expect(report.checks?.[0].output).toContain('/status');
    expect(result.unreachable).toBe(report.checks?.[0].output);
    expectValid(result.reports);
  });

  it('reads with the explicit format rather than the detected one', () => {
    // `OK` would be detected as oslo; a target declared actuator must not be read as oslo.
    const result = pollReports(
      target({ format: 'actuator' }),
      answered(200, 'OK', 'text/plain'),
      COLLECTOR,
      NOW,
    );
    expect(result.unreachable).toMatch(/not valid actuator/);
    expectValid(result.reports);
  });

  it('replaces a reachability check the document itself carries with its own', () => {
    const body = JSON.stringify({
      status: 'pass',
      checks: {
        reachability: [{ status: 'fail', output: 'from the body' }],
        'db:responseTime': [{ status: 'pass' }],
      },
    });
    const result = pollReports(
      target({ format: 'health-json' }),
      answered(200, body, 'application/health+json'),
      COLLECTOR,
      NOW,
    );

    const checks = result.reports[0].checks ?? [];
    expect(checks.filter((c) => c.name === REACHABILITY_CHECK)).toEqual([
      { name: 'reachability', target: 'collector://worker-1', status: 'pass', latencyMs: 42 },
    ]);
    expect(checks.map((c) => c.name)).toContain('db:responseTime');
    expect(result.unreachable).toBeNull();
    expectValid(result.reports);
  });

  describe('unreachable is null exactly when the target answered readably', () => {
    const cases: [string, PollTarget, PollAnswer, boolean][] = [
      ['oslo 200', target(), answered(200, 'OK', 'text/plain'), true],
      [
        'oslo 503 DISABLED BY FILE',
        target(),
        answered(503, 'DISABLED BY FILE', 'text/plain'),
        true,
      ],
      [
        'actuator 503',
        target(),
        answered(503, fixture('actuator-down.json'), 'application/json'),
        true,
      ],
      [
        'actuator 200',
        target({ format: 'actuator' }),
        answered(200, fixture('actuator-health.json'), 'application/json'),
        true,
      ],
      [
        'refused',
        target(),
        {
          ok: false,
          reason: 'refused',
          message: 'http://orders-api.internal:8080: connection refused',
        },
        false,
      ],
      [
        'dns',
        target(),
        {
          ok: false,
          reason: 'dns',
          message: 'http://orders-api.internal:8080: host name could not be resolved',
        },
        false,
      ],
      ['HTML', target(), answered(200, '<html></html>', 'text/html'), false],
      [
        'format mismatch',
        target({ format: 'terminus' }),
        answered(200, '{"status": 42}', 'application/json'),
        false,
      ],
    ];

    it.each(cases)('%s', (_name, t, answer, readable) => {
      const result = pollReports(t, answer, COLLECTOR, NOW);
      const reachability = result.reports.flatMap(reachabilityOf);
      expect(reachability).toHaveLength(1);
      if (readable) {
        expect(result.unreachable).toBeNull();
        expect(reachability[0].status).toBe('pass');
      } else {
        expect(typeof result.unreachable).toBe('string');
        expect(result.unreachable).toBe(reachability[0].output);
        expect(reachability[0].status).toBe('fail');
        expect(result.reports).toHaveLength(1);
        expect(result.reports[0].status).toBe('fail');
      }
      expectValid(result.reports);
    });
  });

  it('keeps a report of a target with 200 or more components within the 200-check limit', () => {
    const components = Object.fromEntries(
      Array.from({ length: 210 }, (_, i) => [`c${i}`, { status: 'UP' }]),
    );
    const result = pollReports(
      target({ format: 'actuator' }),
      answered(200, JSON.stringify({ status: 'UP', components }), 'application/json'),
      COLLECTOR,
      NOW,
    );
    expect(result.reports[0].checks?.length).toBeLessThanOrEqual(200);
    expect(reachabilityOf(result.reports[0])).toHaveLength(1);
    expectValid(result.reports);
  });

  it('keeps the reachability output within the output limit for a huge content type', () => {
    const result = pollReports(
      target(),
      answered(200, '<html></html>', `text/html; x=${'a'.repeat(9000)}`),
      COLLECTOR,
      NOW,
    );
    expectValid(result.reports);
  });
});
