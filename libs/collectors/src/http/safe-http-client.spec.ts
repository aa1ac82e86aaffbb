// Real sockets on 127.0.0.1, started per test; only name resolution is injected (the constructor
// option), so "a host name that resolves to the metadata address" needs no DNS server.
import { execFileSync, spawnSync } from 'node:child_process';
import { lookup as systemLookup, type LookupAddress } from 'node:dns';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { isBlockedAddress } from './address-policy';
import { FetchFailure, type FetchFailureReason } from './fetch-failure';
import type { HostnameResolver } from './guarded-lookup';
import { type SafeFetchOptions, SafeHttpClient } from './safe-http-client';
import { unopenedHeaders } from './unopened-secrets';

const FAST: SafeFetchOptions = { timeoutMs: 1_000 };

const FIXED_ANSWERS: Record<string, LookupAddress[]> = {
  'service.test': [{ address: '127.0.0.1', family: 4 }],
  'metadata.test': [{ address: '169.254.169.254', family: 4 }],
  'dual.test': [
    { address: '127.0.0.1', family: 4 },
    { address: '169.254.169.254', family: 4 },
  ],
  'linklocal.test': [{ address: 'fe80::1', family: 6 }],
};

const resolvedNames: string[] = [];
const testResolver: HostnameResolver = (hostname, options, callback) => {
  resolvedNames.push(hostname);
  const fixed = FIXED_ANSWERS[hostname];
  if (fixed !== undefined) {
    process.nextTick(() => callback(null, fixed));
    return;
  }
  if (hostname === 'nxdomain.test') {
    const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
    Object.assign(error, { code: 'ENOTFOUND', syscall: 'getaddrinfo' });
    process.nextTick(() => callback(error, []));
    return;
  }
  systemLookup(hostname, options, callback);
};

interface RunningServer {
  port: number;
  origin: string;
  connections: number;
  close(): Promise<void>;
}

const running: RunningServer[] = [];

/** A TCP server that tracks its sockets so closing it never waits on a hung client. */
function track(server: net.Server, scheme: string): Promise<RunningServer> {
  const sockets = new Set<net.Socket>();
  const handle: RunningServer = {
    port: 0,
    origin: '',
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (socket: net.Socket) => {
    handle.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      handle.port = (server.address() as net.AddressInfo).port;
      handle.origin = `${scheme}://127.0.0.1:${handle.port}`;
      running.push(handle);
      resolve(handle);
    });
  });
}

function httpServer(handler: http.RequestListener): Promise<RunningServer> {
  return track(http.createServer(handler), 'http');
}

function tcpServer(onConnection: (socket: net.Socket) => void): Promise<RunningServer> {
  return track(net.createServer(onConnection), 'http');
}

async function closedPort(): Promise<number> {
  const server = await tcpServer(() => undefined);
  await server.close();
  return server.port;
}

async function failureOf(pending: Promise<unknown>): Promise<FetchFailure> {
  const outcome = await pending.then(
    () => new Error('expected the fetch to fail'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof FetchFailure)) throw outcome;
  return outcome;
}

async function expectFailure(pending: Promise<unknown>, reason: FetchFailureReason) {
  const failure = await failureOf(pending);
  expect(failure.reason).toBe(reason);
  return failure;
}

/** Every host any socket tried to connect to while `action` ran. */
async function connectAttemptsDuring(action: () => Promise<unknown>): Promise<string[]> {
  const hosts: string[] = [];
  const original = net.Socket.prototype.connect;
  const spy = jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (
    this: net.Socket,
    ...args: unknown[]
  ) {
    // Node passes either (options, callback) or its normalised [options, callback] array.
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const host = (first as { host?: string } | undefined)?.host;
    if (typeof host === 'string') hosts.push(host);
    return (original as (...all: unknown[]) => net.Socket).apply(this, args);
  });
  try {
    await action();
  } finally {
    spy.mockRestore();
  }
  return hosts;
}

let client: SafeHttpClient;

beforeEach(() => {
  client = new SafeHttpClient({ lookup: testResolver });
  resolvedNames.length = 0;
});

