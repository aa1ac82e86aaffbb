import { request as httpRequest } from 'node:http';

import { pollUntil } from '../bench/support/poll-until';
import { type Stack, startStack, uniqueName } from './support/stack';
import { TEST_ADMIN_TOKEN } from './support/test-env';

const MiB = 1024 * 1024;

interface PartialSend {
  status: number;
  json: any;
  /** Body bytes the client had written when the answer arrived. */
  sentBytes: number;
  declaredBytes: number;
}

/**
 * Declares a body of `declaredBytes` (or sends it chunked when null), writes only the first
 * `sendBytes` of it, and waits for the answer: a server that reads the body before answering
 * never answers (the test times out); one that refuses first answers at once.
 */
function sendPartly(
  stack: Stack,
  path: string,
  headers: Record<string, string>,
  declaredBytes: number | null,
  sendBytes: number,
): Promise<PartialSend> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within 10 s to a ${declaredBytes ?? 'chunked'}-byte body`));
    }, 10_000);
    const req = httpRequest(`${stack.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(declaredBytes === null ? {} : { 'content-length': String(declaredBytes) }),
        ...headers,
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        answered = true;
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString();
        resolve({
          status: res.statusCode ?? 0,
          json: text ? JSON.parse(text) : undefined,
          sentBytes,
          declaredBytes: declaredBytes ?? -1,
        });
        req.destroy();
      });
    });
    req.on('error', (e) => {
      if (answered) return; // the server closed the connection after answering: as intended
      clearTimeout(timer);
      reject(e);
    });
    let sentBytes = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x20); // spaces: JSON whitespace
    const writeMore = () => {
      while (sentBytes < sendBytes && !answered) {
        sentBytes += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', writeMore);
          return;
        }
      }
    };
    writeMore();
  });
}

/**
 * Hostile input against a real api, worker, Postgres and Redis: regular expressions from query
 * keys, health documents built to cost, bodies before authentication, large bodies and arrays,
 * forged client addresses. Every attack is refused (or read within its caps), nothing of a
 * refused request is stored, and the service stays ready.
 */
