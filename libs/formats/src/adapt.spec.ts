import {
  adapt,
  detectFormat,
  FORMAT_NAMES,
  FormatError,
  type FormatName,
  type HealthDocument,
  type SourceContext,
} from '@faultline/formats';
import { ReportValidator } from '@faultline/reports';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

const fixtureDir = join(__dirname, 'fixtures');
const fixtures = readdirSync(fixtureDir).filter((name) => /\.(json|txt)$/.test(name));
const fixture = (name: string): string => readFileSync(join(fixtureDir, name), 'utf8');
const observedAt = Date.parse('2026-11-25T10:00:00Z');
const ctx: SourceContext = {
  service: 'nova-api',
  instance: 'nova-api-3',
  host: 'compute-12',
  labels: { zone: 'az1' },
  observedAt,
};
const documentOf = (name: string): HealthDocument => ({
  body: fixture(name),
  httpStatus: /disabled|down|error|unhealthy|503|oslo-real/.test(name) ? 503 : 200,
});

describe('adapt', () => {
  it('names every format once', () => {
    expect([...FORMAT_NAMES].sort()).toEqual([
      'actuator',
      'alertmanager',
      'aspnet',
      'health-json',
      'oslo',
      'terminus',
    ]);
  });

  // Every fixture is a documented body (fixtures/README.md); what comes out must pass the real intake validation.
  it.each(fixtures)('adapts %s into reports the ReportValidator accepts', (name) => {
    const doc = documentOf(name);
    const format = detectFormat(doc) as FormatName;
    expect(FORMAT_NAMES).toContain(format);
    const result = adapt(format, doc, ctx);
    expect(result.format).toBe(format);
    expect(result.reports.length).toBeGreaterThan(0);
    const newest = Math.max(...result.reports.map((r) => Date.parse(r.observedAt as string)));
    const validation = new ReportValidator().validate(result.reports, {
      now: newest + 60_000,
      retentionMs: 20 * 365 * 86_400_000,
    });
    expect(validation).toMatchObject({ ok: true });
    if (!validation.ok) return;
    // Scoped and mapped targets normalise to backend keys like any other target.
    for (const report of validation.reports)
      for (const check of report.checks)
        if (check.target !== null)
          expect(check.targetKey).toMatch(/^backend:[a-z][a-z0-9+.-]*:\/\/./);
  });

  it('keeps reports within the schema when a document is huge', () => {
    const components = Object.fromEntries(
      Array.from({ length: 250 }, (_, i) => [
        `c${i}`,
        { status: i === 249 ? 'DOWN' : 'UP', details: { error: 'x'.repeat(20_000) } },
      ]),
    );
    const result = adapt('actuator', { body: JSON.stringify({ status: 'DOWN', components }) }, ctx);
    const [report] = result.reports;
    expect(report.checks).toHaveLength(200);
    // The failing check is never the one dropped.
    expect(report.checks?.some((c) => c.name === 'c249' && c.status === 'fail')).toBe(true);
    expect(
      new ReportValidator().validate(result.reports, { now: observedAt, retentionMs: 86_400_000 }),
    ).toMatchObject({ ok: true });
  });

  it('never lets credentials through, wherever the document hides them', () => {
    const secret = 'Tr0ub4dor-3';
    const documents: [FormatName, unknown][] = [
      [
        'health-json',
        {
          status: 'fail',
          releaseId: `amqp://u:${secret}@r`,
          checks: {
            'rabbit:connections': [
              {
                status: 'fail',
                output: `amqp://nova:${secret}@rabbit-1:5672/ refused`,
                url: `amqp://nova:${secret}@rabbit-1/`,
              },
            ],
          },
        },
      ],
      [
        'actuator',
        {
          status: 'DOWN',
          components: {
            db: {
              status: 'DOWN',
              details: {
                jdbcUrl: `jdbc:mysql://root:${secret}@db-1/nova`,
                error: `Access denied; password=${secret}`,
              },
            },
          },
        },
      ],
      [
        'terminus',
        {
          status: 'error',
          details: {
            cache: {
              status: 'down',
              message: `redis://:${secret}@cache-1:6379 refused`,
              password: secret,
            },
          },
        },
      ],
      [
        'aspnet',
        {
          status: 'Unhealthy',
          entries: {
            sql: {
              status: 'Unhealthy',
              data: { connectionString: `Server=sql-1;User Id=sa;Password=${secret};` },
              exception: `Login failed; Pwd=${secret}`,
            },
          },
        },
      ],
      [
        'alertmanager',
        {
          version: '4',
          alerts: [
            {
              status: 'firing',
              labels: {
                alertname: 'Down',
                service: 's',
                instance: `https://u:${secret}@probe.example.org`,
                target: `amqp://u:${secret}@r-1`,
              },
              annotations: { summary: `token: ${secret}` },
              startsAt: '2026-11-25T09:00:00Z',
            },
          ],
        },
      ],
    ];
    for (const [format, body] of documents) {
      const text = JSON.stringify(adapt(format, { body: JSON.stringify(body) }, ctx));
      expect(text).not.toContain(secret);
    }
    const oslo = adapt(
      'oslo',
      {
        body: JSON.stringify({
          reasons: [
            {
              reason: 'DOWN',
              details: `mysql://nova:${secret}@db-1/nova unreachable`,
              class: 'HealthcheckResult',
            },
          ],
        }),
        httpStatus: 503,
      },
      ctx,
    );
    expect(JSON.stringify(oslo)).not.toContain(secret);
  });

  it('refuses what is not the named format with a FormatError naming the place', () => {
    expect(() => adapt('actuator', { body: 'OK' }, ctx)).toThrow(FormatError);
    const error = captured(() => adapt('terminus', { body: '{"status": 3}' }, ctx));
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).errors).toEqual([
      { path: '/status', reason: 'must be a string' },
    ]);
    expect((error as FormatError).message).toBe('/status must be a string');
    expect(
      (captured(() => adapt('aspnet', { body: 'not json {' }, ctx)) as FormatError).errors,
    ).toEqual([{ path: '', reason: 'is not valid JSON' }]);
  });

  it('refuses an unknown format, a missing body and a context without a usable time', () => {
    expect(
      (captured(() => adapt('nagios' as FormatName, { body: 'OK' }, ctx)) as FormatError).errors[0]
        .reason,
    ).toContain('not a known format');
    expect(captured(() => adapt('oslo', {} as HealthDocument, ctx))).toBeInstanceOf(FormatError);
    expect(
      captured(() => adapt('oslo', { body: 'OK' }, { service: 's' } as SourceContext)),
    ).toBeInstanceOf(FormatError);
  });

  it('throws nothing but FormatError on garbage, for every format', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const atoms = [
      'null',
      'true',
      '1',
      '-1e400',
      '"x"',
      '"UP"',
      '"ok"',
      '"pass"',
      '"firing"',
      '[]',
      '{}',
      '"2026-11-25T09:00:00Z"',
      '"amqp://u:p@h"',
    ];
    const keys = [
      'status',
      'checks',
      'components',
      'details',
      'info',
      'error',
      'entries',
      'alerts',
      'labels',
      'reasons',
      'version',
      'startsAt',
      'data',
      'duration',
      'time',
      '__proto__',
      'constructor',
    ];
    const value = (depth: number): string => {
      const r = random();
      if (depth > 3 || r < 0.4) return atoms[Math.floor(random() * atoms.length)];
      if (r < 0.55)
        return `[${Array.from({ length: Math.floor(random() * 3) }, () => value(depth + 1)).join(',')}]`;
      return `{${Array.from({ length: Math.floor(random() * 4) }, () => `"${keys[Math.floor(random() * keys.length)]}":${value(depth + 1)}`).join(',')}}`;
    };
    const bodies = [
      ...Array.from({ length: 400 }, () => value(0)),
      '',
      ' ',
      '{',
      '\u0000',
      'OK\u0000',
      '<html/>',
      ...fixtures.map(fixture),
    ];
    for (const format of FORMAT_NAMES) {
      for (const body of bodies) {
        const error = captured(() =>
          adapt(
            format,
            { body, httpStatus: random() < 0.5 ? 503 : undefined },
            { observedAt, service: 'svc' },
          ),
        );
        if (error !== undefined) expect(error).toBeInstanceOf(FormatError);
      }
    }
  });
});

function captured(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  return undefined;
}