afterEach(async () => {
  client.close();
  await Promise.all(running.splice(0).map((server) => server.close()));
});

describe('SafeHttpClient: answers', () => {
  it('returns status, content type, UTF-8 body, final URL and elapsed time', async () => {
    const server = await httpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      response.end('{"status":"ok","note":"façade ✓"}');
    });

    const answer = await client.fetch(`${server.origin}/health?verbose=1`, FAST);

    expect(answer).toEqual({
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: '{"status":"ok","note":"façade ✓"}',
      elapsedMs: expect.any(Number),
      url: `${server.origin}/health?verbose=1`,
    });
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('resolves a 503 as an answer: statuses are for the poller to judge', async () => {
    const server = await httpServer((_request, response) => {
      response.writeHead(503);
      response.end('down');
    });

    const answer = await client.fetch(server.origin, FAST);

    expect(answer).toMatchObject({ status: 503, contentType: null, body: 'down' });
  });

  it('connects to host names through the injected lookup and reuses the kept-alive socket', async () => {
    const server = await httpServer((_request, response) => response.end('ok'));

    await client.fetch(`http://service.test:${server.port}/`, FAST);
    await client.fetch(`http://service.test:${server.port}/`, FAST);

    expect(resolvedNames).toEqual(['service.test']);
    expect(server.connections).toBe(1);
  });

  it('sends the given headers and a default user agent, and only GET', async () => {
    let seen: http.IncomingHttpHeaders = {};
    let method = '';
    const server = await httpServer((request, response) => {
      seen = request.headers;
      method = request.method ?? '';
      response.end();
    });

    await client.fetch(server.origin, { ...FAST, headers: { 'X-Probe': 'yes' } });

    expect(method).toBe('GET');
    expect(seen['x-probe']).toBe('yes');
    expect(seen['user-agent']).toBe('faultline-health-poller');
  });

  it('turns userinfo into Basic credentials and leaves it out of the final URL', async () => {
    let authorization: string | undefined;
    const server = await httpServer((request, response) => {
      authorization = request.headers.authorization;
      response.end();
    });

    const answer = await client.fetch(`http://probe:p%40ss@127.0.0.1:${server.port}/`, FAST);

    expect(authorization).toBe(`Basic ${Buffer.from('probe:p@ss').toString('base64')}`);
    expect(answer.url).toBe(`${server.origin}/`);
  });
});

