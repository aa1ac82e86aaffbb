import { pollUntil } from '../bench/support/poll-until';
import { type Stack, startStack, uniqueName } from './support/stack';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

describe('POST /api/v1/reports (real api, worker, Postgres, Redis)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { INGEST_BODY_LIMIT_BYTES: '65536' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  const storedReports = async (service: string) =>
    (
      await stack.sql<{ n: string }>('SELECT count(*) AS n FROM reports WHERE service = $1', [
        service,
      ])
    )[0].n;
  const waitForReports = (service: string, n: number) =>
    pollUntil(
      () => storedReports(service),
      (v) => Number(v) === n,
      { what: `${n} reports of ${service}` },
    );

  it('accepts one report and stores it with its state, transitions and entities', async () => {
    const service = uniqueName('nova');
    const res = await stack.call('POST', '/api/v1/reports', {
      service,
      instance: `${service}-1`,
      host: `${service}-host`,
      labels: { zone: 'az1' },
      observedAt: minutesAgo(1),
      checks: [
        {
          name: 'rabbitmq',
          target: 'amqp://user:secret@rabbit-e2e/vhost',
          status: 'fail',
          latencyMs: 5000,
          output: 'refused',
        },
        { name: 'database', target: 'mysql://db-e2e:3306/nova', status: 'pass' },
      ],
    });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ accepted: 1 });
    await waitForReports(service, 1);
    const [instance] = await stack.sql('SELECT * FROM instances WHERE service = $1', [service]);
    expect(instance).toMatchObject({
      name: `${service}-1`,
      host: `${service}-host`,
      zone: 'az1',
      status: 'fail',
    });
    const checks = await stack.sql(
      'SELECT name, backend_key, status FROM check_states WHERE service = $1 ORDER BY name',
      [service],
    );
    expect(checks).toEqual([
      { name: 'database', backend_key: 'backend:mysql://db-e2e:3306', status: 'pass' },
      { name: 'rabbitmq', backend_key: 'backend:amqp://rabbit-e2e:5672', status: 'fail' },
    ]);
    expect(
      await stack.sql('SELECT key FROM backends WHERE key = $1', [
        'backend:amqp://rabbit-e2e:5672',
      ]),
    ).toHaveLength(1);
    const [raw] = await stack.sql('SELECT body::text AS body FROM reports WHERE service = $1', [
      service,
    ]);
    expect(raw.body).not.toContain('secret');
  });

  it('accepts a JSON array and NDJSON', async () => {
    const service = uniqueName('arr');
    const array = [1, 2, 3].map((i) => ({ service, instance: `i${i}`, observedAt: minutesAgo(2) }));
    expect((await stack.call('POST', '/api/v1/reports', array)).json).toEqual({ accepted: 3 });
    const ndjson =
      [4, 5]
        .map((i) => JSON.stringify({ service, instance: `i${i}`, observedAt: minutesAgo(2) }))
        .join('\n') + '\n';
    const res = await stack.call('POST', '/api/v1/reports', undefined, {
      raw: ndjson,
      contentType: 'application/x-ndjson',
    });
    expect(res).toMatchObject({ status: 202, json: { accepted: 2 } });
    await waitForReports(service, 5);
  });

  describe('refuses bad requests and stores nothing of them', () => {
    const service = uniqueName('bad');
    const good = { service, instance: 'ok', observedAt: minutesAgo(1) };
    it.each([
      [
        'a report without service',
        [good, { checks: [{ name: 'x', status: 'pass' }] }],
        400,
        '/1/service',
      ],
      [
        'a bad status',
        [good, { service, checks: [{ name: 'x', status: 'nope' }] }],
        400,
        '/1/checks/0/status',
      ],
      ['an unknown field', [good, { service, colour: 'red' }], 400, '/1/colour'],
      [
        'a time outside retention',
        [good, { service, observedAt: '2001-01-01T00:00:00Z' }],
        400,
        '/1/observedAt',
      ],
      [
        'a time in the future',
        [good, { service, observedAt: new Date(Date.now() + 3_600_000).toISOString() }],
        400,
        '/1/observedAt',
      ],
      [
        'a target that is no URI',
        [good, { service, checks: [{ name: 'x', status: 'pass', target: 'no uri here' }] }],
        400,
        '/1/checks/0/target',
      ],
      ['an empty array', [], 400, ''],
    ])('%s', async (_what, body, status, path) => {
      const res = await stack.call('POST', '/api/v1/reports', body);
      expect(res.status).toBe(status);
      expect(res.json.errors.map((e: { path: string }) => e.path)).toContain(path);
    });

    it('malformed JSON → 400', async () => {
      const res = await stack.call('POST', '/api/v1/reports', undefined, {
        raw: `[${JSON.stringify(good)},{"service":`,
      });
      expect(res.status).toBe(400);
    });

    it('malformed NDJSON → 400 naming the line', async () => {
      const res = await stack.call('POST', '/api/v1/reports', undefined, {
        raw: `${JSON.stringify(good)}\n{oops\n`,
        contentType: 'application/x-ndjson',
      });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/line 2/);
    });

    it('an oversized body → 413', async () => {
      const many = Array.from({ length: 2000 }, (_, i) => ({ ...good, instance: `big-${i}` }));
      const res = await stack.call('POST', '/api/v1/reports', many);
      expect(res.status).toBe(413);
    });

    it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded'])(
      'content type %s → 415',
      async (type) => {
        const res = await stack.call('POST', '/api/v1/reports', undefined, {
          raw: JSON.stringify(good),
          contentType: type,
        });
        expect(res.status).toBe(415);
      },
    );

    afterAll(async () => {
      // Everything above was refused; give a wrongly accepted batch time to land before checking.
      await new Promise((r) => setTimeout(r, 500));
      expect(await storedReports(service)).toBe('0');
    });
  });

  it('is idempotent: a retried batch, and a report retried by client id, never duplicate', async () => {
    const service = uniqueName('retry');
    const batch = Array.from({ length: 20 }, (_, i) => ({
      service,
      instance: `i${i % 4}`,
      observedAt: new Date(Date.now() - 60_000 + i * 1000).toISOString(),
      checks: [{ name: 'db', status: 'pass' }],
    }));
    for (let i = 0; i < 3; i++)
      expect((await stack.call('POST', '/api/v1/reports', batch)).status).toBe(202);
    // Same client id, no observedAt: stamped at receipt each time, still stored once.
    for (let i = 0; i < 3; i++)
      expect(
        (
          await stack.call('POST', '/api/v1/reports', {
            id: `${service}-x`,
            service,
            instance: 'with-id',
          })
        ).status,
      ).toBe(202);
    await waitForReports(service, 21);
    await new Promise((r) => setTimeout(r, 500));
    expect(await storedReports(service)).toBe('21');
    const transitions = await stack.sql(
      'SELECT count(*)::int AS n FROM check_transitions WHERE service = $1',
      [service],
    );
    expect(transitions[0].n).toBe(4); // first sight of db on each of the four instances, once
  });

  it('handles out-of-order and duplicate reports in event time', async () => {
    const service = uniqueName('order');
    const base = Date.now() - 120_000;
    const at = (s: number) => new Date(base + s * 1000).toISOString();
    const r = (s: number, status: 'pass' | 'fail') => ({
      service,
      instance: 'a',
      observedAt: at(s),
      checks: [{ name: 'mq', target: 'amqp://mq-order', status }],
    });
    const transitions = async () =>
      (
        await stack.sql(
          'SELECT from_status, to_status, observed_at FROM check_transitions WHERE service = $1 ORDER BY observed_at',
          [service],
        )
      ).map((t) => [t.from_status, t.to_status, new Date(t.observed_at).toISOString()]);
    // Newest first: the state must end at t=30 (pass), not at the last-arriving t=10 (fail).
    await stack.call('POST', '/api/v1/reports', [r(30, 'pass')]);
    await waitForReports(service, 1);
    await stack.call('POST', '/api/v1/reports', [
      r(10, 'fail'),
      r(20, 'fail'),
      r(30, 'pass'),
      r(10, 'fail'),
    ]);
    await waitForReports(service, 3);
    const [check] = await stack.sql('SELECT status, since FROM check_states WHERE service = $1', [
      service,
    ]);
    expect(check.status).toBe('pass');
    expect(new Date(check.since).toISOString()).toBe(at(30));
    const [instance] = await stack.sql(
      'SELECT last_seen_at, first_seen_at FROM instances WHERE service = $1',
      [service],
    );
    expect(new Date(instance.last_seen_at).toISOString()).toBe(at(30));
    expect(new Date(instance.first_seen_at).toISOString()).toBe(at(10));
    // The late reports are replayed into the history: it reads as if they had come in order.
    expect(await transitions()).toEqual([
      [null, 'fail', at(10)],
      ['fail', 'pass', at(30)],
    ]);
    await stack.call('POST', '/api/v1/reports', [r(40, 'fail')]);
    await pollUntil(
      () => stack.sql('SELECT status FROM check_states WHERE service = $1', [service]),
      (rows) => rows[0]?.status === 'fail',
    );
    expect(await transitions()).toEqual([
      [null, 'fail', at(10)],
      ['fail', 'pass', at(30)],
      ['pass', 'fail', at(40)],
    ]);
  });

  it('gives the same state and history whatever order batches are processed in', async () => {
    const service = uniqueName('shuffle');
    const base = Date.now() - 600_000;
    const statusAt = (tick: number) => (tick % 7 < 3 ? 'fail' : 'pass');
    const reports = Array.from({ length: 40 }, (_, tick) => ({
      service,
      instance: 'a',
      observedAt: new Date(base + tick * 10_000).toISOString(),
      checks: [{ name: 'db', target: 'mysql://shuffle-db', status: statusAt(tick) }],
    }));
    // Eight batches, newest first and one at a time: every batch after the first is late and replays.
    const chunks = Array.from({ length: 8 }, (_, i) => reports.slice(i * 5, i * 5 + 5)).reverse();
    for (const chunk of chunks)
      expect((await stack.call('POST', '/api/v1/reports', chunk)).status).toBe(202);
    await waitForReports(service, 40);
    const expected: [string | null, string, string][] = [];
    let previous: string | null = null;
    reports.forEach((rep, tick) => {
      if (statusAt(tick) !== previous) expected.push([previous, statusAt(tick), rep.observedAt]);
      previous = statusAt(tick);
    });
    const rows = await stack.sql(
      'SELECT from_status, to_status, observed_at FROM check_transitions WHERE service = $1 ORDER BY observed_at',
      [service],
    );
    expect(
      rows.map((t) => [t.from_status, t.to_status, new Date(t.observed_at).toISOString()]),
    ).toEqual(expected);
    const [check] = await stack.sql('SELECT status, since FROM check_states WHERE service = $1', [
      service,
    ]);
    expect([check.status, new Date(check.since).toISOString()]).toEqual([
      expected.at(-1)![1],
      expected.at(-1)![2],
    ]);
  });
});

