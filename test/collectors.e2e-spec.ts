import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { signRequest } from '@faultline/collectors';
import type { INestApplicationContext } from '@nestjs/common';

import { createWorkerApp } from '../apps/worker/src/worker.app';
import { pollUntil } from '../bench/support/poll-until';
import { freshDatabase, type Stack, startStack, uniqueName } from './support/stack';

const FIXTURES = join(__dirname, '../libs/formats/src/fixtures');
// The documented examples carry their authors' dates: moved to now, inside the retention window.
const fixture = (name: string) =>
  readFileSync(join(FIXTURES, name), 'utf8').replace(
    /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g,
    () => new Date().toISOString(),
  );
const SECRET_KEY = 'f'.repeat(64);
const COLLECTOR = 'collector-e2e';

interface Endpoint {
  url: string;
  requests: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** A local health endpoint answering with `respond` (status, content type, body), or never. */
async function endpoint(
  respond: (() => { status: number; type: string; body: string }) | 'hang',
): Promise<Endpoint> {
  const requests: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.headers);
    if (respond === 'hang') return;
    const { status, type, body } = respond();
    res.writeHead(status, { 'content-type': type }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/health`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP server that answers every connection with bytes that are not HTTP. */
async function garbageServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.end('\u0000\u0001 this is not http\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/health`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Collectors end to end: health documents pushed in each format, and real local endpoints
 * polled by the real worker (BullMQ job schedulers through Redis), stored in Postgres and read
 * back through the API; slow, hung, refusing and garbage-answering endpoints become failing
 * reachability reports; when every target of the collector fails, the collector is blamed.
 */
describe('collectors', () => {
  let stack: Stack;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    // Its own database: the correlation test at the end needs an engine fed only real-time polls.
    const DATABASE_URL = await freshDatabase('collectors');
    stack = await startStack({
      env: {
        DATABASE_URL,
        FAULTLINE_SECRET_KEY: SECRET_KEY,
        COLLECTOR_ID: COLLECTOR,
        CORRELATION_LEASE_MS: '3000',
      },
    });
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await stack.close();
  });

  /** The current checks of an instance, as the inventory API shows them. */
  const checksOf = async (service: string, instance: string) => {
    const res = await stack.call(
      'GET',
      `/api/v1/instances/${encodeURIComponent(service)}/${encodeURIComponent(instance)}`,
    );
    return res.status === 200
      ? (res.json.checks as {
          name: string;
          status: string;
          target: string | null;
          output: string | null;
        }[])
      : null;
  };
  type Checks = NonNullable<Awaited<ReturnType<typeof checksOf>>>;
  const awaitChecks = async (
    service: string,
    instance: string,
    done: (checks: Checks) => boolean,
    what: string,
  ): Promise<Checks> =>
    (await pollUntil(
      () => checksOf(service, instance),
      (c) => c !== null && done(c),
      { timeoutMs: 20_000, intervalMs: 200, what },
    )) as Checks;
  const storedFor = async (service: string) =>
    Number(
      (await stack.sql('SELECT count(*) AS n FROM reports WHERE service = $1', [service]))[0].n,
    );

  describe('push: POST /api/v1/ingest/:format', () => {
    const cases: [string, string, string, string][] = [
      ['oslo', 'oslo-plain-disabled.txt', 'text/plain', 'fail'],
      ['oslo', 'oslo-json-detailed.json', 'application/json', 'pass'],
      ['health-json', 'health-json-example.json', 'application/health+json', 'pass'],
      ['actuator', 'actuator-down.json', 'application/json', 'fail'],
      ['terminus', 'terminus-error.json', 'application/json', 'fail'],
      ['aspnet', 'aspnet-unhealthy.json', 'application/json', 'fail'],
      ['auto', 'actuator-health.json', 'application/json', 'pass'],
    ];
    it.each(cases)('%s: %s is stored as native reports', async (format, file, contentType) => {
      const service = uniqueName(`push-${format}`);
      const res = await stack.call(
        'POST',
        `/api/v1/ingest/${format}?service=${service}&instance=i-1&labels=zone=az1`,
        undefined,
        { raw: fixture(file), contentType },
      );
      expect(res.status).toBe(202);
      expect(res.json.accepted).toBeGreaterThanOrEqual(1);
      if (format === 'auto') expect(res.json.format).toBe('actuator');
      // health+json names its own service (serviceId): the body wins over the query.
      const storedAs = format === 'health-json' ? JSON.parse(fixture(file)).serviceId : service;
      const stored = await pollUntil(
        () => storedFor(storedAs),
        (n) => n > 0,
        { timeoutMs: 15_000, intervalMs: 100, what: `the ${format} report stored` },
      );
      expect(stored).toBe(res.json.accepted);
    });

    it('gives unnamed components a target scoped to their service and lists them as unresolved', async () => {
      const service = uniqueName('push-actuator');
      const res = await stack.call(
        'POST',
        `/api/v1/ingest/actuator?service=${service}&instance=i-1`,
        undefined,
        { raw: fixture('actuator-down.json') },
      );
      expect(res.status).toBe(202);
      expect(res.json.unresolved).toContainEqual({
        service,
        component: 'db',
        target: expect.stringMatching(/^component:\/\/db\./),
      });
      const listed = await stack.call('GET', `/api/v1/components/unresolved?service=${service}`);
      expect(listed.json.items).toContainEqual(
        expect.objectContaining({ source: 'push', service, component: 'db' }),
      );
      const checks = await awaitChecks(
        service,
        'i-1',
        (c) => c.some((x) => x.name === 'db'),
        'the actuator checks stored',
      );
      expect(checks.find((c) => c.name === 'db')).toMatchObject({
        status: 'fail',
        target: expect.stringMatching(/^component:\/\/db\./),
      });
    });

    it('refuses what is not the format, naming the place, and stores nothing', async () => {
      const service = uniqueName('push-bad');
      const garbage = await stack.call(
        'POST',
        `/api/v1/ingest/actuator?service=${service}`,
        undefined,
        { raw: '{"status": 42}' },
      );
      expect(garbage.status).toBe(400);
      expect(garbage.json.errors[0]).toMatchObject({ path: expect.stringMatching(/status/) });
      const unknown = await stack.call(
        'POST',
        `/api/v1/ingest/auto?service=${service}`,
        undefined,
        { raw: '{"hello": "world"}' },
      );
      expect(unknown).toMatchObject({ status: 400, json: { errors: [{ path: '' }] } });
      const noService = await stack.call('POST', '/api/v1/ingest/oslo', undefined, {
        raw: 'OK',
        contentType: 'text/plain',
      });
      expect(noService.status).toBe(400);
      const badFormat = await stack.call('POST', `/api/v1/ingest/xml?service=${service}`, {});
      expect(badFormat).toMatchObject({ status: 400, json: { errors: [{ path: '/format' }] } });
      const plainToNative = await stack.call('POST', '/api/v1/reports', undefined, {
        raw: 'OK',
        contentType: 'text/plain',
      });
      expect(plainToNative.status).toBe(415);
      await new Promise((r) => setTimeout(r, 300));
      expect(await storedFor(service)).toBe(0);
    });

    it('alertmanager: each alert becomes a check of the service its labels name', async () => {
      const job = uniqueName('am-job');
      const body = fixture('alertmanager-probe-failure.json').replace(/http_checks/g, job);
      const res = await stack.call('POST', '/api/v1/ingest/alertmanager', undefined, { raw: body });
      expect(res).toMatchObject({ status: 202, json: { accepted: 1, format: 'alertmanager' } });
      const checks = await awaitChecks(
        job,
        'https://server.example.org',
        (c) => c.length > 0,
        'the alert stored',
      );
      expect(checks).toEqual([expect.objectContaining({ name: 'ProbeFailure', status: 'fail' })]);
    });

    it('alertmanager: stores the alerts it can and lists the refused ones, 400 only when none is valid', async () => {
      const fresh = uniqueName('am-fresh');
      const alert = (job: string, startsAt: string) => ({
        status: 'firing',
        labels: { alertname: 'RedisDown', job, instance: `${job}-1`, severity: 'critical' },
        annotations: { summary: 'redis down' },
        startsAt,
        endsAt: '0001-01-01T00:00:00Z',
      });
      // Firing for five days, older than the retention window: stamped on arrival (alerts are
      // events), so stored, not refused.
      const fiveDaysAgo = new Date(Date.now() - 5 * 86_400_000).toISOString();
      const old = await stack.call('POST', '/api/v1/ingest/alertmanager', {
        version: '4',
        status: 'firing',
        alerts: [alert(fresh, fiveDaysAgo)],
      });
      expect(old).toMatchObject({ status: 202, json: { accepted: 1, refused: [] } });
      await awaitChecks(fresh, `${fresh}-1`, (c) => c.length > 0, 'the old alert stored');

      // An alert the adapter cannot read (no label names its service) is refused by its place.
      const unnamed = { ...alert(fresh, new Date().toISOString()), labels: { alertname: 'X' } };
      const partly = await stack.call('POST', '/api/v1/ingest/alertmanager', {
        version: '4',
        status: 'firing',
        alerts: [alert(fresh, new Date().toISOString()), unnamed],
      });
      expect(partly.status).toBe(202);
      expect(partly.json).toMatchObject({ accepted: 1, refused: [{ path: '/alerts/1/labels' }] });
      const nothing = await stack.call('POST', '/api/v1/ingest/alertmanager', {
        version: '4',
        status: 'firing',
        alerts: [unnamed],
      });
      expect(nothing).toMatchObject({
        status: 400,
        json: { errors: [{ path: '/alerts/0/labels' }] },
      });
    });

    it('needs the ingest scope', async () => {
      const res = await stack.call('POST', '/api/v1/ingest/oslo?service=x', undefined, {
        raw: 'OK',
        contentType: 'text/plain',
        token: null,
      });
      expect(res.status).toBe(401);
    });
  });

  describe('push sources: mapping and signatures', () => {
    it('maps a component to its real backend, and a signing source refuses unsigned, stale and forged requests', async () => {
      const id = uniqueName('src');
      const service = uniqueName('push-signed');
      const put = await stack.call('PUT', `/api/v1/sources/${id}`, {
        service,
        secret: 'a-very-long-signing-secret',
        mapping: { db: 'mysql://db-1.internal:3306/orders' },
      });
      expect(put.status).toBe(201);
      expect(put.json).toMatchObject({ id, signed: true, service });
      expect(JSON.stringify(put.json)).not.toContain('a-very-long-signing-secret');
      const [row] = await stack.sql('SELECT secret_sealed FROM push_sources WHERE id = $1', [id]);
      expect(row.secret_sealed).not.toContain('a-very-long-signing-secret');

      const body = fixture('actuator-down.json');
      const url = `/api/v1/ingest/actuator?source=${id}&instance=i-1`;
      const sign = (secret: string, at: number) =>
        signRequest(secret, { method: 'POST', url, headers: {}, body }, at);
      const post = (signature: string | null) =>
        fetch(`${stack.baseUrl}${url}`, {
          method: 'POST',
          headers: {
            authorization: 'Bearer test-admin-token-0123456789abcdef',
            'content-type': 'application/json',
            ...(signature ? { 'x-faultline-signature': signature } : {}),
          },
          body,
        }).then(async (r) => ({
          status: r.status,
          json: (await r.json()) as { unresolved: { component: string }[] },
        }));
      expect((await post(null)).status).toBe(401);
      expect((await post(sign('a-very-long-signing-secret', Date.now() - 6 * 60_000))).status).toBe(
        401,
      );
      expect((await post(sign('another-secret-entirely', Date.now()))).status).toBe(401);
      const ok = await post(sign('a-very-long-signing-secret', Date.now()));
      expect(ok.status).toBe(202);
      expect(ok.json.unresolved.map((u: { component: string }) => u.component)).not.toContain('db');
      const checks = await awaitChecks(
        service,
        'i-1',
        (c) => c.some((x) => x.name === 'db'),
        'the signed report stored',
      );
      expect(checks.find((c) => c.name === 'db')?.target).toBe('mysql://db-1.internal:3306/orders');
    });

    it('validates a source, naming the field', async () => {
      const res = await stack.call('PUT', `/api/v1/sources/${uniqueName('src')}`, {
        secret: 'short',
        mapping: { db: 'not a uri' },
      });
      expect(res.status).toBe(400);
      expect(res.json.errors.map((e: { path: string }) => e.path)).toEqual(
        expect.arrayContaining(['/secret']),
      );
    });
  });

  describe('poll: targets polled by the worker', () => {
    it('polls each format, sends its headers, stores the reports with a passing reachability check', async () => {
      const oslo = await endpoint(() => ({
        status: 503,
        type: 'text/plain',
        body: fixture('oslo-plain-disabled.txt'),
      }));
      const actuator = await endpoint(() => ({
        status: 503,
        type: 'application/json',
        body: fixture('actuator-down.json'),
      }));
      closers.push(oslo.close, actuator.close);
      const service = uniqueName('polled');
      const a = await stack.call('POST', '/api/v1/targets', {
        url: oslo.url,
        format: 'oslo',
        service,
        instance: 'oslo-1',
        intervalMs: 1000,
        timeoutMs: 500,
      });
      expect(a.status).toBe(201);
      const b = await stack.call('PUT', `/api/v1/targets/${uniqueName('act')}`, {
        url: actuator.url,
        service,
        instance: 'act-1',
        intervalMs: 1000,
        timeoutMs: 500,
        headers: { Authorization: 'Bearer polled-secret', 'User-Agent': 'faultline-e2e' },
        mapping: { db: 'mysql://orders-db:3306' },
      });
      expect(b.status).toBe(201);
      expect(b.json).toMatchObject({
        format: 'auto',
        headerNames: ['Authorization', 'User-Agent'],
      });
      expect(JSON.stringify(b.json)).not.toContain('polled-secret');
      const [row] = await stack.sql(
        'SELECT headers_sealed, headers_clear FROM poll_targets WHERE id = $1',
        [b.json.id],
      );
      expect(row.headers_sealed).not.toContain('polled-secret');
      // Only the secret is sealed; a User-Agent is not one.
      expect(row.headers_clear).toEqual({ 'User-Agent': 'faultline-e2e' });

      const osloChecks = await awaitChecks(
        service,
        'oslo-1',
        (c) => c.some((x) => x.name === 'reachability'),
        'the oslo target polled',
      );
      expect(osloChecks.find((c) => c.name === 'reachability')).toMatchObject({
        status: 'pass',
        target: `collector://${COLLECTOR}`,
      });
      const actChecks = await awaitChecks(
        service,
        'act-1',
        (c) => c.some((x) => x.name === 'db'),
        'the actuator target polled',
      );
      expect(actChecks.find((c) => c.name === 'db')).toMatchObject({
        status: 'fail',
        target: 'mysql://orders-db:3306',
      });
      expect(actuator.requests[0].authorization).toBe('Bearer polled-secret');
      expect(actuator.requests[0]['user-agent']).toBe('faultline-e2e');
      // Each format asked for its richest form: oslo for JSON (its detailed answer), auto for any.
      expect(oslo.requests[0].accept).toBe('application/json');
      expect(actuator.requests[0].accept).toBe(
        'application/health+json, application/json;q=0.9, text/plain;q=0.5',
      );
    });

    it('turns hung, refusing, garbage-answering and link-local targets into failing reachability, with the reason', async () => {
      const hung = await endpoint('hang');
      const garbage = await garbageServer();
      const html = await endpoint(() => ({
        status: 200,
        type: 'text/html',
        body: '<html>hello</html>',
      }));
      const refused = await endpoint(() => ({ status: 200, type: 'text/plain', body: 'OK' }));
      await refused.close();
      closers.push(hung.close, garbage.close, html.close);
      const service = uniqueName('broken');
      const cases: [string, string, RegExp][] = [
        ['hung', hung.url, /^timeout/],
        ['refused', refused.url, /^refused/],
        ['garbage', garbage.url, /^(protocol|network)/],
        ['html', html.url, /no known health format/],
        ['metadata', 'http://169.254.169.254/latest/meta-data/', /^blocked-address/],
      ];
      for (const [instance, url] of cases) {
        const res = await stack.call('POST', '/api/v1/targets', {
          url,
          service,
          instance,
          intervalMs: 1500,
          timeoutMs: 400,
        });
        expect(res.status).toBe(201);
      }
      for (const [instance, , reason] of cases) {
        const checks = await awaitChecks(
          service,
          instance,
          (c) => c.some((x) => x.name === 'reachability'),
          `the ${instance} target polled`,
        );
        expect(checks.find((c) => c.name === 'reachability')).toMatchObject({
          status: 'fail',
          output: expect.stringMatching(reason),
        });
      }
    });

    it('validates targets, and deleting one stops its polls', async () => {
      const bad = await stack.call('POST', '/api/v1/targets', {
        url: 'ftp://x/',
        service: 's',
        intervalMs: 1000,
        timeoutMs: 2000,
        format: 'xml',
        mapping: { db: 'no uri' },
      });
      expect(bad.status).toBe(400);
      expect(bad.json.errors.map((e: { path: string }) => e.path).sort()).toEqual(['/format']);
      const bad2 = await stack.call('POST', '/api/v1/targets', {
        url: 'http://user:pw@x/',
        service: 's',
        intervalMs: 1000,
        timeoutMs: 2000,
        mapping: { db: 'no uri' },
      });
      expect(bad2.json.errors.map((e: { path: string }) => e.path).sort()).toEqual([
        '/mapping/db',
        '/timeoutMs',
        '/url',
      ]);

      const ep = await endpoint(() => ({ status: 200, type: 'text/plain', body: 'OK' }));
      closers.push(ep.close);
      const created = await stack.call('POST', '/api/v1/targets', {
        url: ep.url,
        service: uniqueName('gone'),
        intervalMs: 1000,
        timeoutMs: 500,
      });
      await pollUntil(
        async () => ep.requests.length,
        (n) => n >= 1,
        { timeoutMs: 10_000, intervalMs: 100, what: 'a first poll' },
      );
      expect((await stack.call('DELETE', `/api/v1/targets/${created.json.id}`)).status).toBe(204);
      expect((await stack.call('GET', `/api/v1/targets/${created.json.id}`)).status).toBe(404);
      await new Promise((r) => setTimeout(r, 1500));
      const after = ep.requests.length;
      await new Promise((r) => setTimeout(r, 2500));
      expect(ep.requests.length).toBe(after);
    });
  });
});