describe('SafeHttpClient: transport failures', () => {
  it('times out on a server that accepts and never answers', async () => {
    const server = await tcpServer(() => undefined);
    const startedAt = Date.now();

    await expectFailure(client.fetch(server.origin, { timeoutMs: 150 }), 'timeout');

    expect(Date.now() - startedAt).toBeLessThan(1_000);
  });

  it('times out on a body that stalls after the headers: the deadline covers the body', async () => {
    const server = await httpServer((_request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('partial');
    });

    await expectFailure(client.fetch(server.origin, { timeoutMs: 150 }), 'timeout');
  });

  it('retries once on a fresh socket when a kept-alive one was closed by the server', async () => {
    let connectionNumber = 0;
    const server = await tcpServer((socket) => {
      connectionNumber += 1;
      const isFirstConnection = connectionNumber === 1;
      let requestsOnSocket = 0;
      socket.on('data', () => {
        requestsOnSocket += 1;
        // The first connection serves one request, then dies on the next, as an idle
        // keep-alive socket the server already gave up on does.
        if (isFirstConnection && requestsOnSocket > 1) {
          socket.destroy();
          return;
        }
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
      });
    });

    await client.fetch(server.origin, FAST);
    const answer = await client.fetch(server.origin, FAST);

    expect(answer.body).toBe('ok');
    expect(server.connections).toBe(2);
  });

  it('does not retry a fresh socket that is closed without an answer', async () => {
    const server = await tcpServer((socket) => socket.on('data', () => socket.destroy()));

    await expectFailure(client.fetch(server.origin, FAST), 'network');
    expect(server.connections).toBe(1);
  });

  it('close() fails calls in flight, even on a reused socket, and the client stays usable', async () => {
    let requests = 0;
    const server = await httpServer((_request, response) => {
      requests += 1;
      if (requests === 1) response.end('first');
      // Later requests hang, so close() finds them in flight.
    });
    await client.fetch(server.origin, FAST);

    const inFlight = client.fetch(server.origin, FAST);
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.close();

    await expectFailure(inFlight, 'network');
    expect(requests).toBe(2);
    await expectFailure(client.fetch(server.origin, { timeoutMs: 100 }), 'timeout');
    expect(server.connections).toBe(2);
  });

  it('reports a closed port as refused', async () => {
    const port = await closedPort();

    await expectFailure(client.fetch(`http://127.0.0.1:${port}/`, FAST), 'refused');
  });

  it('reports an unresolvable host name as dns', async () => {
    await expectFailure(client.fetch('http://nxdomain.test/', FAST), 'dns');
  });

  it('reports a TCP server that does not speak HTTP as protocol', async () => {
    const server = await tcpServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'));

    await expectFailure(client.fetch(server.origin, FAST), 'protocol');
  });

  it('fails with too-large while streaming a body over the cap', async () => {
    const server = await httpServer((_request, response) => {
      // Chunked, no Content-Length: the cap must be enforced on the bytes as they arrive.
      response.writeHead(200);
      const chunk = Buffer.alloc(16 * 1024, 'x');
      for (let index = 0; index < 64; index += 1) response.write(chunk);
      response.end();
    });

    await expectFailure(
      client.fetch(server.origin, { ...FAST, maxBodyBytes: 20_000 }),
      'too-large',
    );
  });

  it('fails with too-large on a declared Content-Length over the cap, and accepts one at the cap', async () => {
    const server = await httpServer((_request, response) => response.end('x'.repeat(100)));

    await expectFailure(client.fetch(server.origin, { ...FAST, maxBodyBytes: 99 }), 'too-large');
    const answer = await client.fetch(server.origin, { ...FAST, maxBodyBytes: 100 });
    expect(answer.body).toHaveLength(100);
  });

  it('never puts URL credentials, query or request headers into the message', async () => {
    const port = await closedPort();
    const url = `http://probe:s3cret@127.0.0.1:${port}/health?token=q-secret`;

    const failure = await expectFailure(
      client.fetch(url, { ...FAST, headers: { authorization: 'Bearer h-secret' } }),
      'refused',
    );

    expect(failure.message).toContain(`127.0.0.1:${port}`);
    for (const secret of ['s3cret', 'q-secret', 'h-secret', 'probe']) {
      expect(failure.message).not.toContain(secret);
    }
  });
});

describe('SafeHttpClient: URLs and options', () => {
  it.each([
    'ftp://127.0.0.1/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'not a url',
    '/relative',
  ])('refuses %s as invalid-url', async (url) => {
    await expectFailure(client.fetch(url, FAST), 'invalid-url');
  });

  it('does not repeat an unparseable URL, which may hold credentials, in the message', async () => {
    const failure = await expectFailure(
      client.fetch('http://probe:s3cret@[bad/', FAST),
      'invalid-url',
    );

    expect(failure.message).not.toContain('s3cret');
  });

  it('rejects nonsensical options as programming errors, not fetch failures', async () => {
    await expect(client.fetch('http://127.0.0.1/', { timeoutMs: 0 })).rejects.toThrow(RangeError);
    await expect(client.fetch('http://127.0.0.1/', { maxRedirects: -1 })).rejects.toThrow(
      RangeError,
    );
    await expect(
      client.fetch('http://127.0.0.1/', { headers: { 'x-bad': 'line\r\nbreak' } }),
    ).rejects.toThrow(TypeError);
  });
});