describe('authentication and scopes', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: false, env: { AUTH_CACHE_MS: '0' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('401 without a token or with an unknown one', async () => {
    expect(
      (await stack.call('POST', '/api/v1/reports', { service: 'x' }, { token: null })).status,
    ).toBe(401);
    expect(
      (await stack.call('POST', '/api/v1/reports', { service: 'x' }, { token: 'flt_nope' })).status,
    ).toBe(401);
    expect((await stack.call('GET', '/api/v1/tokens', undefined, { token: null })).status).toBe(
      401,
    );
  });

  it('creates scoped tokens (stored hashed), enforces scopes with 403, and revokes', async () => {
    const created = await stack.call('POST', '/api/v1/tokens', {
      name: 'ingest-only',
      scopes: ['ingest'],
    });
    expect(created.status).toBe(201);
    const { id, token } = created.json;
    expect(token).toMatch(/^flt_/);
    const rows = await stack.sql('SELECT token_hash FROM api_tokens WHERE id = $1', [id]);
    expect(rows[0].token_hash).not.toContain(token);
    expect(rows[0].token_hash).toHaveLength(64);

    expect((await stack.call('GET', '/api/v1/tokens', undefined, { token })).status).toBe(403);
    expect((await stack.call('GET', '/metrics', undefined, { token })).status).toBe(403);
    const listed = await stack.call('GET', '/api/v1/tokens');
    expect(listed.json.items.find((t: { id: string }) => t.id === id)).toEqual(
      expect.not.objectContaining({ token: expect.anything() }),
    );

    expect((await stack.call('DELETE', `/api/v1/tokens/${id}`)).status).toBe(204);
    expect((await stack.call('POST', '/api/v1/reports', { service: 'x' }, { token })).status).toBe(
      401,
    );
  });

  it('refuses a token request naming the bad field', async () => {
    const res = await stack.call('POST', '/api/v1/tokens', {
      name: 'x',
      scopes: ['root'],
      extra: 1,
    });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['/scopes', '/extra']),
    );
  });

  it('serves probes without a token, metrics and the OpenAPI document', async () => {
    const health = await stack.call('GET', '/healthz', undefined, { token: null });
    expect(health).toMatchObject({ status: 200, json: { status: 'pass' } });
    const ready = await stack.call('GET', '/readyz', undefined, { token: null });
    expect(ready.status).toBe(200);
    expect(ready.json.checks['postgres:connection'][0].status).toBe('pass');
    expect(ready.json.checks['redis:connection'][0].status).toBe('pass');
    const metrics = await stack.call('GET', '/metrics');
    expect(metrics.text).toContain('faultline_reports_accepted_total');
    expect(metrics.text).toContain('faultline_queue_jobs');
    const docs = await stack.call('GET', '/api/docs-json', undefined, { token: null });
    expect(Object.keys(docs.json.paths)).toEqual(
      expect.arrayContaining(['/api/v1/reports', '/api/v1/tokens']),
    );
  });
});
