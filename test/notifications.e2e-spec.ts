import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

import { ChannelRateLimiter, NotificationScheduler } from '@faultline/notifications';
import type { FaultlineConfig, JobProducer } from '@faultline/platform';
import { SMTPServer } from 'smtp-server';

import { pollUntil } from '../bench/support/poll-until';
import { type NodeProcess, startApi, startWorker } from './support/processes';
import { playOverHttp } from './support/scenario-over-http';
import { freshDatabase, type Stack, startStack } from './support/stack';
import { redisUrl, TEST_ADMIN_TOKEN } from './support/test-env';
import { freePort } from './support/throwaway-servers';

const SECRET_KEY = 'e'.repeat(64);
const HOOK_SECRET = 'webhook-signing-secret-0123';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

/** A local receiver for every HTTP channel: records each request; some paths misbehave on purpose. */
async function receiver(
  onRequest?: (r: Received) => void,
): Promise<{ url: string; got: Received[]; server: Server; close(): Promise<void> }> {
  const got: Received[] = [];
  const seen = new Map<string, number>();
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const path = req.url ?? '';
      const n = (seen.get(path) ?? 0) + 1;
      seen.set(path, n);
      const r = { path, headers: req.headers, body: text ? JSON.parse(text) : null };
      got.push(r);
      onRequest?.(r);
      if (path === '/flaky' && n <= 2) return void res.writeHead(503).end();
      if (path === '/hang' && n === 1) return; // never answers: the attempt times out
      if (path === '/gone') return void res.writeHead(410).end();
      res.writeHead(path === '/pd' ? 202 : 200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    got,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Notifications end to end: simulated outages posted through the API, correlated by the real
 * worker, and one message per incident and event on every channel — a webhook (signed), Slack,
 * PagerDuty and email (a local SMTP server) — through receiver failures; routes, silences, the
 * delivery log and readiness.
 */
describe('notifications', () => {
  let stack: Stack;
  let http: Awaited<ReturnType<typeof receiver>>;
  let smtp: SMTPServer;
  /** Raw messages as the SMTP server received them, with the headers the tests read. */
  const mails: { subject: string; messageId: string; raw: string }[] = [];
  const channels: Record<string, string> = {};
  let nextStart = Date.now() - 2 * 3_600_000;

  beforeAll(async () => {
    http = await receiver();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, done) {
        let raw = '';
        stream.on('data', (c: Buffer) => (raw += c.toString()));
        stream.on('end', () => {
          const header = (name: string) =>
            new RegExp(`^${name}: (.*(?:\r?\n[ \t].*)*)`, 'im')
              .exec(raw)?.[1]
              .replace(/\r?\n[ \t]/g, ' ') ?? '';
          mails.push({ subject: header('Subject'), messageId: header('Message-ID'), raw });
          done();
        });
      },
    });
    const smtpPort = await freePort();
    await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
    const DATABASE_URL = await freshDatabase('notifications');
    stack = await startStack({
      env: {
        DATABASE_URL,
        FAULTLINE_SECRET_KEY: SECRET_KEY,
        PUBLIC_URL: 'http://faultline.test',
        NOTIFY_TIMEOUT_MS: '1000',
        NOTIFY_ATTEMPTS: '5',
        CORRELATION_LEASE_MS: '3000',
      },
    });
    const create = async (body: object) => {
      const res = await stack.call('POST', '/api/v1/channels', body);
      expect(res.status).toBe(201);
      return res.json.id as string;
    };
    channels.hook = await create({
      type: 'webhook',
      name: 'ops-hook',
      url: `${http.url}/hook`,
      secret: HOOK_SECRET,
    });
    channels.slack = await create({ type: 'slack', name: 'ops-slack', url: `${http.url}/slack` });
    channels.pd = await create({
      type: 'pagerduty',
      name: 'pager',
      routingKey: 'R0UT1NGKEY',
      url: `${http.url}/pd`,
    });
    channels.email = await create({
      type: 'email',
      name: 'ops-mail',
      to: ['oncall@example.org'],
      smtp: {
        host: '127.0.0.1',
        port: smtpPort,
        secure: false,
        from: 'faultline@example.org',
        tlsVerify: false,
      },
    });
    channels.flaky = await create({ type: 'webhook', name: 'flaky', url: `${http.url}/flaky` });
    channels.hang = await create({ type: 'webhook', name: 'hang', url: `${http.url}/hang` });
    channels.gone = await create({ type: 'webhook', name: 'gone', url: `${http.url}/gone` });
    const route = await stack.call('POST', '/api/v1/routes', {
      name: 'brokers page',
      match: { causeKinds: ['backend'] },
      channelIds: [channels.pd],
    });
    expect(route.status).toBe(201);
  });
  afterAll(async () => {
    await stack.close();
    await http.close();
    await new Promise((resolve) => smtp.close(() => resolve(undefined)));
  });

  const play = async (prefix: string) => {
    const played = await playOverHttp(
      stack,
      { faultClass: 'two-backends', seed: 1, instances: 120 },
      prefix,
      nextStart,
    );
    nextStart = played.endAt + 60_000;
    return played.truths;
  };
  const eventsAt = (path: string) => http.got.filter((r) => r.path === path);

  it('secrets are stored encrypted and never returned', async () => {
    const res = await stack.call('GET', `/api/v1/channels/${channels.hook}`);
    expect(res.json).toMatchObject({
      type: 'webhook',
      settings: { url: `${http.url}/hook` },
      secrets: ['secret'],
    });
    expect(res.text).not.toContain(HOOK_SECRET);
    const [row] = await stack.sql(
      'SELECT secrets_sealed FROM notification_channels WHERE id = $1',
      [channels.hook],
    );
    expect(row.secrets_sealed).not.toContain(HOOK_SECRET);
    const bad = await stack.call('POST', '/api/v1/channels', {
      type: 'webhook',
      name: 'x',
      url: 'ftp://nope',
      extra: 1,
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: { path: string }) => e.path).sort()).toEqual(['/extra', '/url']);
  });

  it('two outages: one message per incident and event on every channel, through failures and timeouts', async () => {
    const truths = await play(`nt1${Date.now().toString(36)}-`);
    const roots = truths.map((t) => t.rootKey).sort();
    // 2 incidents × (opened + resolved) on each channel.
    await pollUntil(
      async () => http.got.length,
      () => {
        const delivered = (path: string) =>
          new Set(
            eventsAt(path).map(
              (r) =>
                r.headers['x-faultline-event-id'] ?? `${r.body?.dedup_key}:${r.body?.event_action}`,
            ),
          ).size;
        return (
          ['/hook', '/pd', '/flaky', '/hang'].every((p) => delivered(p) >= 4) &&
          eventsAt('/slack').length >= 4 &&
          mails.length >= 4
        );
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'opened and resolved on every channel' },
    );

    const hooks = eventsAt('/hook');
    expect(hooks).toHaveLength(4);
    expect(hooks.map((r) => r.body.event).sort()).toEqual([
      'opened',
      'opened',
      'resolved',
      'resolved',
    ]);
    expect(
      hooks
        .filter((r) => r.body.event === 'opened')
        .map((r) => r.body.incident.rootCauses[0].key)
        .sort(),
    ).toEqual(roots);
    for (const r of hooks) {
      const [, t, v1] =
        /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers['x-faultline-signature'])) ?? [];
      expect(v1).toBe(
        createHmac('sha256', HOOK_SECRET)
          .update(`${t}.${JSON.stringify(r.body)}`)
          .digest('hex'),
      );
      expect(r.body.incident.url).toMatch(/^http:\/\/faultline\.test\//);
      // People get the dashboard's page; url stays the API's route, for machines.
      expect(r.body.incident.dashboardUrl).toBe(
        `http://faultline.test/#/incidents/${encodeURIComponent(r.body.incident.id)}`,
      );
    }
    const pd = eventsAt('/pd').map((r) => r.body);
    expect(pd.map((e) => e.event_action).sort()).toEqual([
      'resolve',
      'resolve',
      'trigger',
      'trigger',
    ]);
    expect(new Set(pd.map((e) => e.dedup_key)).size).toBe(2);
    expect(pd.every((e) => e.routing_key === 'R0UT1NGKEY')).toBe(true);
    for (const trigger of pd.filter((e) => e.event_action === 'trigger'))
      expect(trigger.client_url).toMatch(/^http:\/\/faultline\.test\/#\/incidents\//);
    expect(JSON.stringify(eventsAt('/slack').map((r) => r.body.blocks))).toMatch(
      /"url":"http:\/\/faultline\.test\/#\/incidents\//,
    );
    expect(
      eventsAt('/slack')
        .map((r) => r.body.text)
        .join('\n'),
    ).toContain(roots[0]);
    expect(mails).toHaveLength(4);
    expect(mails.map((m) => m.subject).join('\n')).toMatch(/OPEN/);
    expect(mails[0].raw).toMatch(/text\/html/);
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(4);

    // A channel hears resolved only after opened, even when opened was still retrying when the
    // incident resolved (the hung receiver's first attempt times out, its retry comes later).
    for (const path of ['/hook', '/flaky', '/hang']) {
      const events = eventsAt(path)
        .filter((r) => r.body)
        .map((r) => `${r.body.incident.id}:${r.body.event}`);
      for (const id of new Set(hooks.map((r) => r.body.incident.id)))
        expect(events.lastIndexOf(`${id}:opened`)).toBeLessThan(events.indexOf(`${id}:resolved`));
    }

    // The flaky receiver answered 503 twice, the hung one timed out once: retried, delivered once each.
    const allSent = (channel: string) =>
      pollUntil(
        () => stack.call('GET', `/api/v1/notifications?channel=${channel}&limit=100`),
        (r) =>
          r.json.items.length === 4 &&
          r.json.items.every((n: { status: string }) => n.status === 'sent'),
        { timeoutMs: 20_000, intervalMs: 250, what: 'every notification of the channel sent' },
      );
    const log = await allSent(channels.flaky);
    expect(
      log.json.items.reduce((sum: number, n: { attempts: number }) => sum + n.attempts, 0),
    ).toBe(4 + 2);
    expect(eventsAt('/flaky').filter((r) => r.body).length).toBe(4 + 2);
    const hang = await allSent(channels.hang);
    expect(
      hang.json.items.some(
        (n: { attempts: number; status: string }) => n.status === 'sent' && n.attempts === 2,
      ),
    ).toBe(true);
  }, 120_000);

  it('a channel refused for good is marked failed at once, surfaces in /readyz, and does not hold up the others', async () => {
    // Two more incidents: the channel fails each opened for good and is never sent the resolved.
    await play(`ntg${Date.now().toString(36)}-`);
    const log = await pollUntil(
      () => stack.call('GET', `/api/v1/notifications?channel=${channels.gone}&limit=100`),
      (r) => {
        const items: { kind: string; status: string }[] = r.json.items;
        const of = (kind: string) => items.filter((n) => n.kind === kind).length;
        return (
          of('opened') >= 4 &&
          of('resolved') >= 4 &&
          items.every((n) => n.status === (n.kind === 'resolved' ? 'skipped' : 'failed'))
        );
      },
      { timeoutMs: 20_000, intervalMs: 250, what: 'the gone channel failed' },
    );
    expect(log.json.items.find((n: { kind: string }) => n.kind === 'resolved').lastError).toMatch(
      /opened failed/,
    );
    expect(log.json.items.find((n: { kind: string }) => n.kind === 'opened')).toMatchObject({
      attempts: 1,
      lastError: expect.stringMatching(/410/),
    });
    // The reasons (channel names, last errors) are for token holders only.
    const ready = (await stack.call('GET', '/readyz')).json as {
      status: string;
      checks: Record<string, unknown[]>;
    };
    expect(ready.status).toBe('warn');
    expect(ready.checks['notifications:channels']).toEqual([
      expect.objectContaining({ componentId: 'gone', status: 'warn' }),
    ]);
    const metrics = await stack.call('GET', '/metrics');
    expect(metrics.text).toMatch(/faultline_notification_channel_failures\{channel="gone"\} [3-9]/);
  });

  it('a silence records the notifications of matching incidents without sending them', async () => {
    const silence = await stack.call('POST', '/api/v1/silences', {
      match: { causeKeys: ['*'] },
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      comment: 'maintenance',
    });
    expect(silence.status).toBe(201);
    const prefix = `nt2${Date.now().toString(36)}-`;
    await play(prefix);
    const silenced = await pollUntil(
      () => stack.call('GET', `/api/v1/notifications?status=silenced&limit=200`),
      (r) => r.json.items.length >= 7 * 4,
      { timeoutMs: 30_000, intervalMs: 250, what: 'silenced notifications recorded' },
    );
    expect(
      silenced.json.items.every((n: { silencedBy: string[] }) =>
        n.silencedBy.includes(silence.json.id),
      ),
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    expect(http.got.filter((r) => JSON.stringify(r.body).includes(prefix))).toEqual([]);
    expect(mails.filter((m) => m.raw.includes(prefix))).toEqual([]);
    await stack.call('POST', `/api/v1/silences/${silence.json.id}/expire`);
  }, 120_000);

  it('an incident that opens and resolves before its first delivery is recorded as skipped and reaches no channel', async () => {
    const scheduler = stack.worker!.get(NotificationScheduler);
    const limiter = stack.worker!.get(ChannelRateLimiter);
    const tag = `ntskip${Date.now().toString(36)}`;
    const write = (id: string, status: 'open' | 'resolved') =>
      stack.sql(
        `INSERT INTO incidents (id, status, opened_at, resolved_at, first_evidence_at, root_key, root_causes,
                                affected_services, affected_instances, changed_at)
         VALUES ($1, $2, now() - interval '1 minute', CASE WHEN $2 = 'resolved' THEN now() END, now() - interval '1 minute',
                 $3, $4::jsonb, $5, $6, now())
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, resolved_at = EXCLUDED.resolved_at,
                                        changed_at = EXCLUDED.changed_at, updated_at = now()`,
        [
          id,
          status,
          `backend:amqp://${tag}:5672`,
          JSON.stringify([
            {
              key: `backend:amqp://${tag}:5672`,
              kind: 'backend',
              confidence: 0.9,
              summary: `${tag} lost by its dependents`,
            },
          ]),
          [`${tag}-app`],
          [`instance:${tag}-app/a-1`],
        ],
      );
    const rows = (id: string) =>
      stack.call('GET', `/api/v1/notifications?incident=${id}&limit=100`).then((r) => r.json.items);

    // A false alarm opened and corrected between two plans: no channel ever had an opened row.
    const brief = `inc-${tag}-brief`;
    await write(brief, 'resolved');
    await scheduler.schedule([brief]);
    const briefRows: { kind: string; status: string; lastError: string }[] = await rows(brief);
    expect(briefRows).toHaveLength(7 * 2);
    expect(briefRows.every((n) => n.status === 'skipped')).toBe(true);
    expect(briefRows[0].lastError).toMatch(/resolved before opened was delivered/);

    // Opened planned but not yet attempted (every channel's budget for this minute is spent)
    // when the incident resolves: the pending opened rows are skipped, and the resolved ones.
    if (60_000 - (Date.now() % 60_000) < 20_000)
      await new Promise((r) => setTimeout(r, 60_000 - (Date.now() % 60_000) + 100));
    for (const id of Object.values(channels)) {
      const { ratePerMinute } = (await stack.call('GET', `/api/v1/channels/${id}`)).json;
      while ((await limiter.take(id, ratePerMinute)) === null);
    }
    const held = `inc-${tag}-held`;
    await write(held, 'open');
    await scheduler.schedule([held]);
    expect((await rows(held)).map((n: { status: string }) => n.status)).toEqual(
      Array(7).fill('pending'),
    );
    await write(held, 'resolved');
    await scheduler.schedule([held]);
    const heldRows = await pollUntil(
      () => rows(held),
      (items: { status: string; attempts: number }[]) =>
        items.length === 7 * 2 && items.every((n) => n.status === 'skipped'),
      { timeoutMs: 15_000, intervalMs: 250, what: 'opened and resolved skipped on every channel' },
    );
    expect(heldRows.every((n: { attempts: number }) => n.attempts === 0)).toBe(true);

    await new Promise((r) => setTimeout(r, 1000));
    expect(http.got.filter((r) => JSON.stringify(r.body).includes(tag))).toEqual([]);
    expect(mails.filter((m) => m.raw.includes(tag))).toEqual([]);
  }, 120_000);
});

