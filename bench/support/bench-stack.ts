import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { configSchema, type FaultlineConfig, loadConfig, migrate } from '@faultline/platform';
import IORedis from 'ioredis';
import { Client } from 'pg';

import { pollUntil, sleep } from './poll-until';
import type { Teardown } from './teardown';

/**
 * The real Faultline processes, built into dist/, against a database and a queue prefix of
 * their own: what a deployment runs, minus the network between the boxes. One or more api
 * processes, each on its own port; one or more workers; and, once the correlator app is built
 * (dist/apps/correlator), one correlator beside the workers, which then run with
 * CORRELATION_ENABLED=false (without it, the engine runs in the worker elected leader).
 */
export interface BenchStack {
  databaseUrl: string;
  queuePrefix: string;
  adminToken: string;
  /** The first api process: the one to use when any api will do. */
  apiUrl: string;
  /** Every api process, one URL each. */
  apiUrls: string[];
  workerMetricsUrls: string[];
  /** The correlator process's metrics, or null when the engine runs inside the worker. */
  correlatorMetricsUrl: string | null;
  pids: { api: number[]; worker: number[]; correlator: number[] };
  /** The configuration the children run with, parsed by Faultline's own schema. */
  config: FaultlineConfig;
  /** A connection to the bench database, for counting what was stored. */
  db: Client;
  /**
   * Stops every worker process as the stack stops it (SIGTERM, SIGKILL if it hangs); the api
   * and the correlator run on.
   */
  stopWorkers(): Promise<void>;
  /**
   * Starts the worker processes again (after stopWorkers), with the same settings and metrics
   * ports, and waits until they answer; pids.worker then names the new ones.
   */
  startWorkers(): Promise<void>;
}

export interface StackOptions {
  /** Makes the database name and queue prefix unique to this run. */
  runId: string;
  /** The Postgres server (any database on it); the bench database is created beside it. */
  postgresUrl: string;
  redisUrl: string;
  workerProcesses: number;
  /** Api processes, each on a port of its own; 1 unless given. */
  apiProcesses?: number;
  /**
   * 'auto' (the default) starts a correlator process when dist/ has one; 'off' never does, so
   * the engine runs in the worker as before the correlator app existed.
   */
  correlator?: 'auto' | 'off';
  /** Further Faultline settings for the children (group commit, worker concurrency, ...). */
  settings: Record<string, string>;
  /** Extra node flags for the children, e.g. --cpu-prof (not allowed in NODE_OPTIONS). */
  nodeArgs: string[];
}

/** Settings the stack decides itself; a run may not override them. */
export const STACK_OWNED_SETTINGS = [
  'DATABASE_URL',
  'REDIS_URL',
  'HOST',
  'PORT',
  'WORKER_METRICS_PORT',
  'CORRELATOR_METRICS_PORT',
  'FAULTLINE_ADMIN_TOKEN',
  'QUEUE_PREFIX',
  'LOG_LEVEL',
  'MIGRATE_ON_START',
];

