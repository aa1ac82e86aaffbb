import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { pollUntil, sleep } from '../bench/support/poll-until';
import { NodeProcess } from './support/processes';
import { redisUrl, runDatabaseUrl, runId } from './support/test-env';
import { freePort } from './support/throwaway-servers';

/**
 * A new user's first minutes, the way the README tells them: a fresh clone, `npm start`
 * (scripts/start.mjs: the database created, the migrations, an api, a worker and a correlator as
 * processes),
 * the example report posted by hand. The clone borrows the checkout's node_modules and its
 * build (dist/, made by `npm run build` before the e2e tier) instead of installing and building
 * again; everything else — package.json's start script, scripts/start.mjs, README.md — is the
 * clone's, as committed. Each start has its own database (created by it), queue prefix and
 * ports, and logs at the default level, which is what is asserted.
 */

const CHECKOUT = resolve(__dirname, '..');
const run = promisify(execFile);

const TOKEN = 'first-minutes-admin-token-0123456789';
/** A stack trace's frame line: none may reach the default log level. */
const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;
const ROUTE_LINES = /RoutesResolver|RouterExplorer|Mapped \{/;

let tmp: string;
let clone: string;
let readmeReport: Record<string, unknown>;
let withToken: NpmStart;
const started: NpmStart[] = [];
const held: Server[] = [];

/** `npm start` in the clone: scripts/start.mjs as a child of its own, its own database and prefix. */
class NpmStart {
  readonly process: NodeProcess;
  readonly databaseName: string;
  readonly origin: string;

  constructor(
    readonly label: string,
    readonly ports: Ports,
    extraEnv: Record<string, string> = {},
  ) {
    const url = new URL(runDatabaseUrl());
    url.pathname = `${url.pathname}_fm_${label}`; // dropped with the run's database by the global teardown
    this.databaseName = url.pathname.slice(1);
    this.origin = `http://localhost:${ports.PORT}`;
    this.process = NodeProcess.spawn(`npm start (${label})`, join(clone, 'scripts/start.mjs'), {
      DATABASE_URL: url.toString(),
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: `t${runId()}-fm-${label}`,
      PORT: String(ports.PORT),
      WORKER_METRICS_PORT: String(ports.WORKER_METRICS_PORT),
      CORRELATOR_METRICS_PORT: String(ports.CORRELATOR_METRICS_PORT),
      ...extraEnv,
    });
    started.push(this);
  }

  logs(): string {
    return this.process.logs();
  }

  /** Each line as said: a JSON log line's `msg`, else the line itself (start.mjs speaks plain text). */
  lines(): string[] {
    return this.logs()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        try {
          const parsed = JSON.parse(l) as { msg?: unknown };
          return typeof parsed.msg === 'string' ? parsed.msg : l;
        } catch {
          return l;
        }
      });
  }

  /** Waits until a line matches (or the start exits); returns it. */
  async line(pattern: RegExp, what: string, timeoutMs = 30_000): Promise<string> {
    await pollUntil(
      async () => this.lines().some((l) => pattern.test(l)) || !this.process.running,
      (done) => done,
      { timeoutMs, intervalMs: 100, what: `${what} (${this.label})` },
    );
    const found = this.lines().find((l) => pattern.test(l));
    if (!found)
      throw new Error(
        `${this.label}: no line saying ${what}; output:\n${this.logs().slice(-4000)}`,
      );
    return found;
  }

  /** The pids its children logged (pino's `pid`): for the cleanup's last resort. */
  childPids(): number[] {
    const pids = new Set<number>();
    for (const m of this.logs().matchAll(/"pid":(\d+)/g)) pids.add(Number(m[1]));
    return [...pids];
  }

  async call(method: string, path: string, body?: unknown, token: string | null = TOKEN) {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.origin + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }
}

interface Ports {
  PORT: number;
  WORKER_METRICS_PORT: number;
  CORRELATOR_METRICS_PORT: number;
}

async function ports(): Promise<Ports> {
  return {
    PORT: await freePort(),
    WORKER_METRICS_PORT: await freePort(),
    CORRELATOR_METRICS_PORT: await freePort(),
  };
}

