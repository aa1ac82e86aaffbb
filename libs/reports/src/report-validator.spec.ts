import { ReportValidator } from './report-validator';

const now = Date.parse('2026-11-25T10:00:00Z');
const ctx = { now, retentionMs: 3 * 86_400_000 };
const validator = new ReportValidator();

describe('ReportValidator', () => {
  it('normalises a minimal report with every default', () => {
    const result = validator.validate({ service: 'nova-api' }, ctx);
    expect(result).toEqual({
      ok: true,
      reports: [
        {
          id: null,
          service: 'nova-api',
          instance: 'nova-api',
          host: null,
          labels: {},
          observedAt: now,
          receivedAt: now,
          status: 'pass',
          checks: [],
        },
      ],
    });
  });

  it('defaults instance to host, status to the worst check, and strips credentials from targets', () => {
    const result = validator.validate(
      {
        service: 'nova-api',
        host: 'compute-12',
        observedAt: '2026-11-25T09:59:00.5+00:00',
        checks: [
          {
            name: 'rabbitmq',
            target: 'amqp://user:secret@Rabbit-1/vhost?x=pw',
            status: 'fail',
            latencyMs: 5000,
            output: 'refused',
          },
          { name: 'database', target: 'mysql://db-1:3306/nova', status: 'warn' },
        ],
      },
      ctx,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [r] = result.reports;
    expect(r.instance).toBe('compute-12');
    expect(r.status).toBe('fail');
    expect(r.observedAt).toBe(Date.parse('2026-11-25T09:59:00.500Z'));
    expect(r.checks[0]).toEqual({
      name: 'rabbitmq',
      target: 'amqp://rabbit-1:5672/vhost',
      targetKey: 'backend:amqp://rabbit-1:5672',
      status: 'fail',
      latencyMs: 5000,
      output: 'refused',
    });
    expect(JSON.stringify(r)).not.toContain('secret');
  });

  it('accepts an array and names the bad field of each bad item by its index', () => {
    const result = validator.validate(
      [{ service: 'a' }, { checks: [{ name: 'x', status: 'nope' }] }, { service: 'b', extra: 1 }],
      ctx,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual(
      expect.arrayContaining([
        { path: '/1/service', reason: 'is required' },
        { path: '/1/checks/0/status', reason: 'must be one of pass, warn, fail' },
        { path: '/2/extra', reason: 'is not a known field' },
      ]),
    );
  });

  it('allows a clock 60 s fast and refuses one further ahead, naming observedAt', () => {
    expect(validator.validate({ service: 'a', observedAt: '2026-11-25T10:01:00Z' }, ctx).ok).toBe(
      true,
    );
    expect(validator.validate({ service: 'a', observedAt: '2026-11-25T10:01:01Z' }, ctx)).toEqual({
      ok: false,
      errors: [{ path: '/observedAt', reason: 'is more than 60 seconds in the future' }],
    });
    expect(
      validator.validate({ service: 'a', observedAt: '2026-11-25T10:04:00Z' }, ctx),
    ).toMatchObject({ ok: false });
  });

  it.each([
    [{ service: 'a', observedAt: 'yesterday' }, '/observedAt'],
    [{ service: 'a', observedAt: '2026-11-20T10:00:00Z' }, '/observedAt'],
    [{ service: 'a', observedAt: '2026-11-25T10:06:00Z' }, '/observedAt'],
    [{ service: 'a/b' }, '/service'],
    [{ service: '' }, '/service'],
    [{ service: 'a', labels: { zone: 1 } }, '/labels/zone'],
    [
      { service: 'a', checks: [{ name: 'x', status: 'pass', target: 'not a uri' }] },
      '/checks/0/target',
    ],
    [
      {
        service: 'a',
        checks: [
          { name: 'x', status: 'pass' },
          { name: 'x', status: 'fail' },
        ],
      },
      '/checks/1/name',
    ],
    [
      { service: 'a', checks: [{ name: 'x', status: 'pass', latencyMs: -1 }] },
      '/checks/0/latencyMs',
    ],
    ['just a string', '/'],
    [{ service: 'a', labels: { zone: 'a\u0000b' } }, '/labels/zone'],
    [
      { service: 'a', checks: [{ name: 'x', status: 'fail', output: 'bad\u0000' }] },
      '/checks/0/output',
    ],
  ])('refuses %j naming %s', (body, path) => {
    const result = validator.validate(body, ctx);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.path)).toContain(path);
  });

  it('refuses an empty array', () => {
    expect(validator.validate([], ctx).ok).toBe(false);
  });
});