describe('hostile input', () => {
  let stack: Stack;
  // Every report a refused request carried names a service under this prefix.
  const refusedPrefix = uniqueName('refused');
  const refusedService = () => `${refusedPrefix}-${Math.random().toString(36).slice(2, 8)}`;

  beforeAll(async () => {
    stack = await startStack({
      env: { INGEST_BODY_LIMIT_BYTES: String(4 * MiB), INGEST_MAX_REPORTS_PER_REQUEST: '1000' },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  describe('query keys', () => {
    it.each([
      ['a backtracking pattern', `(.%2B)%2B%5Cd${'a'.repeat(8000)}`],
      ['[', '%5B'],
      ['(', '('],
      ['$&', '%24%26'],
    ])('an unknown key (%s) is refused at once with 400 naming it', async (_label, key) => {
      const started = Date.now();
      const res = await stack.call('GET', `/api/v1/services?${key}=1`);
      expect(res.status).toBe(400);
      const name = decodeURIComponent(key.replace(/\+/g, ' '));
      expect(res.json.errors).toEqual([
        { path: `/${name}`, reason: `property ${name} should not exist` },
      ]);
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });

  describe('bodies', () => {
    it('an unauthenticated 16 MiB POST is refused with 401 before its body is read', async () => {
      for (const path of ['/api/v1/reports', '/api/v1/ingest/oslo', '/api/v1/targets']) {
        const res = await sendPartly(stack, path, {}, 16 * MiB, 64 * 1024);
        expect([path, res.status]).toEqual([path, 401]);
        expect(res.sentBytes).toBeLessThan(res.declaredBytes);
      }
      // Chunked, without a length: the same.
      const chunked = await sendPartly(stack, '/api/v1/reports', {}, null, 64 * 1024);
      expect(chunked.status).toBe(401);
      // An unknown token and a token without the scope: the same, before the body.
      const unknown = await sendPartly(
        stack,
        '/api/v1/reports',
        { authorization: 'Bearer flt_not-a-token' },
        16 * MiB,
        64 * 1024,
      );
      expect(unknown.status).toBe(401);
      const reader = await stack.call('POST', '/api/v1/tokens', {
        name: uniqueName('reader'),
        scopes: ['read'],
      });
      const wrongScope = await sendPartly(
        stack,
        '/api/v1/reports',
        { authorization: `Bearer ${reader.json.token as string}` },
        16 * MiB,
        64 * 1024,
      );
      expect(wrongScope.status).toBe(403);
    });

    it('a route other than ingest takes 64 KiB: 413 naming the limit, before reading a declared body', async () => {
      const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
      const declared = await sendPartly(stack, '/api/v1/tokens', auth, 16 * MiB, 64 * 1024);
      expect(declared.status).toBe(413);
      expect(declared.json.message).toMatch(/at most 65536 bytes/);
      expect(declared.json.errors).toEqual([{ path: '', reason: declared.json.message }]);
      const chunked = await sendPartly(stack, '/api/v1/tokens', auth, null, 256 * 1024);
      expect(chunked.status).toBe(413);
      expect(chunked.json.message).toMatch(/at most 65536 bytes/);
      // Just over, sent whole.
      const res = await stack.call('PUT', `/api/v1/mappings/${uniqueName('m')}`, undefined, {
        raw: JSON.stringify({ mapping: { x: 'y'.repeat(70_000) } }),
      });
      expect(res.status).toBe(413);
    });

    it('an ingest route takes INGEST_BODY_LIMIT_BYTES: 413 naming it past that', async () => {
      const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
      const res = await sendPartly(stack, '/api/v1/reports', auth, 16 * MiB, 64 * 1024);
      expect(res.status).toBe(413);
      expect(res.json.message).toMatch(/at most 4194304 bytes \(INGEST_BODY_LIMIT_BYTES\)/);
      // 1 MiB is within it.
      const service = uniqueName('big');
      const ok = await stack.call('POST', '/api/v1/reports', undefined, {
        raw: JSON.stringify({ service, labels: { note: 'x'.repeat(400) } }) + ' '.repeat(MiB),
      });
      expect(ok.status).toBe(202);
    });

    it('more reports than INGEST_MAX_REPORTS_PER_REQUEST: 413 naming the cap (array and NDJSON), never 503', async () => {
      const reports = Array.from({ length: 1001 }, () => ({ service: refusedService() }));
      const array = await stack.call('POST', '/api/v1/reports', reports);
      expect(array.status).toBe(413);
      expect(array.json.message).toMatch(/at most 1000 reports a request/);
      expect(array.json.errors).toEqual([{ path: '', reason: array.json.message }]);
      const ndjson = await stack.call('POST', '/api/v1/reports', undefined, {
        raw: reports.map((r) => JSON.stringify(r)).join('\n'),
        contentType: 'application/x-ndjson',
      });
      expect(ndjson.status).toBe(413);
      expect(ndjson.json.message).toMatch(/at most 1000 reports a request/);
      // 150,000 tiny reports (past where an argument spread throws): 413, not "Redis unavailable".
      const many = `[${Array.from({ length: 150_000 }, () => '{"service":"x"}').join(',')}]`;
      const huge = await stack.call('POST', '/api/v1/reports', undefined, { raw: many });
      expect(huge.status).toBe(413);
    });
  });

  describe('health documents built to cost', () => {
    const push = (format: string, service: string, body: string, contentType: string) =>
      stack.call('POST', `/api/v1/ingest/${format}?service=${service}&instance=i-1`, undefined, {
        raw: body,
        contentType,
      });
    const storedChecks = async (service: string) =>
      pollUntil(
        () => stack.sql<{ body: any }>('SELECT body FROM reports WHERE service = $1', [service]),
        (rows) => rows.length === 1,
        { what: `the report of ${service}` },
      ).then((rows) => rows[0].body.checks as { name: string; status: string }[]);

    it('a 50,000-line oslo text body: read in its caps, the failure kept', async () => {
      const service = uniqueName('oslo-lines');
      const body = Array.from({ length: 50_000 }, (_, i) =>
        i === 45_000 ? 'RabbitMQ connection failed' : 'OK',
      ).join('\n');
      const started = Date.now();
      const res = await push('oslo', service, body, 'text/plain');
      const ms = Date.now() - started;
      process.stdout.write(`hostile input: 50,000-line oslo body answered in ${ms} ms\n`);
      expect(res.status).toBe(202);
      const checks = await storedChecks(service);
      expect(checks).toHaveLength(200);
      expect(checks.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual([
        'RabbitMQ connection failed',
      ]);
    });

    it('a megabyte of reasons: read in its caps, the failures kept', async () => {
      const service = uniqueName('oslo-mib');
      const reasons = Array.from({ length: 12_000 }, (_, i) => ({
        reason: i === 11_999 ? 'DB down' : 'OK',
        details: `${'a.'.repeat(40)}://${'b@'.repeat(10)}`,
        class: 'HealthcheckResult',
      }));
      const body = JSON.stringify({ detailed: true, reasons });
      expect(body.length).toBeGreaterThan(MiB);
      const started = Date.now();
      const res = await push('oslo', service, body, 'application/json');
      const ms = Date.now() - started;
      process.stdout.write(`hostile input: 1 MiB of oslo reasons answered in ${ms} ms\n`);
      expect(res.status).toBe(202);
      const checks = await storedChecks(service);
      expect(checks).toHaveLength(200);
      expect(checks.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual(['DB down']);
    });
  });

  it('stores nothing of a refused request, and stays ready', async () => {
    // A report accepted after every refusal: once it is stored, anything before it would be too.
    const sentinel = uniqueName('sentinel');
    expect((await stack.call('POST', '/api/v1/reports', { service: sentinel })).status).toBe(202);
    await pollUntil(
      () => stack.sql('SELECT 1 FROM reports WHERE service = $1', [sentinel]),
      (rows) => rows.length === 1,
      { what: 'the sentinel report' },
    );
    const refused = await stack.sql('SELECT service FROM reports WHERE service LIKE $1', [
      `${refusedPrefix}%`,
    ]);
    expect(refused).toEqual([]);
    expect((await fetch(`${stack.baseUrl}/readyz`)).status).toBe(200);
  });
});

describe('client addresses (TRUST_PROXY unset)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      worker: false,
      env: { RATE_LIMIT_WINDOW_MS: '10000', RATE_LIMIT_ADDRESS_PER_S: '2' }, // 20 a window
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('X-Forwarded-For is not believed: a client cannot pick its address to escape the per-address limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) {
      const res = await fetch(`${stack.baseUrl}/api/v1/incidents`, {
        headers: {
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
          'x-forwarded-for': `198.51.100.${i + 1}`,
        },
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    // 45 requests span at most two windows of 20: some are refused, whatever the header says.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
    expect((await fetch(`${stack.baseUrl}/readyz`)).status).toBe(200);
  });
});
