import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { pollUntil, sleep } from '../bench/support/poll-until';
import { startHttpDependency, startRedisServer } from './support/real-senders/dependencies';
import {
  awaitStoredReports,
  brief,
  type IncidentJson,
  incidents,
  type Program,
} from './support/real-senders/programs';
import { startTerminusService } from './support/real-senders/terminus-app';
import { freshDatabase, type Stack, startStack } from './support/stack';
import { freePort } from './support/throwaway-servers';

const SERVICES = ['orders', 'billing', 'search', 'catalog', 'shipping'];

const causeAndServices = (i: IncidentJson) => ({
  cause: i.rootCauses[0]?.key,
  services: [...i.affected.services].sort(),
});

/**
 * Real @nestjs/terminus: five NestJS services (each its own Nest app in this process) whose
 * /health pings the same HTTP API (`inventory-api`, HttpHealthIndicator), the same Redis
 * (`redis`, MicroserviceHealthIndicator over Transport.REDIS, a real redis-server) and checks
 * their heap. Faultline polls them; then Redis and the API go down under all five. The five name
 * the dependencies alike but nothing in terminus's answer says where they are: the incidents must
 * still follow the shared dependencies, one each, never one per service; with a fleet-wide
 * mapping of `redis` to its address, the incident names that backend.
 */
