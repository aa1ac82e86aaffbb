import { execFile } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

import { NotificationScheduler } from '@faultline/notifications';
import { SecretBox, secretKeyId } from '@faultline/platform';
import { SMTPServer } from 'smtp-server';

import { pollUntil } from '../bench/support/poll-until';
import { freshDatabase, type Stack, startStack, uniqueName } from './support/stack';
import { freePort } from './support/throwaway-servers';

const run = promisify(execFile);
const KEY_A = 'a1'.repeat(32);
const KEY_B = 'b2'.repeat(32);
const RESEAL_SCRIPT = resolve(__dirname, '../scripts/reseal-secrets.mjs');

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

/** A local HTTP server that records every request; `answer` decides the reply. */
async function recorder(
  answer: (req: Seen) => { status: number; headers?: Record<string, string>; body?: string },
): Promise<{ origin: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const request = { url: req.url ?? '', headers: req.headers };
      seen.push(request);
      const { status, headers, body } = answer(request);
      res.writeHead(status, headers).end(body ?? '');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    seen,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

const HEALTHY = {
  status: 200,
  headers: { 'content-type': 'application/health+json' },
  body: JSON.stringify({ status: 'pass' }),
};

/** A value as SecretBox sealed it before key ids (v1): what databases hold from before rotation. */
function sealV1(hexKey: string, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(hexKey, 'hex'), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].reduce(
    (text, part) => `${text}.${part.toString('base64url')}`,
    'v1',
  );
}

/** A notification event as the planner records it: what a channel is sent. */
function event(id: string) {
  return {
    id: `${id}:opened`,
    kind: 'opened',
    severity: 'critical',
    createdAt: new Date().toISOString(),
    incident: {
      id,
      status: 'open',
      openedAt: new Date().toISOString(),
      resolvedAt: null,
      rootCauses: [
        { key: 'backend:amqp://rabbit-1:5672', kind: 'backend', confidence: 0.9, summary: 'down' },
      ],
      affected: { services: ['nova-api'], instances: ['instance:nova-api/n-1'] },
      url: `http://faultline.test/incidents/${id}`,
    },
  };
}

/**
 * Outbound safety end to end, each attack against the real api and worker (Postgres, Redis, real
 * local HTTP and SMTP servers): poll headers do not follow a redirect to another origin; cloud
 * metadata addresses are refused for polls and for SMTP; credentials never go to SMTP in clear;
 * URLs with credentials are sealed and shown redacted; the secret key rotates (old values read,
 * a missing key shown as a poll error and never a 500, `npm run secrets:reseal` re-seals all).
 */
