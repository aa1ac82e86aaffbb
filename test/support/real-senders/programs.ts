import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pollUntil } from '../../../bench/support/poll-until';
import { Program } from '../processes';
import type { Stack } from '../stack';

export { Program };

/** Stops every program (those never started are skipped); one that fails to stop does not stop the others. */
export async function stopAll(programs: Iterable<Program | undefined>): Promise<void> {
  await Promise.all(
    [...programs].map((p) => (p ? p.stop().catch(() => undefined) : Promise.resolve())),
  );
}

/** A fresh temporary directory, and its removal. */
export async function tempDir(label: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `faultline-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface IncidentJson {
  id: string;
  status: 'open' | 'resolved';
  rootCauses: { key: string; confidence: number; summary: string; kind: string }[];
  affected: { services: string[]; instances: number };
}

/** GET /api/v1/incidents?status=… (every page is not needed: a spec's database holds few). */
export async function incidents(
  stack: Stack,
  status: 'open' | 'resolved' | 'all' = 'open',
): Promise<IncidentJson[]> {
  const res = await stack.call('GET', `/api/v1/incidents?status=${status}&limit=100`);
  if (res.status !== 200) throw new Error(`GET /api/v1/incidents: ${res.status} ${res.text}`);
  return res.json.items as IncidentJson[];
}

/** Every incident with its detail (timeline, instance keys), as one JSON text for evidence. */
export async function incidentDetails(stack: Stack): Promise<unknown[]> {
  const all = await incidents(stack, 'all');
  return Promise.all(
    all.map(async (i) => (await stack.call('GET', `/api/v1/incidents/${i.id}`)).json),
  );
}

/** A short form of incidents for failure messages and reports. */
export function brief(list: IncidentJson[]): string {
  return JSON.stringify(
    list.map((i) => ({
      status: i.status,
      causes: i.rootCauses.map((c) => `${c.key} (${c.confidence.toFixed(2)}): ${c.summary}`),
      services: i.affected.services,
      instances: i.affected.instances,
    })),
    null,
    1,
  );
}

/** Waits until every one of `services` has at least `n` reports stored (polled or pushed). */
export async function awaitStoredReports(
  stack: Stack,
  services: readonly string[],
  n: number,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  await pollUntil(
    async () => {
      const rows = await stack.sql<{ service: string; n: string }>(
        'SELECT service, count(*) AS n FROM reports WHERE service = ANY($1) GROUP BY service',
        [services],
      );
      return new Map(rows.map((r) => [r.service, Number(r.n)]));
    },
    (stored) => services.every((s) => (stored.get(s) ?? 0) >= n),
    { timeoutMs, intervalMs: 250, what },
  );
}