describe('real NestJS terminus health checks', () => {
  let redisPort: number;
  let redis: Program | undefined;
  let inventory: Awaited<ReturnType<typeof startHttpDependency>> | undefined;
  const apps: { service: string; app: NestFastifyApplication; url: string }[] = [];

  /** Starts Redis and the API on their ports (stopping them first, should a failed test have left them up). */
  const startDependencies = async () => {
    await redis?.stop();
    await inventory?.stop();
    redis = await startRedisServer(redisPort);
    inventory = await startHttpDependency(inventory?.port ?? 0);
  };

  beforeAll(async () => {
    redisPort = await freePort();
    await startDependencies();
    for (const service of SERVICES)
      apps.push({
        service,
        ...(await startTerminusService({ inventoryUrl: inventory!.url, redisPort })),
      });
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.app.close()));
    await redis?.stop();
    await inventory?.stop();
  });

  /** Registers the five targets and waits for three healthy polls of each. */
  const pollHealthyFleet = async (stack: Stack) => {
    for (const { service, url } of apps) {
      const res = await stack.call('POST', '/api/v1/targets', {
        url,
        format: 'terminus',
        service,
        instance: `${service}-1`,
        intervalMs: 1000,
        timeoutMs: 900,
      });
      expect({ status: res.status, body: res.json }).toMatchObject({ status: 201 });
    }
    await awaitStoredReports(stack, SERVICES, 3, 'three healthy polls of every service');
    expect(await incidents(stack, 'open')).toEqual([]);
    const checks = (await stack.call('GET', '/api/v1/instances/orders/orders-1')).json.checks as {
      name: string;
      status: string;
    }[];
    expect(checks.map((c) => [c.name, c.status]).sort()).toEqual(
      [
        ['inventory-api', 'pass'],
        ['memory_heap', 'pass'],
        ['reachability', 'pass'],
        ['redis', 'pass'],
      ].sort(),
    );
  };

  /** Waits until the open incidents cover all five services (or 30 s), lets them settle, returns them. */
  const awaitFleetIncidents = async (stack: Stack, label: string): Promise<IncidentJson[]> => {
    await pollUntil(
      () => incidents(stack, 'open'),
      (list) => new Set(list.flatMap((i) => i.affected.services)).size === SERVICES.length,
      { timeoutMs: 30_000, intervalMs: 500, what: 'incidents covering the five services' },
    ).catch(() => undefined);
    await sleep(3000); // a second incident, or one per service, would show by now
    const open = await incidents(stack, 'open');
    process.stderr.write(`[real-terminus] ${label}: open incidents:\n${brief(open)}\n`);
    return open;
  };

  describe('without any mapping', () => {
    let stack: Stack;

    beforeAll(async () => {
      const DATABASE_URL = await freshDatabase('real_terminus_plain');
      stack = await startStack({ env: { DATABASE_URL, CORRELATION_LEASE_MS: '3000' } });
    });
    afterAll(async () => {
      await stack?.close();
    });

    it('opens one incident for the redis the five services share, then one for the API, never one per service', async () => {
      await pollHealthyFleet(stack);
      const ok = await fetch(apps[0].url);
      process.stderr.write(`[real-terminus] healthy body (${ok.status}): ${await ok.text()}\n`);

      await redis!.stop();
      const down = await fetch(apps[0].url);
      process.stderr.write(
        `[real-terminus] error body (${down.status} ${down.headers.get('content-type')}): ${await down.text()}\n`,
      );
      expect(down.status).toBe(503);
      const first = await awaitFleetIncidents(stack, 'redis down, no mapping');
      expect(first.map(causeAndServices)).toEqual([
        { cause: 'backend:component://redis', services: [...SERVICES].sort() },
      ]);
      // Only the name links them: the summary says so and how to confirm it.
      expect(first[0].rootCauses[0].confidence).toBeLessThanOrEqual(0.6);
      expect(first[0].rootCauses[0].summary).toContain('PUT /api/v1/mappings/redis');

      await inventory!.stop();
      await pollUntil(
        () => incidents(stack, 'open'),
        (list) => list.length >= 2,
        { timeoutMs: 30_000, intervalMs: 500, what: 'an incident for the API too' },
      ).catch(() => undefined);
      await sleep(3000); // one incident per service would show by now
      const both = await incidents(stack, 'open');
      process.stderr.write(`[real-terminus] redis and API down: open incidents:\n${brief(both)}\n`);
      // The body once both have been down for a while (no pooled socket left to hang up).
      const settled = await fetch(apps[1].url);
      process.stderr.write(
        `[real-terminus] error body, settled (${settled.status} ${settled.headers.get('content-type')}): ${await settled.text()}\n`,
      );
      expect(both.map(causeAndServices).sort((a, b) => (a.cause < b.cause ? -1 : 1))).toEqual([
        { cause: 'backend:component://inventory-api', services: [...SERVICES].sort() },
        { cause: 'backend:component://redis', services: [...SERVICES].sort() },
      ]);
    }, 90_000);
  });

  describe('a fleet-wide mapping added during the outage', () => {
    let stack: Stack;

    beforeAll(async () => {
      await startDependencies();
      const DATABASE_URL = await freshDatabase('real_terminus_remapped');
      stack = await startStack({ env: { DATABASE_URL, CORRELATION_LEASE_MS: '3000' } });
    });
    afterAll(async () => {
      await stack?.close();
    });

    it('re-ranks the open incident to the address it names, and never keeps two', async () => {
      await pollHealthyFleet(stack);
      await redis!.stop();
      const [shared] = await awaitFleetIncidents(stack, 'redis down, before the mapping');
      expect(shared?.rootCauses[0].key).toBe('backend:component://redis');

      const target = `redis://127.0.0.1:${redisPort}`;
      const mapped = await stack.call('PUT', '/api/v1/mappings/redis', { target });
      expect(mapped.status).toBe(201);
      const open = await pollUntil(
        () => incidents(stack, 'open'),
        (list) => list.some((i) => i.rootCauses[0]?.key === `backend:${target}`),
        { timeoutMs: 30_000, intervalMs: 500, what: 'the incident re-ranked to the mapped redis' },
      ).catch(() => incidents(stack, 'open'));
      process.stderr.write(`[real-terminus] after the mapping: open incidents:\n${brief(open)}\n`);
      expect(open.map((i) => ({ id: i.id, ...causeAndServices(i) }))).toEqual([
        { id: shared.id, cause: `backend:${target}`, services: [...SERVICES].sort() },
      ]);
    }, 90_000);
  });

  describe('with a fleet-wide mapping of redis to its address', () => {
    let stack: Stack;

    beforeAll(async () => {
      await startDependencies();
      const DATABASE_URL = await freshDatabase('real_terminus_mapped');
      stack = await startStack({ env: { DATABASE_URL, CORRELATION_LEASE_MS: '3000' } });
    });
    afterAll(async () => {
      await stack?.close();
    });

    it('names backend:redis://127.0.0.1:<port> for the five services when redis goes down', async () => {
      const target = `redis://127.0.0.1:${redisPort}`;
      const mapped = await stack.call('PUT', '/api/v1/mappings/redis', { target });
      expect({
        status: mapped.status >= 200 && mapped.status < 300 ? '2xx' : mapped.status,
        body: mapped.json ?? mapped.text,
      }).toMatchObject({ status: '2xx' });
      await pollHealthyFleet(stack);

      await redis!.stop();
      const open = await awaitFleetIncidents(stack, 'redis mapped');
      expect(open.map(causeAndServices)).toEqual([
        { cause: `backend:${target}`, services: [...SERVICES].sort() },
      ]);
    }, 60_000);
  });
});
