import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { type Change, githubSignature } from '@faultline/changes';
import { ChangeRetention } from '@faultline/changes/service';
import { JobProducer, QueueName } from '@faultline/platform';

import { pollUntil } from '../bench/support/poll-until';
import { type Stack, startStack, uniqueName } from './support/stack';
import { TEST_ADMIN_TOKEN } from './support/test-env';

const FIXTURES = join(__dirname, '../libs/changes/src/adapters/fixtures');
const fixture = (name: string): any => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const GITHUB_SECRET = 'github-webhook-secret-0123456789';
const enc = encodeURIComponent;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const MIN = 60_000;

/**
 * Changes end to end against a real api and worker, Postgres and Redis: native posts (stored,
 * updated by id, listed with filters and pages, refused naming the field, refused to a token
 * bound to other services), the three senders' formats (CDEvents, PagerDuty, GitHub's signed
 * deployment_status), changes in an entity's impact, the hand-off to correlation (a Correlate
 * job carrying the stored changes; correlation is off here so the job waits to be read) and
 * retention. Every refusal stores nothing.
 */
describe('changes', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      env: { FAULTLINE_SECRET_KEY: 'c'.repeat(64), CORRELATION_ENABLED: 'false' },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  const post = (path: string, body: unknown, token?: string) =>
    stack.call('POST', path, body, token === undefined ? {} : { token });
  const get = (path: string) => stack.call('GET', path);
  const stored = (entity: string) =>
    stack.sql<{ id: string; status: string }>(
      'SELECT id, status FROM changes WHERE entity = $1 ORDER BY id',
      [entity],
    );

  /** The changes the Correlate jobs waiting in the queue carry (no correlator consumes them here). */
  async function enqueued(): Promise<Change[]> {
    const queue = stack.api.get(JobProducer, { strict: false }).queue(QueueName.Correlation);
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed']);
    // In the order they were added (BullMQ lists the newest first); ids are a counter.
    jobs.sort((a, b) => Number(a.id) - Number(b.id));
    return jobs.flatMap((j) => (j.data as { changes?: Change[] }).changes ?? []);
  }

  it('stores a native change, answers its id, shows it, and hands it to correlation', async () => {
    const billing = uniqueName('billing');
    const startedAt = ago(2 * MIN);
    const res = await post('/api/v1/changes', {
      entity: billing,
      kind: 'deploy',
      status: 'started',
      startedAt,
      version: 'v2.3.1',
      source: 'ci',
      summary: `${billing} v2.3.1 (CI run 4411)`,
      links: [{ href: 'https://ci.example.org/runs/4411', text: 'CI run 4411' }],
      labels: { team: 'payments' },
    });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ accepted: 1, ids: [expect.stringMatching(/^c-[0-9a-f]{32}$/)] });
    const id: string = res.json.ids[0];
    const one = await get(`/api/v1/changes/${enc(id)}`);
    expect(one.status).toBe(200);
    expect(one.json).toEqual({
      id,
      entity: `service:${billing}`,
      kind: 'deploy',
      status: 'started',
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: null,
      source: 'ci',
      version: 'v2.3.1',
      summary: `${billing} v2.3.1 (CI run 4411)`,
      links: [{ href: 'https://ci.example.org/runs/4411', text: 'CI run 4411' }],
      labels: { team: 'payments' },
      receivedAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(await enqueued()).toContainEqual(
      expect.objectContaining({
        id,
        entity: `service:${billing}`,
        status: 'started',
        startedAt: Date.parse(startedAt),
      }),
    );
    expect((await get('/api/v1/changes/no-such-change')).status).toBe(404);
  });

  it('updates a change posted again with its id; a late `started` never reopens it', async () => {
    const orders = uniqueName('orders');
    const id = uniqueName('deploy');
    const base = {
      id,
      entity: `service:${orders}`,
      kind: 'deploy',
      startedAt: ago(5 * MIN),
      summary: 'orders v7',
    };
    expect((await post('/api/v1/changes', { ...base, status: 'started' })).status).toBe(202);
    const finishedAt = ago(4 * MIN);
    const done = await post('/api/v1/changes', {
      ...base,
      status: 'succeeded',
      finishedAt,
      summary: 'orders v7, done',
    });
    expect(done.json).toEqual({ accepted: 1, ids: [id] });
    const late = await post('/api/v1/changes', { ...base, status: 'started', startedAt: ago(MIN) });
    expect(late.status).toBe(202);
    const change = (await get(`/api/v1/changes/${enc(id)}`)).json;
    expect(change).toMatchObject({
      status: 'succeeded',
      startedAt: new Date(base.startedAt).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
    });
    expect(await stored(`service:${orders}`)).toEqual([{ id, status: 'succeeded' }]);
    // Each post handed the change as it then stood to correlation.
    const statuses = (await enqueued()).filter((c) => c.id === id).map((c) => c.status);
    expect(statuses).toEqual(['started', 'succeeded', 'succeeded']);
    // An id is one change: the same id on another entity is refused, and nothing of the request stored.
    const other = uniqueName('other');
    const clash = await post('/api/v1/changes', [
      { entity: other, kind: 'config', status: 'succeeded', startedAt: ago(MIN), summary: 'x' },
      { ...base, entity: other, status: 'failed' },
    ]);
    expect(clash.status).toBe(409);
    expect(clash.json.errors).toEqual([
      {
        path: '/1/id',
        reason: `"${id}" is a deploy on service:${orders}: an id names one change, whose entity and kind never change`,
      },
    ]);
    expect(await stored(`service:${other}`)).toEqual([]);
  });

  it('lists changes newest first with entity, kind, since and until filters, a page at a time', async () => {
    const svc = uniqueName('lister');
    const times = [50, 40, 30, 20, 10].map((m) => ago(m * MIN));
    const body = times.map((startedAt, i) => ({
      entity: i === 4 ? `instance:${svc}/${svc}-1` : svc,
      kind: i % 2 === 0 ? 'deploy' : 'config',
      status: 'succeeded',
      startedAt,
      summary: `change ${i}`,
    }));
    expect((await post('/api/v1/changes', body)).json.accepted).toBe(5);
    const summaries = (res: { json: { items: { summary: string }[] } }) =>
      res.json.items.map((c) => c.summary);
    const all = await get(`/api/v1/changes?entity=${enc(svc)}`);
    expect(all.status).toBe(200);
    expect(summaries(all)).toEqual(['change 3', 'change 2', 'change 1', 'change 0']);
    expect(
      summaries(await get(`/api/v1/changes?entity=${enc(`service:${svc}`)}&kind=config`)),
    ).toEqual(['change 3', 'change 1']);
    expect(
      summaries(
        await get(
          `/api/v1/changes?entity=${enc(svc)}&since=${enc(times[1])}&until=${enc(times[3])}`,
        ),
      ),
    ).toEqual(['change 2', 'change 1']);
    expect(
      summaries(await get(`/api/v1/changes?entity=${enc(`instance:${svc}/${svc}-1`)}`)),
    ).toEqual(['change 4']);
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: { json: { items: { summary: string }[]; nextCursor: string | null } } = await get(
        `/api/v1/changes?entity=${enc(svc)}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      pages.push(summaries(page));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(pages).toEqual([['change 3', 'change 2', 'change 1'], ['change 0']]);
    for (const [query, path] of [
      ['kind=release', '/kind'],
      ['since=yesterday', '/since'],
      ['cursor=nonsense', '/cursor'],
      ['entity=queue%3Ax', '/entity'],
      ['colour=red', '/colour'],
    ]) {
      const res = await get(`/api/v1/changes?${query}`);
      expect([query, res.status, res.json.errors?.[0]?.path]).toEqual([query, 400, path]);
    }
  });

  it('refuses bad changes naming the field, and stores nothing of the request', async () => {
    const svc = uniqueName('refused');
    const good = {
      entity: svc,
      kind: 'deploy',
      status: 'started',
      startedAt: ago(MIN),
      summary: 'ok',
    };
    const cases: [unknown, string, string][] = [
      [
        { ...good, kind: 'release' },
        '/1/kind',
        'must be one of deploy, config, scale, infra, flag, other',
      ],
      [
        { ...good, status: 'done' },
        '/1/status',
        'must be one of started, succeeded, failed, rolled-back',
      ],
      [
        { ...good, entity: 'queue:x' },
        '/1/entity',
        'must be an entity key (service:, instance:, backend:, host:, zone:) or a service name',
      ],
      [
        { ...good, startedAt: ago(40 * 86_400_000) },
        '/1/startedAt',
        'is older than the retention window',
      ],
      [
        { ...good, startedAt: new Date(Date.now() + 5 * MIN).toISOString() },
        '/1/startedAt',
        'is more than 60 seconds in the future',
      ],
      [{ ...good, summary: undefined }, '/1/summary', 'is required'],
      [
        { ...good, summary: 'x'.repeat(501) },
        '/1/summary',
        'must NOT have more than 500 characters',
      ],
      [
        { ...good, links: [{ href: 'file:///etc/passwd' }] },
        '/1/links/0/href',
        'must be an http or https URL',
      ],
      [{ ...good, labels: { team: 7 } }, '/1/labels/team', 'must be a string'],
    ];
    for (const [bad, path, reason] of cases) {
      const res = await post('/api/v1/changes', [good, bad]);
      expect([path, res.status, res.json.errors]).toEqual([path, 400, [{ path, reason }]]);
    }
    expect(await stored(`service:${svc}`)).toEqual([]);
  });

  it('lets a token bound to services post changes on their entities only (403 naming the field)', async () => {
    const billing = uniqueName('billing');
    const created = await stack.call('POST', '/api/v1/tokens', {
      name: 'billing-changes',
      scopes: ['ingest'],
      services: [`${billing}*`],
    });
    expect(created.status).toBe(201);
    const token: string = created.json.token;
    const change = (entity: string) => ({
      entity,
      kind: 'deploy',
      status: 'succeeded',
      startedAt: ago(MIN),
      summary: 'deployed',
    });
    const nova = uniqueName('nova');
    const refused = await post(
      '/api/v1/changes',
      [change(`${billing}-api`), change(nova), change('backend:mysql://db-1:3306')],
      token,
    );
    expect(refused.status).toBe(403);
    expect(refused.json.errors).toEqual([
      {
        path: '/1/entity',
        reason: `"${nova}" is not a service this token may post changes for (it is bound to ${billing}*)`,
      },
      {
        path: '/2/entity',
        reason:
          'backend:mysql://db-1:3306 belongs to no one service: only a token bound to no service may post changes on it',
      },
    ]);
    expect(await stored(`service:${billing}-api`)).toEqual([]);
    const pd = fixture('pagerduty-change-event.json');
    pd.payload.custom_details.service = nova;
    delete pd.payload.timestamp;
    const viaAdapter = await post('/api/v1/changes/pagerduty', pd, token);
    expect([viaAdapter.status, viaAdapter.json.errors?.[0]?.path]).toEqual([
      403,
      '/payload/custom_details/service',
    ]);
    const allowed = await post(
      '/api/v1/changes',
      [change(`${billing}-api`), change(`instance:${billing}-api/${billing}-api-1`)],
      token,
    );
    expect(allowed.status).toBe(202);
    expect(allowed.json.accepted).toBe(2);
    // An ingest token may not read.
    expect((await stack.call('GET', '/api/v1/changes', undefined, { token })).status).toBe(403);
  });

  it('lists the changes on an entity, on what it depends on and on what depends on it in its impact', async () => {
    const api = uniqueName('api');
    const web = uniqueName('web');
    const db = `mysql://${uniqueName('db')}:3306`;
    const reports = [
      {
        service: api,
        instance: `${api}-1`,
        checks: [{ name: 'db', target: `${db}/app`, status: 'pass' }],
      },
      {
        service: web,
        instance: `${web}-1`,
        checks: [{ name: 'api', target: `http://${api}:8080/health`, status: 'pass' }],
      },
    ];
    expect((await post('/api/v1/reports', reports)).status).toBe(202);
    const unrelated = uniqueName('unrelated');
    const changes = [
      [`service:${api}`, 'deploy', 10],
      [`backend:${db}/app?ssl=true`, 'config', 20],
      [web, 'flag', 30],
      [unrelated, 'deploy', 5],
      [`service:${api}`, 'scale', 120],
    ].map(([entity, kind, minutes]) => ({
      entity,
      kind,
      status: 'succeeded',
      startedAt: ago((minutes as number) * MIN),
      summary: `${kind} on ${entity}`,
    }));
    expect((await post('/api/v1/changes', changes)).json.accepted).toBe(5);
    const impact = await pollUntil(
      () => get(`/api/v1/entities/${enc(`service:${api}`)}/impact`),
      (res) => res.status === 200 && res.json.transitive.includes(`service:${web}`),
      { what: `the impact of service:${api}`, timeoutMs: 20_000 },
    );
    expect(
      impact.json.changes.map((c: { entity: string; kind: string; relation: string }) => [
        c.entity,
        c.kind,
        c.relation,
      ]),
    ).toEqual([
      [`service:${api}`, 'deploy', 'self'],
      [`backend:${db}`, 'config', 'dependency'],
      [`service:${web}`, 'flag', 'dependent'],
    ]);
    // An older window: the scale-down two hours ago too.
    const wider = await get(
      `/api/v1/entities/${enc(`service:${api}`)}/impact?since=${enc(ago(180 * MIN))}`,
    );
    expect(wider.json.changes.map((c: { kind: string }) => c.kind)).toEqual([
      'deploy',
      'config',
      'flag',
      'scale',
    ]);
    expect(
      (await get(`/api/v1/entities/${enc(`service:${api}`)}/impact?since=soon`)).json.errors,
    ).toEqual([
      { path: '/since', reason: 'must be an RFC 3339 time, such as 2026-11-25T10:00:00Z' },
    ]);
  });

  it('records CDEvents, in binary and structured mode, and lists the events that are no change', async () => {
    const svc = uniqueName('cdsvc');
    const deployed = fixture('cdevents-service-deployed.json');
    deployed.context.id = uniqueName('cd');
    deployed.context.timestamp = ago(3 * MIN);
    deployed.subject.id = `service/${svc}`;
    const binary = await post('/api/v1/changes/cdevents', deployed);
    expect(binary.status).toBe(202);
    expect(binary.json).toEqual({
      accepted: 1,
      ids: [`cdevents:${deployed.context.id}`],
      ignored: [],
    });
    const rolledback = fixture('cdevents-service-rolledback.json');
    rolledback.context.id = uniqueName('cd');
    rolledback.context.timestamp = ago(MIN);
    rolledback.subject.id = `service/${svc}`;
    const build = {
      ...rolledback,
      context: { ...rolledback.context, type: 'dev.cdevents.build.finished.0.3.0' },
    };
    const structured = await stack.call(
      'POST',
      '/api/v1/changes/cdevents',
      [
        {
          specversion: '1.0',
          id: rolledback.context.id,
          type: rolledback.context.type,
          source: '/x',
          data: rolledback,
        },
        build,
      ],
      { contentType: 'application/cloudevents-batch+json' },
    );
    expect(structured.status).toBe(202);
    expect(structured.json.accepted).toBe(1);
    expect(structured.json.ignored).toEqual([
      {
        path: '/1/context/type',
        reason: expect.stringMatching(/^build\.finished is not a change/),
      },
    ]);
    const listed = (await get(`/api/v1/changes?entity=${enc(svc)}`)).json.items;
    expect(
      listed.map((c: { kind: string; status: string; version: string }) => [
        c.kind,
        c.status,
        c.version,
      ]),
    ).toEqual([
      [
        'deploy',
        'rolled-back',
        'sha256:0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427',
      ],
      [
        'deploy',
        'succeeded',
        'sha256:0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427',
      ],
    ]);
    // The spec's own example is from 2023: outside the retention window, refused naming its field.
    const old = await post('/api/v1/changes/cdevents', fixture('cdevents-service-deployed.json'));
    expect([old.status, old.json.errors]).toEqual([
      400,
      [{ path: '/context/timestamp', reason: 'is older than the retention window' }],
    ]);
    const wrongType = await stack.call('POST', '/api/v1/changes/cdevents', deployed, {
      contentType: 'text/plain',
    });
    expect(wrongType.status).toBe(415);
  });

  it('records a PagerDuty change event', async () => {
    const svc = uniqueName('pdsvc');
    const event = fixture('pagerduty-change-event.json');
    event.payload.timestamp = ago(2 * MIN).replace('Z', '+0000');
    event.payload.custom_details.service = svc;
    const res = await post('/api/v1/changes/pagerduty', event);
    expect(res.status).toBe(202);
    expect(res.json.accepted).toBe(1);
    const [change] = (await get(`/api/v1/changes?entity=${enc(svc)}`)).json.items;
    expect(change).toMatchObject({
      kind: 'other',
      status: 'succeeded',
      source: 'pagerduty',
      summary: 'Build Success: Increase snapshot create timeout to 30 seconds',
      links: [{ href: 'https://acme.pagerduty.dev/build/2', text: 'View more details in Acme!' }],
      labels: { build_number: '2', build_state: 'passed', run_time: '1236s' },
    });
    // Posted again (a retry): the same change.
    expect((await post('/api/v1/changes/pagerduty', event)).json.ids).toEqual([change.id]);
    const bad = await post('/api/v1/changes/pagerduty', {
      routing_key: 'x',
      payload: { source: svc },
    });
    expect([bad.status, bad.json.errors]).toEqual([
      400,
      [{ path: '/payload/summary', reason: 'is required' }],
    ]);
  });

  it('records GitHub deployment statuses signed with the push source’s secret, and nothing unsigned', async () => {
    const source = uniqueName('gh');
    const svc = uniqueName('ghsvc');
    expect(
      (await stack.call('PUT', `/api/v1/sources/${source}`, { secret: GITHUB_SECRET })).status,
    ).toBe(201);
    const delivery = fixture('github-deployment-status-in-progress.json');
    delivery.deployment.id = Math.floor(Math.random() * 1e9);
    delivery.deployment.created_at = ago(2 * MIN);
    delivery.deployment_status.created_at = ago(MIN);
    const send = async (
      body: unknown,
      headers: Record<string, string>,
      query = `source=${source}&service=${svc}`,
    ) => {
      const raw = JSON.stringify(body);
      const res = await fetch(`${stack.baseUrl}/api/v1/changes/github?${query}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
          'content-type': 'application/json',
          'x-github-event': 'deployment_status',
          'x-hub-signature-256': githubSignature(GITHUB_SECRET, raw),
          ...headers,
        },
        body: raw,
      });
      return { status: res.status, json: (await res.json()) as any };
    };
    const id = `github:Codertocat/Hello-World/deployments/${delivery.deployment.id}`;
    const started = await send(delivery, {});
    expect(started.status).toBe(202);
    expect(started.json).toEqual({ accepted: 1, ids: [id], ignored: [] });
    delivery.deployment_status.state = 'failure';
    expect((await send(delivery, {})).status).toBe(202);
    expect(await stored(`service:${svc}`)).toEqual([{ id, status: 'failed' }]);
    // A wrong signature, a missing one, an unknown source or none: refused, nothing changes.
    delivery.deployment_status.state = 'success';
    const forged = await send(delivery, {
      'x-hub-signature-256': githubSignature('not-the-secret-0123456', JSON.stringify(delivery)),
    });
    expect([forged.status, forged.json.errors]).toEqual([
      401,
      [
        {
          path: 'header:x-hub-signature-256',
          reason: 'does not match the body: a different secret, or a changed body',
        },
      ],
    ]);
    expect((await send(delivery, { 'x-hub-signature-256': '' })).status).toBe(401);
    expect((await send(delivery, {}, `source=${uniqueName('nosuch')}`)).status).toBe(404);
    expect((await send(delivery, {}, `service=${svc}`)).json.errors[0].path).toBe('/source');
    expect(await stored(`service:${svc}`)).toEqual([{ id, status: 'failed' }]);
    // GitHub's ping when the webhook is created: answered 202, nothing stored.
    const ping = await send(
      { zen: 'Design for failure.', hook_id: 1 },
      { 'x-github-event': 'ping' },
    );
    expect(ping.status).toBe(202);
    expect(ping.json).toMatchObject({ accepted: 0, ids: [] });
    expect(await stored(`service:${svc}`)).toEqual([{ id, status: 'failed' }]);
  });

  it('documents every changes route in the OpenAPI document', async () => {
    const doc = (await stack.call('GET', '/api/docs-json', undefined, { token: null })).json;
    for (const [path, method] of [
      ['/api/v1/changes', 'post'],
      ['/api/v1/changes', 'get'],
      ['/api/v1/changes/{id}', 'get'],
      ['/api/v1/changes/cdevents', 'post'],
      ['/api/v1/changes/pagerduty', 'post'],
      ['/api/v1/changes/github', 'post'],
    ])
      expect([path, method, doc.paths[path]?.[method]?.summary]).toEqual([
        path,
        method,
        expect.any(String),
      ]);
    expect(
      doc.paths['/api/v1/changes/cdevents'].post.requestBody.content[
        'application/cloudevents+json'
      ],
    ).toBeDefined();
  });

  it('deletes changes that ended before the retention window in the hourly maintenance', async () => {
    const svc = uniqueName('old');
    await stack.sql(
      `INSERT INTO changes (id, entity, kind, status, started_at, finished_at, summary) VALUES
         ($1, $3, 'deploy', 'succeeded', now() - interval '40 days', now() - interval '40 days', 'old'),
         ($2, $3, 'deploy', 'succeeded', now() - interval '1 day', NULL, 'recent')`,
      [`${svc}-old`, `${svc}-recent`, `service:${svc}`],
    );
    const deleted = await stack.worker!.get(ChangeRetention, { strict: false }).deleteExpired();
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect(await stored(`service:${svc}`)).toEqual([{ id: `${svc}-recent`, status: 'succeeded' }]);
  });
});