/** Listens on 0.0.0.0 (where the worker binds by default) on a free port and keeps it. */
async function holdPort(): Promise<number> {
  const server = createServer();
  held.push(server);
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '0.0.0.0', () => done());
  });
  return (server.address() as { port: number }).port;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'faultline-first-minutes-'));
  clone = join(tmp, 'faultline');
  await run('git', ['clone', '--quiet', '--local', CHECKOUT, clone]);
  // No second `npm ci` or build: the checkout's.
  await symlink(join(CHECKOUT, 'node_modules'), join(clone, 'node_modules'), 'dir');
  await symlink(join(CHECKOUT, 'dist'), join(clone, 'dist'), 'dir');

  const pkg = JSON.parse(await readFile(join(clone, 'package.json'), 'utf8'));
  expect(pkg.scripts.start).toBe('node scripts/start.mjs'); // what this spec runs; prestart builds
  // The README's example report, as a user copies it from "Run it".
  const readme = await readFile(join(clone, 'README.md'), 'utf8');
  const example = /-d '(\{"service":"nova-api"[^']*)'/.exec(readme);
  if (!example) throw new Error('README.md "Run it" has no example report for nova-api');
  readmeReport = JSON.parse(example[1]);
  expect(readmeReport).toMatchObject({ service: 'nova-api', instance: 'nova-api-3' });
  // Started now, so that it starts while the first test runs; the second test reads its lines.
  withToken = new NpmStart('readme', await ports(), { FAULTLINE_ADMIN_TOKEN: TOKEN });
});

