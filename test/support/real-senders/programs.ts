import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** Reports stored so far for each of `services`. */
export async function storedPerService(
  stack: Stack,
  services: readonly string[],
): Promise<Record<string, number>> {
  const rows = await stack.sql<{ service: string; n: string }>(
    'SELECT service, count(*) AS n FROM reports WHERE service = ANY($1) GROUP BY service',
    [services],
  );
  return Object.fromEntries(
    services.map((s) => [s, Number(rows.find((r) => r.service === s)?.n ?? 0)]),
  );
}