const DIST = join(__dirname, '..', '..');
const CORRELATOR_ENTRY = 'apps/correlator/src/main.js';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export async function startStack(options: StackOptions, teardown: Teardown): Promise<BenchStack> {
  const databaseUrl = withDatabase(options.postgresUrl, `faultline_bench_${options.runId}`);
  teardown.add('drop the bench database', () => dropDatabase(databaseUrl));
  await migrate({ DATABASE_URL: databaseUrl });
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  teardown.add('close the bench connection', () => db.end());

  const queuePrefix = `bench-${options.runId}`;
  teardown.add('delete the queue keys', () => deleteKeys(options.redisUrl, `${queuePrefix}:*`));

  const adminToken = randomBytes(24).toString('hex');
  const apiPorts: number[] = [];
  for (let i = 0; i < (options.apiProcesses ?? 1); i++) apiPorts.push(await freePort());
  const metricsPorts: number[] = [];
  for (let i = 0; i < options.workerProcesses; i++) metricsPorts.push(await freePort());
  const withCorrelator =
    (options.correlator ?? 'auto') === 'auto' && existsSync(join(DIST, CORRELATOR_ENTRY));
  const correlatorPort = withCorrelator ? await freePort() : null;
  const env = (ports: { PORT: number; WORKER_METRICS_PORT: number }): Record<string, string> => ({
    ...options.settings,
    DATABASE_URL: databaseUrl,
    REDIS_URL: options.redisUrl,
    HOST: '127.0.0.1',
    PORT: String(ports.PORT),
    WORKER_METRICS_PORT: String(ports.WORKER_METRICS_PORT),
    FAULTLINE_ADMIN_TOKEN: adminToken,
    QUEUE_PREFIX: queuePrefix,
    LOG_LEVEL: 'warn',
    MIGRATE_ON_START: 'false',
  });
  // With a correlator the engine is its job alone: the workers stand aside.
  const workerEnv = (port: number) => ({
    ...env({ PORT: 0, WORKER_METRICS_PORT: port }),
    ...(withCorrelator ? { CORRELATION_ENABLED: 'false' } : {}),
  });
  const numbered = (kind: string, i: number, count: number) => `${kind}${count > 1 ? i + 1 : ''}`;

  const node = (script: string) => [...options.nodeArgs, join(DIST, script)];
  const apis = apiPorts.map((port, i) =>
    startChild(
      numbered('api', i, apiPorts.length),
      node('apps/api/src/main.js'),
      env({ PORT: port, WORKER_METRICS_PORT: 0 }),
      teardown,
    ),
  );
  let generation = 1;
  const spawnWorkers = () =>
    metricsPorts.map((port, i) =>
      startChild(
        `${numbered('worker', i, metricsPorts.length)}${generation > 1 ? `#${generation}` : ''}`,
        node('apps/worker/src/main.js'),
        workerEnv(port),
        teardown,
      ),
    );
  let workers = spawnWorkers();
  const correlator =
    correlatorPort === null
      ? null
      : startChild(
          'correlator',
          node(CORRELATOR_ENTRY),
          {
            ...env({ PORT: 0, WORKER_METRICS_PORT: 0 }),
            CORRELATOR_METRICS_PORT: String(correlatorPort),
          },
          teardown,
        );

  const apiUrls = apiPorts.map((port) => `http://127.0.0.1:${port}`);
  const workerMetricsUrls = metricsPorts.map((port) => `http://127.0.0.1:${port}/metrics`);
  const correlatorMetricsUrl =
    correlatorPort === null ? null : `http://127.0.0.1:${correlatorPort}/metrics`;
  await Promise.all(apiUrls.map((url, i) => waitForOk(`${url}/readyz`, apis[i])));
  await Promise.all(workerMetricsUrls.map((url, i) => waitForOk(url, workers[i])));
  if (correlator && correlatorMetricsUrl) await waitForOk(correlatorMetricsUrl, correlator);

  const pids = {
    api: apis.map((a) => a.child.pid!),
    worker: workers.map((w) => w.child.pid!),
    correlator: correlator ? [correlator.child.pid!] : [],
  };
  return {
    databaseUrl,
    queuePrefix,
    adminToken,
    apiUrl: apiUrls[0],
    apiUrls,
    workerMetricsUrls,
    correlatorMetricsUrl,
    pids,
    config: loadConfig({
      ...workerEnv(metricsPorts[0]),
      PORT: String(apiPorts[0]),
    }),
    db,
    stopWorkers: async () => {
      await Promise.all(workers.map((w) => stopChild(w)));
    },
    startWorkers: async () => {
      if (workers.some((w) => !w.exit)) throw new Error('startWorkers: the workers still run');
      generation++;
      workers = spawnWorkers();
      pids.worker.splice(0, pids.worker.length, ...workers.map((w) => w.child.pid!));
      await Promise.all(workerMetricsUrls.map((url, i) => waitForOk(url, workers[i])));
    },
  };
}

interface RunningChild {
  name: string;
  child: ChildProcess;
  /** Set once the process has exited. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  stopping: boolean;
}

/** Spawns `node <args>`, forwards its output line by line with a prefix, and registers its stop. */
function startChild(
  name: string,
  args: string[],
  settings: Record<string, string>,
  teardown: Teardown,
): RunningChild {
  // The children get the bench's environment (PATH, NODE_OPTIONS, ...) minus any Faultline
  // setting it happens to carry, then exactly the settings chosen for the run.
  const faultlineKeys = new Set(Object.keys(configSchema.shape));
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !faultlineKeys.has(k)),
  );
  const child = spawn(process.execPath, args, {
    env: { ...inherited, ...settings },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running: RunningChild = { name, child, exit: null, stopping: false };
  child.on('exit', (code, signal) => {
    running.exit = { code, signal };
    if (!running.stopping)
      console.error(`${name} exited unexpectedly (code ${code}, signal ${signal})`);
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) =>
      process.stderr.write(`[${name}] ${line}\n`),
    );
  }
  teardown.add(`stop ${name}`, () => stopChild(running));
  return running;
}

/** SIGTERM lets the process drain; SIGKILL if it has not exited in time. */
async function stopChild(running: RunningChild): Promise<void> {
  if (running.exit) return;
  running.stopping = true;
  const exited = new Promise<void>((resolve) => running.child.once('exit', () => resolve()));
  running.child.kill('SIGTERM');
  const inTime = await Promise.race([
    exited.then(() => true),
    sleep(STOP_TIMEOUT_MS).then(() => false),
  ]);
  if (!inTime) {
    console.error(`${running.name} did not stop within ${STOP_TIMEOUT_MS} ms: killing it`);
    running.child.kill('SIGKILL');
    await exited;
  }
}

async function waitForOk(url: string, owner: RunningChild): Promise<void> {
  await pollUntil(
    async () => {
      if (owner.exit)
        throw new Error(
          `${owner.name} exited (code ${owner.exit.code}, signal ${owner.exit.signal}) before it was ready`,
        );
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => null);
      await res?.arrayBuffer();
      return res?.status === 200;
    },
    (ok) => ok,
    { timeoutMs: START_TIMEOUT_MS, intervalMs: 200, what: `${owner.name} (${url}) to answer 200` },
  );
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new Client({ connectionString: withDatabase(databaseUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

async function deleteKeys(redisUrl: string, pattern: string): Promise<void> {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A port free on 127.0.0.1 right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
