import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

import type { FaultClass } from '@faultline/simulator';

import { pollUntil } from '../bench/support/poll-until';
import { playOverHttp } from './support/scenario-over-http';
import { freshDatabase, type Stack, startStack } from './support/stack';
import { TEST_ADMIN_TOKEN } from './support/test-env';

interface ApiIncident {
  id: string;
  status: 'open' | 'resolved';
  rootCauses: { key: string; confidence: number; summary: string }[];
  affected: { services: string[]; instances: number };
}

/**
 * Root-cause analysis end to end: simulated outages posted through the HTTP API, stored by the
 * worker, correlated by the elected engine, read back from GET /api/v1/incidents.
 */
describe('correlation through the real HTTP API', () => {
  let stack: Stack;
  // Scenarios follow each other in event time, from two hours ago: the contract check's own
  // outage (half an hour ago) comes after them.
  let nextStart = Date.now() - 2 * 3_600_000;
  const play = async (faultClass: FaultClass, seed: number, prefix: string) => {
    const played = await playOverHttp(
      stack,
      { faultClass, seed, instances: 120 },
      prefix,
      nextStart,
    );
    nextStart = played.endAt + 60_000;
    return played.truths;
  };
  beforeAll(async () => {
    // A database of its own: the engine's event time spans every report it holds. One batch at
    // a time keeps the engine's input in event-time order, as a single fast worker would.
    const DATABASE_URL = await freshDatabase('correlation');
    stack = await startStack({
      env: { DATABASE_URL, WORKER_CONCURRENCY: '1', CORRELATION_LEASE_MS: '3000' },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  const incidentsOf = async (prefix: string): Promise<ApiIncident[]> => {
    const res = await stack.call('GET', '/api/v1/incidents?status=all&limit=500');
    expect(res.status).toBe(200);
    return (res.json.items as ApiIncident[]).filter((i) =>
      i.affected.services.some((s) => s.startsWith(prefix)),
    );
  };

  const cases: [FaultClass, number][] = [
    ['backend-down', 1],
    ['one-db-of-several', 2],
    ['host-down', 3],
    ['cascade', 1],
    ['instance-local', 2],
    ['two-backends', 1],
    ['late-evidence', 3],
    ['zone-outage', 1],
  ];
  it.each(cases)(
    '%s (seed %i): one incident per fault, the true root on top, resolved after recovery',
    async (faultClass, seed) => {
      const prefix = `${faultClass.slice(0, 4)}${seed}x${Date.now().toString(36)}-`;
      const truths = await play(faultClass, seed, prefix);
      const incidents = await incidentsOf(prefix);
      const tops = incidents.map((i) => i.rootCauses[0].key).sort();
      expect({
        tops,
        unresolved: incidents.filter((i) => i.status !== 'resolved').map((i) => i.id),
      }).toEqual({
        tops: truths.map((t) => t.rootKey).sort(),
        unresolved: [],
      });
    },
    120_000,
  );

  it('flaps alone open no incident', async () => {
    const prefix = `flap1x${Date.now().toString(36)}-`;
    await play('flaps-only', 4, prefix);
    expect(await incidentsOf(prefix)).toEqual([]);
  }, 120_000);

  it('an alias set through the API joins a target to the instance that serves it, in the served graph', async () => {
    const p = `alias${Date.now().toString(36)}`;
    const at = new Date(nextStart).toISOString();
    const res = await stack.call('POST', '/api/v1/reports', [
      {
        service: `${p}-mq`,
        instance: `${p}-rabbit`,
        observedAt: at,
        checks: [{ name: 'process', status: 'pass' }],
      },
      {
        service: `${p}-app`,
        instance: `${p}-app-1`,
        observedAt: at,
        checks: [{ name: 'mq', target: `amqp://${p}-bus.internal`, status: 'pass' }],
      },
    ]);
    expect(res.status).toBe(202);
    const backend = `backend:amqp://${p}-bus.internal:5672`;
    const put = await stack.call('PUT', '/api/v1/aliases', {
      target: `amqp://${p}-bus.internal`,
      servedBy: `instance:${p}-mq/${p}-rabbit`,
    });
    expect(put).toMatchObject({
      status: 200,
      json: { targetKey: backend, servedBy: `instance:${p}-mq/${p}-rabbit` },
    });
    const paths = async (body: object) =>
      (await stack.call('PUT', '/api/v1/aliases', body)).json.errors.map(
        (e: { path: string }) => e.path,
      );
    expect(await paths({ target: `amqp://${p}-bus.internal`, servedBy: 'pod:x' })).toEqual([
      '/servedBy',
    ]);
    expect(await paths({ target: 'no uri', servedBy: `instance:${p}-mq/${p}-rabbit` })).toEqual([
      '/target',
    ]);
    const graph = await pollUntil(
      () => stack.call('GET', `/api/v1/graph?around=${encodeURIComponent(backend)}&depth=1`),
      (r) =>
        r.status === 200 &&
        r.json.edges.some(
          (e: { source: string; target: string }) =>
            e.source === backend && e.target === `instance:${p}-mq/${p}-rabbit`,
        ),
      {
        timeoutMs: 15_000,
        intervalMs: 500,
        what: 'the served_by edge of the alias in GET /api/v1/graph',
      },
    );
    expect(graph.status).toBe(200);
  });

  // The repository's copy of the contract check (test/contract/), or the shared one beside the
  // checkout when it differs (a newer check). One run: its outage is dated half an hour ago, and a
  // second run in the same stack would post it behind the clock the first moved.
  const copy = resolve(__dirname, 'contract/contract-check.mjs');
  const shared = resolve(__dirname, '../../shared/contract-check.mjs');
  const code = (path: string) =>
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => !/^(#!|\/\/)/.test(line))
      .join('\n');
  const contractCheck = existsSync(shared) && code(shared) !== code(copy) ? shared : copy;
  it(`passes the contract check (${contractCheck === copy ? 'test/contract' : '../shared'})`, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [contractCheck, '--base', stack.baseUrl, '--token', TEST_ADMIN_TOKEN],
      { timeout: 60_000 },
    );
    expect(stdout).toMatch(/contract check: ok/);
  }, 90_000);

  it('documents every route of docs/CONTRACT.md in the OpenAPI document, with its fields', async () => {
    const contract = readFileSync(resolve(__dirname, '../docs/CONTRACT.md'), 'utf8');
    const routes = [...contract.matchAll(/`(GET|POST|PUT|DELETE) (\/api\/v1\/[^`?\s]+)/g)].map(
      ([, method, path]) => [method.toLowerCase(), path] as const,
    );
    expect(routes.length).toBeGreaterThanOrEqual(2);
    const docs = await stack.call('GET', '/api/docs-json', undefined, { token: null });
    const paths = docs.json.paths as Record<string, Record<string, unknown>>;
    for (const [method, path] of routes)
      expect([method, path, method in (paths[path] ?? {})]).toEqual([method, path, true]);
    // The incident list item names every field the contract names.
    const schemas = docs.json.components.schemas as Record<
      string,
      { properties?: Record<string, unknown> }
    >;
    const summary = Object.entries(schemas).find(([name]) => /IncidentSummaryDto$/.test(name))?.[1];
    expect(Object.keys(summary?.properties ?? {})).toEqual(
      expect.arrayContaining(['id', 'status', 'openedAt', 'resolvedAt', 'rootCauses', 'affected']),
    );
  });

  const sharedContract = resolve(__dirname, '../../shared/CONTRACT.md');
  (existsSync(sharedContract) ? it : it.skip)(
    'keeps docs/CONTRACT.md equal to the shared contract',
    () => {
      expect(readFileSync(resolve(__dirname, '../docs/CONTRACT.md'), 'utf8')).toBe(
        readFileSync(sharedContract, 'utf8'),
      );
    },
  );
});