/**
 * Without FAULTLINE_SECRET_KEY: a target whose headers are no secrets (Accept, User-Agent) is
 * stored and polled with them, its own Accept replacing the format's; a secret header is refused,
 * naming it.
 */
describe('collectors: headers without a secret key', () => {
  let stack: Stack;
  let server: Server;
  const requests: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    stack = await startStack();
    server = createServer((req, res) => {
      requests.push(req.headers);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await stack.close();
  });

  it('stores headers that are not secrets in clear and sends them, its own Accept winning', async () => {
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/healthcheck`;
    const created = await stack.call('POST', '/api/v1/targets', {
      url,
      format: 'oslo',
      service: uniqueName('keyless'),
      intervalMs: 1000,
      timeoutMs: 500,
      headers: { Accept: 'text/plain', 'User-Agent': 'faultline-keyless' },
    });
    expect(created.status).toBe(201);
    expect(created.json.headerNames).toEqual(['Accept', 'User-Agent']);
    await pollUntil(
      async () => requests.length,
      (n) => n >= 1,
      { timeoutMs: 10_000, intervalMs: 100, what: 'a first poll' },
    );
    expect(requests[0]).toMatchObject({ accept: 'text/plain', 'user-agent': 'faultline-keyless' });
    expect((await stack.call('DELETE', `/api/v1/targets/${created.json.id}`)).status).toBe(204);
  });

  it('refuses a secret header without the key, naming it', async () => {
    const res = await stack.call('POST', '/api/v1/targets', {
      url: 'http://orders.internal:8080/health',
      service: 'orders',
      headers: { Accept: 'application/json', 'X-Api-Key': 'k', Authorization: 'Bearer t' },
    });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/headers/Authorization',
      '/headers/X-Api-Key',
    ]);
  });
});

/**
 * The collector as a root cause, in a deployment of its own: two workers share the polls of
 * targets loaded from a YAML file, never polling one twice at once; when every target becomes
 * unreachable at once, the incident blames the collector, not the services.
 */
describe('collectors: shared polls and the collector as a root cause', () => {
  const COLLECTOR_ID = 'collector-blamed';
  let stack: Stack;
  let second: INestApplicationContext;
  let server: Server;
  let healthy = true;
  const inFlight = new Map<string, number>();
  const overlaps: string[] = [];
  const polls = new Map<string, number>();
  const dir = mkdtempSync(join(tmpdir(), 'faultline-targets-'));
  const service = uniqueName('fleet');

  beforeAll(async () => {
    server = createServer((req, res) => {
      const id = req.url ?? '';
      if ((inFlight.get(id) ?? 0) > 0) overlaps.push(id);
      inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
      polls.set(id, (polls.get(id) ?? 0) + 1);
      // Slow (300 ms of a 1 s interval): a second poll of the same target would overlap.
      setTimeout(() => {
        inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
        if (healthy) res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
        else res.destroy();
      }, 300);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const file = join(dir, 'targets.yaml');
    writeFileSync(
      file,
      [
        'targets:',
        ...[1, 2, 3, 4, 5].flatMap((i) => [
          `  - id: node-${i}`,
          `    url: http://127.0.0.1:${port}/node-${i}`,
          '    format: oslo',
          `    service: ${service}`,
          `    instance: node-${i}`,
          '    intervalMs: 1000',
          '    timeoutMs: 800',
        ]),
      ].join('\n'),
    );
    const DATABASE_URL = await freshDatabase('collector_blamed');
    const env = {
      DATABASE_URL,
      COLLECTOR_ID,
      COLLECTOR_TARGETS_FILE: file,
      CORRELATION_LEASE_MS: '3000',
    };
    stack = await startStack({ env });
    second = await createWorkerApp(stack.config);
  });
  afterAll(async () => {
    await second.close();
    await stack.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the targets file at start-up', async () => {
    const res = await stack.call('GET', '/api/v1/targets');
    expect(
      res.json.items.map((t: { id: string; origin: string }) => `${t.id}:${t.origin}`),
    ).toEqual(['node-1:file', 'node-2:file', 'node-3:file', 'node-4:file', 'node-5:file']);
  });

  it('polls each target once per interval across two workers, never twice at once', async () => {
    const start = new Map(polls);
    await new Promise((r) => setTimeout(r, 5000));
    for (let i = 1; i <= 5; i++) {
      const n = (polls.get(`/node-${i}`) ?? 0) - (start.get(`/node-${i}`) ?? 0);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(7);
    }
    expect(overlaps).toEqual([]);
  }, 15_000);

  it('blames the collector when every target it polls becomes unreachable at once', async () => {
    healthy = false;
    const collector = `backend:collector://${COLLECTOR_ID}`;
    // It may open on 4 of the 5 (already unlikely to be chance); the fifth joins it.
    const found = await pollUntil(
      () => stack.call('GET', '/api/v1/incidents?status=open'),
      (r) =>
        r.status === 200 &&
        r.json.items.some(
          (i: { rootCauses: { key: string; summary: string }[] }) =>
            i.rootCauses[0]?.key === collector && /5 of 5 dependents/.test(i.rootCauses[0].summary),
        ),
      {
        timeoutMs: 30_000,
        intervalMs: 500,
        what: 'an incident blaming the collector for all 5 targets',
      },
    );
    const incident = found.json.items.find(
      (i: { rootCauses: { key: string }[] }) => i.rootCauses[0].key === collector,
    );
    expect(incident.affected.services).toEqual([service]);
    // One incident for the collector, none per service or instance.
    expect(found.json.items).toHaveLength(1);
  }, 40_000);
});