describe('SafeHttpClient: redirects', () => {
  /** /hop/N redirects (relative Location) to /hop/N-1; /hop/0 answers. */
  async function redirectChain(): Promise<RunningServer> {
    return httpServer((request, response) => {
      const remaining = Number(/^\/hop\/(\d+)$/.exec(request.url ?? '')?.[1] ?? 0);
      if (remaining === 0) {
        response.end('arrived');
        return;
      }
      response.writeHead(302, { location: `/hop/${remaining - 1}` });
      response.end();
    });
  }

  it('follows a chain as long as maxRedirects and returns the final URL', async () => {
    const server = await redirectChain();

    const answer = await client.fetch(`${server.origin}/hop/3`, { ...FAST, maxRedirects: 3 });

    expect(answer).toMatchObject({ status: 200, body: 'arrived', url: `${server.origin}/hop/0` });
  });

  it('fails with too-many-redirects one hop over the limit', async () => {
    const server = await redirectChain();

    await expectFailure(
      client.fetch(`${server.origin}/hop/4`, { ...FAST, maxRedirects: 3 }),
      'too-many-redirects',
    );
  });

  it('returns a 3xx without Location as an answer', async () => {
    const server = await httpServer((_request, response) => {
      response.writeHead(304);
      response.end();
    });

    await expect(client.fetch(server.origin, FAST)).resolves.toMatchObject({ status: 304 });
  });

  it('refuses a redirect to a non-http scheme', async () => {
    const server = await httpServer((_request, response) => {
      response.writeHead(301, { location: 'file:///etc/passwd' });
      response.end();
    });

    await expectFailure(client.fetch(server.origin, FAST), 'invalid-url');
  });

  it('blocks a redirect to the metadata address without connecting to it', async () => {
    const server = await httpServer((_request, response) => {
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      response.end();
    });

    const attempts = await connectAttemptsDuring(() =>
      expectFailure(client.fetch(server.origin, FAST), 'blocked-address'),
    );

    expect(attempts).toEqual(['127.0.0.1']);
  });

  it('blocks a redirect to a host name that resolves to the metadata address', async () => {
    const server = await httpServer((_request, response) => {
      response.writeHead(307, { location: '//metadata.test/latest/meta-data/' });
      response.end();
    });

    await expectFailure(client.fetch(server.origin, FAST), 'blocked-address');
    expect(resolvedNames).toEqual(['metadata.test']);
  });

  it('keeps Authorization on the same origin and drops it (and Cookie) across origins', async () => {
    const seen: Array<{ server: string; authorization?: string; cookie?: string }> = [];
    const other = await httpServer((request, response) => {
      seen.push({ server: 'other', ...pickCredentials(request) });
      response.end('other');
    });
    const first = await httpServer((request, response) => {
      seen.push({ server: 'first', ...pickCredentials(request) });
      const location = request.url === '/start' ? '/same-origin' : `${other.origin}/landing`;
      response.writeHead(302, { location });
      response.end();
    });

    const answer = await client.fetch(`${first.origin}/start`, {
      ...FAST,
      headers: { Authorization: 'Bearer token', Cookie: 'session=1' },
    });

    expect(answer.url).toBe(`${other.origin}/landing`);
    expect(seen).toEqual([
      { server: 'first', authorization: 'Bearer token', cookie: 'session=1' },
      { server: 'first', authorization: 'Bearer token', cookie: 'session=1' },
      { server: 'other' },
    ]);
  });

  it('sends none of the caller headers to another origin: same host, other port, counts as one', async () => {
    const landed: http.IncomingHttpHeaders[] = [];
    const other = await httpServer((request, response) => {
      landed.push(request.headers);
      response.end('other');
    });
    const first = await httpServer((_request, response) => {
      response.writeHead(307, { location: `${other.origin}/landing` });
      response.end();
    });

    await client.fetch(`${first.origin}/start`, {
      ...FAST,
      headers: {
        'X-Api-Key': 'k-123',
        'X-Tenant': 'acme',
        Accept: 'application/json',
        'User-Agent': 'custom-agent',
      },
    });

    expect(landed).toHaveLength(1);
    expect(landed[0]['user-agent']).toBe('faultline-health-poller');
    for (const name of ['x-api-key', 'x-tenant', 'accept']) expect(landed[0][name]).toBeUndefined();
  });

  it('fails headers that could not be opened with secret-unavailable, connecting nowhere', async () => {
    const server = await httpServer((_request, response) => response.end('ok'));
    const headers = {
      Accept: 'text/plain',
      ...unopenedHeaders('sealed under key 0a1b, not configured'),
    };
    expect(Object.keys(headers)).toEqual(['Accept']);

    const failure = await expectFailure(
      client.fetch(server.origin, { ...FAST, headers }),
      'secret-unavailable',
    );

    expect(failure.message).toBe('sealed under key 0a1b, not configured');
    expect(server.connections).toBe(0);
  });
});