afterAll(async () => {
  for (const s of started) await s.process.stop(10_000);
  // Were start.mjs killed outright, its children stop on their own (IPC disconnect); make sure.
  for (const pid of started.flatMap((s) => s.childPids())) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await Promise.all(held.map((s) => new Promise((done) => s.close(done))));
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

it("without FAULTLINE_ADMIN_TOKEN warns at start; a metrics port in use stops npm start with one line naming WORKER_METRICS_PORT, or the correlator's", async () => {
  // All at once: one start that works but has no token, two whose metrics ports are taken.
  const noToken = new NpmStart('notoken', await ports());
  const taken = new NpmStart('taken', {
    ...(await ports()),
    WORKER_METRICS_PORT: await holdPort(),
  });
  const correlatorTaken = new NpmStart('ctaken', {
    ...(await ports()),
    CORRELATOR_METRICS_PORT: await holdPort(),
  });

  // (c) exits non-zero, saying which setting to change; no stack trace.
  const exit = await Promise.race([
    taken.process.exited,
    sleep(30_000).then(() => ({ code: 'still running after 30 s' })),
  ]);
  const line = `port ${taken.ports.WORKER_METRICS_PORT} is in use: set WORKER_METRICS_PORT to a free port`;
  expect({ exit: exit.code, output: taken.logs() }).toEqual({
    exit: 1,
    output: expect.stringContaining(`faultline: the worker could not start: ${line}`),
  });
  expect(taken.lines().filter((l) => l.includes(line)).length).toBe(2); // the worker's, npm start's
  expect(taken.logs()).not.toMatch(STACK_FRAME);
  expect(taken.logs()).not.toMatch(/EADDRINUSE|node:events|Unhandled/);

  // The correlator's port: the same, naming its own setting; npm start stops the api and worker.
  const correlatorExit = await Promise.race([
    correlatorTaken.process.exited,
    sleep(30_000).then(() => ({ code: 'still running after 30 s' })),
  ]);
  const correlatorLine = `port ${correlatorTaken.ports.CORRELATOR_METRICS_PORT} is in use: set CORRELATOR_METRICS_PORT to a free port (or 0 to turn the correlator's metrics off)`;
  expect({ exit: correlatorExit.code, output: correlatorTaken.logs() }).toEqual({
    exit: 1,
    output: expect.stringContaining(
      `faultline: the correlator could not start: ${correlatorLine}; stopped the api and worker`,
    ),
  });
  expect(correlatorTaken.logs()).not.toMatch(STACK_FRAME);

  // (a) the warning, from npm start at once and from the api once it listens.
  expect(taken.lines()).toContainEqual(
    expect.stringMatching(/^faultline: FAULTLINE_ADMIN_TOKEN is not set: .*npm start$/),
  );
  await noToken.line(/^listening on /, 'where the api listens');
  expect(noToken.lines()).toContainEqual(
    expect.stringMatching(/^faultline: FAULTLINE_ADMIN_TOKEN is not set: .*401/),
  );
  const warning = await noToken.line(/^FAULTLINE_ADMIN_TOKEN is not set/, "the api's warning");
  expect(warning).toMatch(/no API token exists: every \/api\/v1 call answers 401/);
  expect(warning).toMatch(/set FAULTLINE_ADMIN_TOKEN to a secret of 16\+ characters/);
  expect(warning).toMatch(/POST \/api\/v1\/tokens/);
  // What it warns of is so.
  expect((await noToken.call('GET', '/api/v1/services', undefined, null)).status).toBe(401);
  expect(noToken.process.running).toBe(true);
  await noToken.process.stop();
  expect(noToken.process.exitedWith?.code).toBe(0);
}, 45_000);

it("with a token: says where it listens, what it migrated and loaded, no route lines; the README's report alone opens no incident while another instance reports for 40 s", async () => {
  const app = withToken;
  const listening = await app.line(/^listening on /, 'where the api listens');

  // (b) the start-up lines, at the default level.
  const origin = app.origin;
  expect(listening).toBe(
    `listening on ${origin} (dashboard ${origin}/, API docs ${origin}/api/docs)`,
  );
  expect(app.lines()).toContainEqual(
    expect.stringMatching(
      new RegExp(
        `^database "${app.databaseName}" created on 127\\.0\\.0\\.1:5432; applied \\d+ migrations \\(newest \\w+\\), schema up to date$`,
      ),
    ),
  );
  await app.line(/^worker started: /, 'what the worker loaded');
  expect(app.lines()).toContainEqual(
    `worker started: loaded 0 notification channels and 0 poll targets; correlation left to correlators (CORRELATION_ENABLED=false); metrics at http://127.0.0.1:${app.ports.WORKER_METRICS_PORT}/metrics`,
  );
  await app.line(/^correlator started: /, 'that the correlator stands for leader');
  expect(app.lines()).toContainEqual(
    `correlator started: standing for correlation leader; metrics at http://127.0.0.1:${app.ports.CORRELATOR_METRICS_PORT}/metrics`,
  );
  expect(app.logs()).not.toMatch(ROUTE_LINES);
  expect(app.logs()).not.toMatch(/InstanceLoader|dependencies initialized/);
  expect(app.logs()).not.toMatch(/FAULTLINE_ADMIN_TOKEN is not set/);
  expect(app.logs()).not.toMatch(STACK_FRAME);
  // The addresses it names answer.
  for (const url of [`${origin}/`, `${origin}/api/docs`]) {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    expect({ url, status: res.status }).toEqual({ url, status: 200 });
  }
  for (const port of [app.ports.WORKER_METRICS_PORT, app.ports.CORRELATOR_METRICS_PORT]) {
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect({ port, status: metrics.status }).toEqual({ port, status: 200 });
  }

  // (d) The README's report, once, as the README posts it.
  const posted = await app.call('POST', '/api/v1/reports', readmeReport);
  expect(posted).toMatchObject({ status: 202, json: { accepted: 1 } });
  // Another instance reports every second, so event time moves well past three intervals of
  // anything the one report could be thought to have.
  const heartbeat = {
    ...readmeReport,
    instance: 'nova-api-4',
    host: 'compute-13',
    checks: (readmeReport.checks as { name: string; target: string }[]).map((c) => ({
      name: c.name,
      target: c.target,
      status: 'pass',
    })),
  };
  const until = Date.now() + 40_000;
  let beats = 0;
  while (Date.now() < until) {
    const res = await app.call('POST', '/api/v1/reports', heartbeat);
    expect(res.status).toBe(202);
    beats++;
    await sleep(1000);
  }
  // Both instances stored, the correlation leader running over them.
  const other = await pollUntil(
    () => app.call('GET', '/api/v1/instances/nova-api/nova-api-4/reports?limit=100'),
    (r) => r.status === 200 && r.json.items.length === beats,
    { timeoutMs: 10_000, intervalMs: 250, what: "the other instance's reports stored" },
  );
  expect(other.json.items).toHaveLength(beats);
  const one = await app.call('GET', '/api/v1/instances/nova-api/nova-api-3');
  expect(one).toMatchObject({ status: 200, json: { status: 'fail', stale: false } });
  expect(app.lines()).toContainEqual(expect.stringMatching(/^became correlation leader/));
  await sleep(2000); // the leader's clock past the last heartbeat (grace 0.5 s, ticks 1 s)

  const incidents = await app.call('GET', '/api/v1/incidents?status=all');
  expect(incidents.status).toBe(200);
  expect(
    incidents.json.items.map((i: any) => ({ cause: i.rootCauses[0]?.summary, status: i.status })),
  ).toEqual([]);
  expect(app.process.running).toBe(true);
  await app.process.stop();
  expect(app.process.exitedWith?.code).toBe(0);
}, 75_000);