describe('outbound safety', () => {
  let stack: Stack;
  let databaseUrl: string;
  let smtp: SMTPServer;
  let smtpPort: number;
  const smtpSeen = { connections: 0, logins: [] as string[], mails: 0 };
  const closers: (() => Promise<void>)[] = [];

  const start = (env: Record<string, string>) =>
    startStack({
      env: {
        DATABASE_URL: databaseUrl,
        NOTIFY_TIMEOUT_MS: '1000',
        NOTIFY_ATTEMPTS: '3',
        CORRELATION_ENABLED: 'false',
        ...env,
      },
    });

  beforeAll(async () => {
    smtp = new SMTPServer({
      logger: false,
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      onConnect(_session, callback) {
        smtpSeen.connections += 1;
        callback();
      },
      onAuth(auth, _session, callback) {
        smtpSeen.logins.push(auth.password ?? '');
        callback(null, { user: auth.username });
      },
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => {
          smtpSeen.mails += 1;
          callback();
        });
      },
    });
    smtpPort = await freePort();
    await new Promise<void>((done) => smtp.listen(smtpPort, '127.0.0.1', done));
    databaseUrl = await freshDatabase('outbound');
    stack = await start({ FAULTLINE_SECRET_KEY: KEY_A });
  });
  afterAll(async () => {
    await stack?.close();
    for (const close of closers) await close();
    await new Promise((done) => smtp.close(() => done(undefined)));
  });

  const checksOf = async (service: string, instance: string) => {
    const res = await stack.call('GET', `/api/v1/instances/${service}/${instance}`);
    return res.status === 200
      ? (res.json.checks as { name: string; status: string; output: string | null }[])
      : [];
  };
  const reachability = (
    service: string,
    instance: string,
    done: (status: string, output: string) => boolean,
  ) =>
    pollUntil(
      async () => (await checksOf(service, instance)).find((c) => c.name === 'reachability'),
      (c) => c !== undefined && done(c.status, c.output ?? ''),
      { timeoutMs: 15_000, intervalMs: 200, what: `reachability of ${service}/${instance}` },
    );
  const addTarget = async (body: object) => {
    const res = await stack.call('POST', '/api/v1/targets', {
      intervalMs: 1000,
      timeoutMs: 400,
      ...body,
    });
    expect(res.status).toBe(201);
    return res.json as { id: string; url: string };
  };
  /** Records a pending notification for the channel and has the worker deliver it. */
  const notify = async (channelId: string) => {
    const incident = uniqueName('inc');
    const [row] = await stack.sql<{ id: string }>(
      `INSERT INTO notifications (incident_id, event_key, channel_id, kind, top_cause, status, event)
       VALUES ($1, 'opened', $2, 'opened', 'backend:amqp://rabbit-1:5672', 'pending', $3) RETURNING id`,
      [incident, channelId, JSON.stringify(event(incident))],
    );
    await stack.worker!.get(NotificationScheduler).sweep();
    return row.id;
  };
  const settled = (notificationId: string) =>
    pollUntil(
      async () =>
        (
          await stack.sql<{ status: string; attempts: number; last_error: string | null }>(
            'SELECT status, attempts, last_error FROM notifications WHERE id = $1',
            [notificationId],
          )
        )[0],
      (n) => n.status !== 'pending',
      { timeoutMs: 15_000, intervalMs: 100, what: `notification ${notificationId} settled` },
    );

  it('a poll redirected to another origin carries none of the target headers there', async () => {
    const landing = await recorder(() => HEALTHY);
    const start = await recorder(() => ({
      status: 302,
      headers: { location: `${landing.origin}/health` },
    }));
    closers.push(landing.close, start.close);
    const target = await addTarget({
      url: `${start.origin}/health`,
      service: uniqueName('redirected'),
      headers: { Authorization: 'Bearer leak-1', 'X-Api-Key': 'leak-2', 'X-Tenant': 'leak-3' },
    });

    await pollUntil(
      async () => landing.seen.length,
      (n) => n >= 1,
      { what: 'the redirected poll' },
    );
    expect(start.seen[0].headers).toMatchObject({
      authorization: 'Bearer leak-1',
      'x-tenant': 'leak-3',
    });
    for (const request of landing.seen) {
      expect(JSON.stringify(request.headers)).not.toMatch(/leak-/);
      expect(request.headers['x-tenant']).toBeUndefined();
    }
    await stack.call('DELETE', `/api/v1/targets/${target.id}`);
  });

  it('polls of cloud metadata addresses (Alibaba, Oracle, GCP IPv6) are refused as blocked-address', async () => {
    const service = uniqueName('metadata');
    const urls: Record<string, string> = {
      alibaba: 'http://100.100.100.200/latest/meta-data/',
      oracle: 'http://192.0.0.192/opc/v2/instance/',
      gcp6: 'http://[fd20:ce::254]/computeMetadata/v1/',
    };
    for (const [instance, url] of Object.entries(urls)) await addTarget({ url, service, instance });
    for (const instance of Object.keys(urls)) {
      const check = await reachability(service, instance, (status) => status === 'fail');
      expect(check?.output).toMatch(/^blocked-address/);
    }
  });

  it('an email channel reaches no metadata address and never sends SMTP credentials in clear', async () => {
    const inClear = await stack.call('POST', '/api/v1/channels', {
      type: 'email',
      name: 'mail-in-clear',
      to: ['oncall@example.org'],
      smtp: {
        host: '127.0.0.1',
        port: smtpPort,
        secure: false,
        user: 'mailer',
        password: 'clear-pw',
        from: 'f@example.org',
      },
    });
    expect(inClear.status).toBe(400);
    expect(inClear.json.errors).toEqual([{ path: '/smtp/requireTls', reason: expect.any(String) }]);

    const metadata = await stack.call('POST', '/api/v1/channels', {
      type: 'email',
      name: 'mail-metadata',
      to: ['oncall@example.org'],
      smtp: { host: '100.100.100.200', port: 25, from: 'f@example.org' },
    });
    expect(metadata.status).toBe(201);
    // A channel stored before the rule (or written around the API): refused at send as well.
    const [legacy] = await stack.sql<{ id: string }>(
      `INSERT INTO notification_channels (name, type, settings, secrets_sealed, secret_names, rate_per_minute)
       VALUES ('mail-legacy', 'email', $1, $2, '{password}', 30) RETURNING id`,
      [
        JSON.stringify({
          to: ['oncall@example.org'],
          smtp: {
            host: '127.0.0.1',
            port: smtpPort,
            secure: false,
            user: 'mailer',
            from: 'f@example.org',
          },
        }),
        new SecretBox(KEY_A).seal(JSON.stringify({ password: 'clear-pw' })),
      ],
    );

    const [toMetadata, inClearAtSend] = await Promise.all([
      settled(await notify(metadata.json.id)),
      settled(await notify(legacy.id)),
    ]);
    expect(toMetadata).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: expect.stringMatching(/blocked-address/),
    });
    expect(inClearAtSend).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: expect.stringMatching(/without TLS/),
    });
    expect(smtpSeen).toEqual({ connections: 0, logins: [], mails: 0 });
  });

  it('URLs with credentials are sealed, shown redacted, and used in full only to send and poll', async () => {
    const hooks = await recorder(() => ({ status: 200, body: '{}' }));
    const health = await recorder(() => HEALTHY);
    closers.push(hooks.close, health.close);

    const webhook = await stack.call('POST', '/api/v1/channels', {
      type: 'webhook',
      name: 'hook-with-token',
      url: `${hooks.origin}/hook?token=TOK-SECRET-1&key=KEY-SECRET-2`,
    });
    expect(webhook.status).toBe(201);
    expect(webhook.json.settings.url).toBe(`${hooks.origin}/hook?token=***&key=***`);
    expect(webhook.json.secrets).toEqual(['url']);
    const slack = await stack.call('POST', '/api/v1/channels', {
      type: 'slack',
      name: 'slack-hook',
      url: `${hooks.origin}/services/T0AAA1111/B0BBB2222/abcdEFGH1234ijklMNOP5678`,
    });
    expect(slack.json.settings.url).toBe(`${hooks.origin}/services/T0AAA1111/B0BBB2222/***`);
    const target = await addTarget({
      url: `${health.origin}/health?access_token=POLL-SECRET-3`,
      service: uniqueName('query-token'),
    });
    expect(target.url).toBe(`${health.origin}/health?access_token=***`);

    const shown = JSON.stringify([
      (await stack.call('GET', '/api/v1/channels')).json,
      (await stack.call('GET', `/api/v1/targets/${target.id}`)).json,
    ]);
    const stored = JSON.stringify(
      await stack.sql(
        `SELECT settings::text AS s FROM notification_channels UNION ALL SELECT url FROM poll_targets
         UNION ALL SELECT secrets_sealed FROM notification_channels WHERE secrets_sealed IS NOT NULL`,
      ),
    );
    for (const text of [shown, stored]) expect(text).not.toMatch(/SECRET-[123]|abcdEFGH1234/);

    // The real URLs are used where they belong: the webhook is posted to, the target polled.
    expect(await settled(await notify(webhook.json.id))).toMatchObject({ status: 'sent' });
    expect(hooks.seen.map((r) => r.url)).toContain('/hook?token=TOK-SECRET-1&key=KEY-SECRET-2');
    await pollUntil(
      async () => health.seen.length,
      (n) => n >= 1,
      { what: 'the sealed-URL target polled' },
    );
    expect(health.seen[0].url).toBe('/health?access_token=POLL-SECRET-3');
    await stack.call('DELETE', `/api/v1/targets/${target.id}`);
  });

  it('the secret key rotates: a missing key is a poll error (never a 500), reseal moves all to the new key', async () => {
    const guarded = await recorder((r) =>
      r.headers.authorization === 'Bearer rot-1' ? HEALTHY : { status: 401, body: 'no' },
    );
    closers.push(guarded.close);
    const service = uniqueName('rotated');
    await addTarget({
      url: `${guarded.origin}/health?token=ROT-URL-SECRET`,
      service,
      instance: 'i-1',
      headers: { Authorization: 'Bearer rot-1' },
    });
    await reachability(service, 'i-1', (status) => status === 'pass');
    const signed = await stack.call('POST', '/api/v1/channels', {
      type: 'webhook',
      name: 'rotated-hook',
      url: `${guarded.origin}/hook`,
      secret: 'signing-secret-0123456789',
    });
    expect(signed.status).toBe(201);
    // A channel sealed before key ids and before names were kept in clear.
    await stack.sql(
      `INSERT INTO notification_channels (name, type, settings, secrets_sealed, rate_per_minute)
       VALUES ('legacy-pager', 'pagerduty', '{}', $1, 30)`,
      [sealV1(KEY_A, JSON.stringify({ routingKey: 'R0UT1NG' }))],
    );

    // Rotated: the new key only, the old one forgotten.
    await stack.close();
    stack = await start({ FAULTLINE_SECRET_KEY: KEY_B });
    const listed = await stack.call('GET', '/api/v1/channels');
    expect(listed.status).toBe(200);
    const byName = (name: string) =>
      (listed.json.items ?? listed.json).find((c: { name: string }) => c.name === name);
    expect(byName('rotated-hook').secrets).toEqual(['secret']);
    expect(byName('legacy-pager').secrets).toEqual([]);
    expect((await stack.call('GET', '/api/v1/targets')).status).toBe(200);
    const before = guarded.seen.length;
    const unopened = await reachability(
      service,
      'i-1',
      (status, output) => status === 'fail' && /secret-unavailable/.test(output),
    );
    expect(unopened?.output).toContain(
      `sealed under key ${secretKeyId(KEY_A)}, which is not configured`,
    );
    expect(guarded.seen.length).toBe(before); // nothing sent without its credentials

    const resealed = await run(process.execPath, [RESEAL_SCRIPT], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: databaseUrl,
        FAULTLINE_SECRET_KEY: KEY_B,
        FAULTLINE_SECRET_KEYS: KEY_A,
      },
    });
    expect(resealed.stdout).toMatch(/poll_targets\.headers_sealed: 1 re-sealed/);
    expect(resealed.stdout).toMatch(
      /notification_channels\.secrets_sealed: \d+ re-sealed.*, 1 named/,
    );
    expect(resealed.stdout + resealed.stderr).not.toMatch(
      /rot-1|ROT-URL-SECRET|R0UT1NG|signing-secret/,
    );
    const sealed = await stack.sql<{ v: string }>(
      `SELECT headers_sealed AS v FROM poll_targets WHERE headers_sealed IS NOT NULL
       UNION ALL SELECT url_sealed FROM poll_targets WHERE url_sealed IS NOT NULL
       UNION ALL SELECT secrets_sealed FROM notification_channels WHERE secrets_sealed IS NOT NULL`,
    );
    for (const { v } of sealed) expect(v.startsWith(`v2.${secretKeyId(KEY_B)}.`)).toBe(true);

    // The same worker, still without the old key, polls with the headers again.
    await reachability(service, 'i-1', (status) => status === 'pass');
    const relisted = await stack.call('GET', '/api/v1/channels');
    expect(
      (relisted.json.items ?? relisted.json).find(
        (c: { name: string }) => c.name === 'legacy-pager',
      ).secrets,
    ).toEqual(['routingKey']);
    const ready = await fetch(`${stack.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
  });
});