/**
 * A worker killed after the receiver got the message but before it recorded the delivery: the
 * retry sends the same message again under the same event id, so the receiver sees it once.
 */
describe('notifications: a worker crash between send and record', () => {
  let worker: NodeProcess;
  let api: NodeProcess;
  let http: Awaited<ReturnType<typeof receiver>>;

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await http?.close();
  });

  it("still delivers once in the receiver's view", async () => {
    let killed = false;
    http = await receiver((r) => {
      if (r.path === '/hook' && !killed) {
        killed = true;
        worker.signal('SIGKILL');
      }
    });
    const env = {
      DATABASE_URL: await freshDatabase('notify_crash'),
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: `notify-crash-${Date.now().toString(36)}`,
      FAULTLINE_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      FAULTLINE_SECRET_KEY: SECRET_KEY,
      WORKER_LOCK_MS: '2000',
      WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
    };
    const started = await startApi(env, await freePort());
    api = started.api;
    worker = startWorker(env);
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${started.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
          'content-type': 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));
    expect(
      (
        await call('POST', '/api/v1/channels', {
          type: 'webhook',
          name: 'hook',
          url: `${http.url}/hook`,
        })
      ).status,
    ).toBe(201);

    // Five dependents of one broker: two healthy rounds, then two failing ones.
    const t0 = Date.now() - 10 * 60_000;
    const reports = [0, 1, 2, 3].flatMap((round) =>
      [1, 2, 3, 4, 5].map((i) => ({
        service: `app${i}`,
        instance: `app${i}-1`,
        observedAt: new Date(t0 + round * 10_000 + i * 100).toISOString(),
        checks: [
          { name: 'mq', target: 'amqp://crash-broker:5672', status: round < 2 ? 'pass' : 'fail' },
        ],
      })),
    );
    expect((await call('POST', '/api/v1/reports', reports)).status).toBe(202);

    await pollUntil(
      async () => killed,
      (k) => k,
      { timeoutMs: 30_000, intervalMs: 100, what: 'the first delivery to reach the receiver' },
    );
    await worker.exited;
    worker = startWorker(env);
    const sent = await pollUntil(
      () => call('GET', '/api/v1/notifications'),
      (r) => r.json.items?.length === 1 && r.json.items[0].status === 'sent',
      { timeoutMs: 30_000, intervalMs: 250, what: 'the delivery recorded after the restart' },
    );
    const hooks = http.got.filter((r) => r.path === '/hook');
    expect(hooks.length).toBeGreaterThanOrEqual(2);
    expect(new Set(hooks.map((r) => r.headers['x-faultline-event-id']))).toEqual(
      new Set([sent.json.items[0].event.id]),
    );
  }, 90_000);
});

describe('notifications: the per-channel rate limit (real Redis)', () => {
  it('lets a channel take its budget per minute, then names when the next window opens; channels do not share budgets', async () => {
    const IORedis = (await import('ioredis')).default;
    const redis = new IORedis(redisUrl());
    try {
      const config = { QUEUE_PREFIX: `rate-${Date.now().toString(36)}` } as FaultlineConfig;
      const limiter = new ChannelRateLimiter(
        { connection: redis } as unknown as JobProducer,
        config,
      );
      const now = Date.UTC(2026, 10, 25, 12, 0, 30);
      const nextWindow = Date.UTC(2026, 10, 25, 12, 1, 0);
      expect(await limiter.take('a', 2, now)).toBeNull();
      expect(await limiter.take('a', 2, now + 1)).toBeNull();
      expect(await limiter.take('a', 2, now + 2)).toBe(nextWindow);
      expect(await limiter.take('b', 2, now + 3)).toBeNull();
      expect(await limiter.take('a', 2, nextWindow)).toBeNull();
    } finally {
      redis.disconnect();
    }
  });
});