function pickCredentials(request: http.IncomingMessage): {
  authorization?: string;
  cookie?: string;
} {
  const { authorization, cookie } = request.headers;
  return {
    ...(authorization === undefined ? {} : { authorization }),
    ...(cookie === undefined ? {} : { cookie }),
  };
}

describe('SafeHttpClient: address policy', () => {
  it.each([
    'http://169.254.169.254/latest/meta-data',
    'http://[::ffff:169.254.169.254]/',
    'http://2852039166/',
    'http://0251.0376.0251.0376/',
    'http://[fd00:ec2::254]/',
    'http://[fe80::1]/',
    'http://0.0.0.0/',
    'http://[::]/',
  ])('blocks the literal %s without connecting', async (url) => {
    const attempts = await connectAttemptsDuring(() =>
      expectFailure(client.fetch(url, FAST), 'blocked-address'),
    );

    expect(attempts).toEqual([]);
  });

  it('blocks a host name that resolves to the metadata address, at connect time', async () => {
    await expectFailure(
      client.fetch('http://metadata.test/latest/meta-data', FAST),
      'blocked-address',
    );

    expect(resolvedNames).toEqual(['metadata.test']);
  });

  it('blocks a host name when any of its addresses is blocked', async () => {
    const server = await httpServer((_request, response) => response.end('reachable'));

    await expectFailure(client.fetch(`http://dual.test:${server.port}/`, FAST), 'blocked-address');
    expect(server.connections).toBe(0);
  });

  it('lets link-local addresses past the policy when allowLinkLocal is set', async () => {
    expect(isBlockedAddress('169.254.169.254', true)).toBe(false);
    expect(isBlockedAddress('fe80::1', true)).toBe(false);

    // fe80::1 without a zone cannot be connected to; whatever the OS answers, it is not the policy.
    const outcome = await client
      .fetch('http://linklocal.test:9/', { timeoutMs: 200, allowLinkLocal: true })
      .then(
        () => 'answered',
        (error: unknown) => (error instanceof FetchFailure ? error.reason : error),
      );

    expect(outcome).not.toBe('blocked-address');
    expect(resolvedNames).toEqual(['linklocal.test']);
  });

  it('does not hand a socket opened under allowLinkLocal to a stricter call', async () => {
    const server = await httpServer((_request, response) => response.end('ok'));

    await client.fetch(`http://service.test:${server.port}/`, { ...FAST, allowLinkLocal: true });
    await client.fetch(`http://service.test:${server.port}/`, FAST);

    expect(resolvedNames).toEqual(['service.test', 'service.test']);
    expect(server.connections).toBe(2);
  });
});

const opensslAvailable = spawnSync('openssl', ['version']).status === 0;
const describeWithOpenssl = opensslAvailable ? describe : describe.skip;
if (!opensslAvailable) {
  // Node cannot mint an X.509 certificate itself; without openssl the TLS cases cannot run.
  process.emitWarning('openssl not found: the TLS tests of SafeHttpClient are skipped');
}

