import { pollUntil } from '../bench/support/poll-until';
import { freshDatabase, type Stack, startStack, uniqueName } from './support/stack';

interface ApiIncident {
  id: string;
  status: 'open' | 'resolved';
  rootCauses: { key: string; summary: string; change?: { id: string; version: string | null } }[];
  affected: { services: string[] };
  timeline: { what: string; change?: { id: string; status: string } }[];
}

const INTERVAL_MS = 10_000;

/**
 * Changes as causes, end to end: a deploy posted through POST /api/v1/changes, then the deployed
 * service and its callers failing, posted as reports; the elected engine names the deploy, the
 * incidents API shows it, a rollback lands on the timeline, and a decoy deploy of an unrelated
 * service opens nothing.
 */
describe('changes as causes through the real api, worker and engine', () => {
  let stack: Stack;
  beforeAll(async () => {
    // A database of its own: the engine's event time spans every report it holds.
    const DATABASE_URL = await freshDatabase('changes_correlation');
    stack = await startStack({
      env: {
        DATABASE_URL,
        WORKER_CONCURRENCY: '1',
        CORRELATION_LEASE_MS: '3000',
        CORRELATION_QUIET_PERIOD_MS: '15000',
      },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('names a bad deploy as the cause, records its rollback, and ignores a decoy', async () => {
    const tag = uniqueName('chg').replace(/[^a-z0-9]/g, '');
    const billing = `billing${tag}`;
    const callers = [`checkout${tag}`, `invoice${tag}`, `ledger${tag}`];
    const decoy = `search${tag}`;
    const start = Date.now() - 40 * 60_000;
    const at = (tick: number) => new Date(start + tick * INTERVAL_MS).toISOString();
    // billing breaks from tick 8 (after its deploy at tick 6) until tick 20 (its rollback at 19).
    const broken = (tick: number) => tick >= 8 && tick < 20;
    const postTick = async (tick: number) => {
      const reports = [
        ...[1, 2, 3].map((i) => ({
          service: billing,
          instance: `${billing}-${i}`,
          host: `${billing}-host-${i}`,
          observedAt: at(tick),
          checks: [
            { name: 'app', status: broken(tick) ? 'fail' : 'pass' },
            { name: 'db', target: `mysql://${billing}-db:3306`, status: 'pass' },
          ],
        })),
        ...callers.flatMap((service) =>
          [1, 2].map((i) => ({
            service,
            instance: `${service}-${i}`,
            host: `${service}-host-${i}`,
            observedAt: at(tick),
            checks: [
              {
                name: 'billing',
                target: `http://${billing}:8080/health`,
                status: broken(tick) ? 'fail' : 'pass',
              },
            ],
          })),
        ),
        ...[1, 2].map((i) => ({
          service: decoy,
          instance: `${decoy}-${i}`,
          host: `${decoy}-host-${i}`,
          observedAt: at(tick),
          checks: [{ name: 'index', target: `http://${decoy}-es:9200`, status: 'pass' }],
        })),
      ];
      const res = await stack.call('POST', '/api/v1/reports', reports);
      expect(res.status).toBe(202);
    };
    const postChange = async (change: object) => {
      const res = await stack.call('POST', '/api/v1/changes', change);
      expect(res.status).toBe(202);
    };
    const incidents = async (): Promise<ApiIncident[]> => {
      const res = await stack.call('GET', '/api/v1/incidents?status=all&limit=200');
      expect(res.status).toBe(200);
      return (res.json.items as ApiIncident[]).filter((i) =>
        i.affected.services.some((s) => s.endsWith(tag)),
      );
    };

    for (let tick = 0; tick < 6; tick++) await postTick(tick);
    await postChange({
      id: `deploy-${tag}`,
      entity: billing,
      kind: 'deploy',
      status: 'succeeded',
      startedAt: at(6),
      version: 'v2.3.1',
      source: 'ci',
      summary: `${billing} v2.3.1 (CI run 4411)`,
    });
    await postChange({
      id: `decoy-${tag}`,
      entity: `service:${decoy}`,
      kind: 'deploy',
      status: 'succeeded',
      startedAt: at(7),
      version: 'v9',
      summary: `${decoy} v9`,
    });
    for (let tick = 6; tick < 19; tick++) await postTick(tick);

    const named = await pollUntil(
      incidents,
      (list) => list.some((i) => i.rootCauses[0]?.key === `change:deploy-${tag}`),
      { what: 'an incident whose top cause is the deploy', timeoutMs: 60_000 },
    );
    const incident = named.find((i) => i.rootCauses[0]?.key === `change:deploy-${tag}`)!;
    expect(incident.rootCauses[0].change).toMatchObject({ id: `deploy-${tag}`, version: 'v2.3.1' });
    expect(incident.rootCauses[0].summary).toContain('v2.3.1');
    // The structural cause stays right behind it.
    expect(incident.rootCauses.slice(1).map((c) => c.key)).toContain(`service:${billing}`);
    expect(incident.affected.services).toEqual(expect.arrayContaining([billing, ...callers]));
    // One incident for the outage, none for the decoy.
    expect(named).toHaveLength(1);
    expect(named.flatMap((i) => i.affected.services)).not.toContain(decoy);

    // The rollback, then recovery: on the timeline, and the incident resolves.
    await postChange({
      id: `rollback-${tag}`,
      entity: billing,
      kind: 'deploy',
      status: 'rolled-back',
      startedAt: at(19),
      version: 'v2.3.0',
      summary: `${billing} rolled back to v2.3.0`,
    });
    for (let tick = 19; tick < 30; tick++) await postTick(tick);
    const settled = await pollUntil(
      async () => (await stack.call('GET', `/api/v1/incidents/${incident.id}`)).json as ApiIncident,
      (i) => i.status === 'resolved',
      { what: 'the incident resolved after the rollback', timeoutMs: 60_000 },
    );
    expect(settled.timeline.some((e) => e.change?.id === `rollback-${tag}`)).toBe(true);
    expect((await incidents()).filter((i) => i.affected.services.includes(decoy))).toEqual([]);
  });
});
