import { randomBytes } from 'node:crypto';

import { type FaultlineConfig, loadConfig, migrate } from '@faultline/platform';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';

import { createApiApp } from '../../apps/api/src/api.app';
import { createWorkerApp } from '../../apps/worker/src/worker.app';
import { redisUrl, runDatabaseUrl, runId, TEST_ADMIN_TOKEN } from './test-env';

let prefixes = 0;
// Jest loads this module afresh for every spec file: the counter alone would repeat prefixes
// across files, and a stack would inherit another's queues and in-flight holds.
const fileTag = randomBytes(3).toString('hex');

/** Test configuration: the run's database, a queue prefix of its own, quiet logs. */
export function testConfig(overrides: Record<string, string> = {}): FaultlineConfig {
  return loadConfig({
    DATABASE_URL: runDatabaseUrl(),
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: `t${runId()}-${process.pid}-${fileTag}-${++prefixes}`,
    FAULTLINE_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    MIGRATE_ON_START: 'false',
    WORKER_METRICS_PORT: '0',
    ...overrides,
  });
}

export interface Stack {
  config: FaultlineConfig;
  baseUrl: string;
  api: NestFastifyApplication;
  worker: INestApplicationContext | null;
  /** fetch against the api with the admin token (or `token`), JSON in and out. */
  call(
    method: string,
    path: string,
    body?: unknown,
    init?: { token?: string | null; contentType?: string; raw?: string },
  ): Promise<{ status: number; json: any; text: string }>;
  sql<T = any>(query: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** Starts a real api (listening on a free port) and, unless told not to, a real worker in this process. */
export async function startStack(
  options: { worker?: boolean; env?: Record<string, string> } = {},
): Promise<Stack> {
  const config = testConfig(options.env);
  const api = await createApiApp(config);
  await api.listen({ port: 0, host: '127.0.0.1' });
  const address = api.getHttpServer().address() as { port: number };
  const worker = options.worker === false ? null : await createWorkerApp(config);
  const db = new Client({ connectionString: config.DATABASE_URL });
  await db.connect();
  const baseUrl = `http://127.0.0.1:${address.port}`;
  return {
    config,
    baseUrl,
    api,
    worker,
    async call(method, path, body, init = {}) {
      const headers: Record<string, string> = {};
      const token = init.token === undefined ? TEST_ADMIN_TOKEN : init.token;
      if (token) headers.authorization = `Bearer ${token}`;
      const payload = init.raw ?? (body === undefined ? undefined : JSON.stringify(body));
      if (payload !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
      const res = await fetch(baseUrl + path, { method, headers, body: payload });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text };
    },
    async sql(query, params) {
      return (await db.query(query, params as unknown[])).rows;
    },
    async close() {
      await db.end();
      await api.close();
      await worker?.close();
    },
  };
}

/**
 * A database of its own for a spec whose subject is global state (the correlation engine's
 * event-time watermark spans every report in a database). Dropped by the global teardown.
 */
export async function freshDatabase(label: string): Promise<string> {
  const url = new URL(runDatabaseUrl());
  url.pathname = `${url.pathname}_${label}`;
  await migrate({ DATABASE_URL: url.toString() });
  return url.toString();
}

/** A name unique to this test run, for services and instances a spec creates. */
export function uniqueName(label: string): string {
  return `${label}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}