describeWithOpenssl('SafeHttpClient: TLS (self-signed certificate made by openssl)', () => {
  let directory: string;
  let key: Buffer;
  let cert: Buffer;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'faultline-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(directory, 'key.pem'),
        '-out',
        join(directory, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    key = readFileSync(join(directory, 'key.pem'));
    cert = readFileSync(join(directory, 'cert.pem'));
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  function httpsServer(): Promise<RunningServer> {
    const server = https.createServer({ key, cert }, (_request, response) =>
      response.end('secure'),
    );
    return track(server, 'https');
  }

  it('fails with tls on a self-signed certificate by default', async () => {
    const server = await httpsServer();

    const failure = await expectFailure(client.fetch(server.origin, FAST), 'tls');

    expect(failure.message).toContain('self-signed');
  });

  it('accepts the certificate when tlsVerify is false, without loosening verified calls', async () => {
    const server = await httpsServer();

    const answer = await client.fetch(server.origin, { ...FAST, tlsVerify: false });
    expect(answer).toMatchObject({ status: 200, body: 'secure' });

    await expectFailure(client.fetch(server.origin, FAST), 'tls');
  });

  it('reports https to a plain-HTTP port as tls', async () => {
    const plain = await httpServer((_request, response) => response.end('plain'));

    await expectFailure(client.fetch(`https://127.0.0.1:${plain.port}/`, FAST), 'tls');
  });
});

describe('SafeHttpClient: POST', () => {
  interface ReceivedRequest {
    method: string;
    url: string;
    headers: http.IncomingHttpHeaders;
    body: string;
  }

  /** An HTTP server that records every request with its full body, then lets `answer` reply. */
  async function recordingServer(
    answer: (request: ReceivedRequest, response: http.ServerResponse) => void = (_r, response) =>
      response.end('ok'),
  ): Promise<{ server: RunningServer; received: ReceivedRequest[] }> {
    const received: ReceivedRequest[] = [];
    const server = await httpServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const seen = {
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        received.push(seen);
        answer(seen, response);
      });
    });
    return { server, received };
  }

  const JSON_HEADERS = { 'Content-Type': 'application/json' };

  it('sends the body with its byte length and the given headers intact', async () => {
    const { server, received } = await recordingServer((_request, response) => {
      response.writeHead(202, { 'content-type': 'application/json' });
      response.end('{"status":"success"}');
    });
    const body = JSON.stringify({ routing_key: 'k', event_action: 'trigger', summary: 'façade ✓' });

    const answer = await client.fetch(`${server.origin}/v2/enqueue?x=1`, {
      ...FAST,
      method: 'POST',
      body,
      headers: {
        ...JSON_HEADERS,
        'X-Faultline-Event': 'evt-1',
        'User-Agent': 'faultline-notifier',
      },
    });

    expect(answer).toMatchObject({ status: 202, body: '{"status":"success"}' });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v2/enqueue?x=1');
    expect(request.body).toBe(body);
    expect(request.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(request.headers['transfer-encoding']).toBeUndefined();
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-faultline-event']).toBe('evt-1');
    expect(request.headers['user-agent']).toBe('faultline-notifier');
  });

  it('sends Content-Length 0 for a POST without a body', async () => {
    const { server, received } = await recordingServer();

    await client.fetch(server.origin, { ...FAST, method: 'POST' });

    expect(received[0]).toMatchObject({ method: 'POST', body: '' });
    expect(received[0].headers['content-length']).toBe('0');
  });

  it.each([301, 302, 303, 307, 308])(
    'returns a %i answer to a POST without following it',
    async (status) => {
      const elsewhere = await httpServer((_request, response) => response.end('elsewhere'));
      const { server, received } = await recordingServer((_request, response) => {
        response.writeHead(status, { location: `${elsewhere.origin}/moved` });
        response.end('moved');
      });

      const answer = await client.fetch(`${server.origin}/hook`, {
        ...FAST,
        method: 'POST',
        body: '{}',
        headers: JSON_HEADERS,
      });

      expect(answer).toMatchObject({ status, body: 'moved', url: `${server.origin}/hook` });
      expect(received).toHaveLength(1);
      expect(elsewhere.connections).toBe(0);
    },
  );

  it("resolves a 5xx with its status and body: judging it is the caller's job", async () => {
    const { server } = await recordingServer((_request, response) => {
      response.writeHead(503, { 'content-type': 'text/plain' });
      response.end('try later');
    });

    const answer = await client.fetch(server.origin, { ...FAST, method: 'POST', body: '{}' });

    expect(answer).toMatchObject({ status: 503, contentType: 'text/plain', body: 'try later' });
  });

  it('times out on a server that reads the body and never answers', async () => {
    const { server, received } = await recordingServer(() => undefined);
    const startedAt = Date.now();

    await expectFailure(
      client.fetch(server.origin, { timeoutMs: 150, method: 'POST', body: '{}' }),
      'timeout',
    );

    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(received).toHaveLength(1);
  });

  it.each(['http://169.254.169.254/hook', 'http://[fd00:ec2::254]/hook'])(
    'blocks a POST to the literal %s without connecting',
    async (url) => {
      const attempts = await connectAttemptsDuring(() =>
        expectFailure(
          client.fetch(url, { ...FAST, method: 'POST', body: '{}' }),
          'blocked-address',
        ),
      );

      expect(attempts).toEqual([]);
    },
  );

  it('blocks a POST to a host name that resolves to the metadata address', async () => {
    await expectFailure(
      client.fetch('http://metadata.test/hook', { ...FAST, method: 'POST', body: '{}' }),
      'blocked-address',
    );

    expect(resolvedNames).toEqual(['metadata.test']);
  });

  it('does not retry a POST whose bytes reached a kept-alive socket the server then dropped', async () => {
    let connectionNumber = 0;
    let postsSeen = 0;
    const server = await tcpServer((socket) => {
      connectionNumber += 1;
      const isFirstConnection = connectionNumber === 1;
      let requestsOnSocket = 0;
      socket.on('data', () => {
        postsSeen += 1;
        requestsOnSocket += 1;
        // The second request arrives, then the connection dies unanswered: the server may
        // have acted on it, so the client must not send it again.
        if (isFirstConnection && requestsOnSocket > 1) {
          socket.destroy();
          return;
        }
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
      });
    });
    const post: SafeFetchOptions = { ...FAST, method: 'POST', body: '{"n":1}' };

    await client.fetch(server.origin, post);
    await expectFailure(client.fetch(server.origin, post), 'network');

    expect(postsSeen).toBe(2);
    expect(server.connections).toBe(1);
  });

  it('retries a POST on a fresh socket when the stale one failed before any byte was written', async () => {
    const { server, received } = await recordingServer();
    const clientSockets: net.Socket[] = [];
    const originalConnect = net.Socket.prototype.connect;
    const spy = jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (
      this: net.Socket,
      ...args: unknown[]
    ) {
      clientSockets.push(this);
      return (originalConnect as (...all: unknown[]) => net.Socket).apply(this, args);
    });
    try {
      await client.fetch(server.origin, { ...FAST, method: 'POST', body: 'first' });
      expect(clientSockets).toHaveLength(1);
      // The pooled socket turns out dead at its first write, before a byte leaves.
      const [staleSocket] = clientSockets;
      staleSocket.write = function (this: net.Socket) {
        const reset: NodeJS.ErrnoException = new Error('read ECONNRESET');
        reset.code = 'ECONNRESET';
        this.destroy(reset);
        return false;
      };

      const answer = await client.fetch(server.origin, { ...FAST, method: 'POST', body: 'second' });

      expect(answer.status).toBe(200);
    } finally {
      spy.mockRestore();
    }
    expect(received.map((request) => request.body)).toEqual(['first', 'second']);
    expect(server.connections).toBe(2);
  });

  it('keeps the body and headers out of failure messages', async () => {
    const port = await closedPort();

    const failure = await expectFailure(
      client.fetch(`http://127.0.0.1:${port}/hook?token=q-secret`, {
        ...FAST,
        method: 'POST',
        body: '{"routing_key":"b-secret"}',
        headers: { authorization: 'Bearer h-secret' },
      }),
      'refused',
    );

    for (const secret of ['q-secret', 'b-secret', 'h-secret']) {
      expect(failure.message).not.toContain(secret);
    }
  });

  it('rejects a body with GET and caller-set framing headers with POST as programming errors', async () => {
    await expect(client.fetch('http://127.0.0.1/', { body: 'x' })).rejects.toThrow(TypeError);
    await expect(
      client.fetch('http://127.0.0.1/', {
        method: 'POST',
        body: 'x',
        headers: { 'Content-Length': '9' },
      }),
    ).rejects.toThrow(TypeError);
    await expect(
      client.fetch('http://127.0.0.1/', {
        method: 'POST',
        headers: { 'Transfer-Encoding': 'chunked' },
      }),
    ).rejects.toThrow(TypeError);
  });
});
