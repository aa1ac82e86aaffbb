import { adapt } from './adapt';
import { detectFormat } from './detect-format';
import { MAX_ALERTS_READ, MAX_ENTRIES_READ } from './report-assembly';

const ctx = { service: 'nova-api', instance: 'nova-1', observedAt: Date.UTC(2024, 0, 1) };

/** Milliseconds `fn` took, for the record (speed targets belong in benchmarks, not here). */
function timed<T>(label: string, fn: () => T): T {
  const started = performance.now();
  const result = fn();
  process.stdout.write(`${label}: ${Math.round(performance.now() - started)} ms\n`);
  return result;
}

/**
 * Health documents built to cost: tens of thousands of reasons that oslo all names
 * `healthcheck`, a megabyte of reasons, megabyte-long texts shaped to make a regular expression
 * backtrack, thousands of alerts of one name. Each is read with at most MAX_ENTRIES_READ entries
 * (the worst kept: a failure is never the one dropped), names are given in linear time, and
 * text is cut before any pattern runs on it. On the old code the first took minutes.
 */
describe('hostile health documents', () => {
  jest.setTimeout(20_000);

  it('a 50,000-line oslo text body: the first 200 by status, the failures kept, names linear', () => {
    const lines = Array.from({ length: 50_000 }, (_, i) =>
      i === 40_000 ? 'RabbitMQ connection failed' : 'OK',
    );
    const adapted = timed('oslo 50,000 lines', () =>
      adapt('oslo', { body: lines.join('\n'), contentType: 'text/plain' }, ctx),
    );
    const [report] = adapted.reports;
    expect(report.checks).toHaveLength(MAX_ENTRIES_READ);
    expect(report.status).toBe('fail');
    expect(report.checks?.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual([
      'RabbitMQ connection failed',
    ]);
    const names = new Set(report.checks?.map((c) => c.name));
    expect(names.size).toBe(MAX_ENTRIES_READ);
    expect(names.has('healthcheck')).toBe(true);
    expect(names.has(`healthcheck#${MAX_ENTRIES_READ - 1}`)).toBe(true);
  });

  it('a megabyte of detailed oslo reasons (one of them a megabyte of a.a.a…://): the failures kept, texts cut', () => {
    const reasons: unknown[] = Array.from({ length: 10_000 }, () => ({
      reason: 'OK',
      details: 'x'.repeat(80),
      class: 'HealthcheckResult',
    }));
    const long = `${'a.'.repeat(300_000)}://${'b@'.repeat(100_000)}`;
    reasons.push({ reason: long, details: long, class: 'HealthcheckResult' });
    reasons.push({ reason: 'DB down', details: { url: long }, class: 'HealthcheckResult' });
    const body = JSON.stringify({ detailed: true, reasons });
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const adapted = timed('oslo 1 MiB of reasons', () =>
      adapt('oslo', { body, contentType: 'application/json', httpStatus: 503 }, ctx),
    );
    const checks = adapted.reports[0].checks ?? [];
    expect(checks).toHaveLength(MAX_ENTRIES_READ);
    const failing = checks.filter((c) => c.status === 'fail');
    expect(failing.map((c) => c.name)).toEqual([expect.stringMatching(/^(a\.)+a?…$/), 'DB down']);
    expect(failing[0].name.length).toBeLessThanOrEqual(200);
    expect(failing[0].output?.length).toBeLessThanOrEqual(8192);
  });

  it('a megabyte of plain text is not guessed as oslo, and is looked at only in part', () => {
    const body = Array.from({ length: 50_000 }, () => 'OK').join('\n');
    expect(
      timed('detect 50,000 lines', () => detectFormat({ body, contentType: 'text/plain' })),
    ).toBeNull();
  });

  it('20,000 alerts of one name: the 1,000 most severe read, the rest said to be left out', () => {
    const alerts = Array.from({ length: 20_000 }, (_, i) => ({
      status: i % 7 === 0 ? 'firing' : 'resolved',
      labels: { alertname: 'DiskFull', service: 'nova-api', instance: 'nova-1', device: `sd${i}` },
      annotations: { summary: 'disk full' },
      startsAt: '2024-01-01T00:00:00Z',
      endsAt: '2024-01-01T00:01:00Z',
    }));
    const body = JSON.stringify({ version: '4', status: 'firing', alerts });
    const adapted = timed('alertmanager 20,000 alerts', () => adapt('alertmanager', { body }, ctx));
    expect(adapted.refused).toEqual([
      { path: '/alerts', reason: expect.stringContaining(`holds 20000 alerts`) },
    ]);
    const checks = adapted.reports.flatMap((r) => r.checks ?? []);
    // One report (one service and instance): its 200 checks are all firing ones.
    expect(checks).toHaveLength(200);
    expect(checks.every((c) => c.status === 'fail')).toBe(true);
    expect(MAX_ALERTS_READ).toBe(1000);
  });

  it.each([
    [
      'health-json',
      (n: number) =>
        JSON.stringify({
          status: 'pass',
          checks: {
            db: Array.from({ length: n }, (_, i) => ({ status: i === n - 1 ? 'fail' : 'pass' })),
          },
        }),
    ],
    [
      'terminus',
      (n: number) =>
        JSON.stringify({
          status: 'error',
          details: Object.fromEntries(
            Array.from({ length: n }, (_, i) => [`i${i}`, { status: i === n - 1 ? 'down' : 'up' }]),
          ),
        }),
    ],
    [
      'aspnet',
      (n: number) =>
        JSON.stringify({
          status: 'Unhealthy',
          entries: Object.fromEntries(
            Array.from({ length: n }, (_, i) => [
              `e${i}`,
              { status: i === n - 1 ? 'Unhealthy' : 'Healthy' },
            ]),
          ),
        }),
    ],
    [
      'actuator',
      (n: number) =>
        JSON.stringify({
          status: 'DOWN',
          components: Object.fromEntries(
            Array.from({ length: n }, (_, i) => [`c${i}`, { status: i === n - 1 ? 'DOWN' : 'UP' }]),
          ),
        }),
    ],
  ] as const)('%s with 50,000 entries: 200 read, the failing last one kept', (format, body) => {
    const adapted = timed(`${format} 50,000 entries`, () =>
      adapt(format, { body: body(50_000) }, ctx),
    );
    const checks = adapted.reports[0].checks ?? [];
    expect(checks).toHaveLength(MAX_ENTRIES_READ);
    expect(checks.filter((c) => c.status === 'fail')).toHaveLength(1);
  });
});
