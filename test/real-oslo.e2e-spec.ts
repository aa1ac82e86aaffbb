import { join } from 'node:path';

import { pollUntil, sleep } from '../bench/support/poll-until';
import { OSLO_AVAILABLE, OsloService, setRabbitDown } from './support/real-senders/oslo';
import {
  awaitStoredReports,
  brief,
  type IncidentJson,
  incidents,
  tempDir,
} from './support/real-senders/programs';
import { freshDatabase, type Stack, startStack } from './support/stack';

const SERVICES = ['nova-api', 'cinder-api', 'glance-api', 'neutron-server'];
const CAUSE = 'backend:amqp://rabbit-1:5672';
const SECRET_KEY = 'e'.repeat(64);

/**
 * Real oslo.middleware (Debian's python3-oslo.middleware, under /usr/bin/python3), not fixtures
 * copied from its docs: four OpenStack-like services whose /healthcheck is oslo's Healthcheck,
 * detailed, with the disable_by_file backend and an operator's own rabbitmq plugin
 * (test/support/real-senders/rabbit_check.py, registered as a stevedore entry point). They are
 * healthy for a few polls, then lose the same RabbitMQ: Faultline must open one incident naming
 * backend:amqp://rabbit-1:5672, whether it polls them or they push what they answer.
 */
(OSLO_AVAILABLE ? describe : describe.skip)('real oslo.middleware healthcheck', () => {
  let dir: { path: string; remove(): Promise<void> };
  let rabbitDown: string;
  const services: OsloService[] = [];

  beforeAll(async () => {
    dir = await tempDir('oslo');
    rabbitDown = join(dir.path, 'rabbit-down');
    for (const name of SERVICES) services.push(await OsloService.start(name, rabbitDown, dir.path));
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.program.stop()));
    await dir?.remove();
  });

  /** Open incidents as [top cause, affected services] pairs: what the issue asks about. */
  const shape = (list: IncidentJson[]) =>
    list.map((i) => ({ cause: i.rootCauses[0]?.key, services: [...i.affected.services].sort() }));
  const oneIncidentForTheFleet = (list: IncidentJson[]) =>
    list.length === 1 &&
    list[0].rootCauses[0]?.key === CAUSE &&
    list[0].affected.services.length === SERVICES.length;

  /** Waits for the wanted incidents (or 30 s), then returns what is open for the assertions. */
  const awaitFleetIncident = async (stack: Stack): Promise<IncidentJson[]> => {
    const open = await pollUntil(() => incidents(stack, 'open'), oneIncidentForTheFleet, {
      timeoutMs: 30_000,
      intervalMs: 500,
      what: 'one incident for the fleet',
    }).catch(() => incidents(stack, 'open'));
    process.stderr.write(`[real-oslo] open incidents:\n${brief(open)}\n`);
    return open;
  };

  describe('polled (targets, format oslo)', () => {
    let stack: Stack;

    beforeAll(async () => {
      await setRabbitDown(rabbitDown, false);
      const DATABASE_URL = await freshDatabase('real_oslo_poll');
      stack = await startStack({
        env: { DATABASE_URL, CORRELATION_LEASE_MS: '3000', FAULTLINE_SECRET_KEY: SECRET_KEY },
      });
    });
    afterAll(async () => {
      await stack?.close();
    });

    it('reads the real healthcheck while healthy, then opens one incident naming the broker all four lost', async () => {
      for (const s of services) {
        const res = await stack.call('POST', '/api/v1/targets', {
          url: s.url,
          format: 'oslo',
          service: s.name,
          instance: `${s.name}-1`,
          intervalMs: 1000,
        });
        expect({ status: res.status, body: res.json }).toMatchObject({ status: 201 });
      }
      // Healthy for a few polls each.
      await awaitStoredReports(stack, SERVICES, 3, 'three healthy polls of every service');
      expect(await incidents(stack, 'open')).toEqual([]);
      const healthy = await stack.call('GET', `/api/v1/instances/nova-api/nova-api-1`);
      expect(healthy.json.checks.map((c: { status: string }) => c.status)).not.toContain('fail');

      await setRabbitDown(rabbitDown, true);
      const open = await awaitFleetIncident(stack);
      expect(shape(open)).toEqual([{ cause: CAUSE, services: [...SERVICES].sort() }]);
    }, 60_000);

    it('reads the plain-text form, detected as oslo (format auto, no mapping)', async () => {
      const nova = services[0];
      const text = await nova.ask('text/plain');
      expect(text).toMatchObject({
        status: 503,
        contentType: expect.stringMatching(/^text\/plain/),
      });
      const res = await stack.call('POST', '/api/v1/targets', {
        url: nova.url,
        format: 'auto',
        service: nova.name,
        instance: `${nova.name}-text`,
        intervalMs: 1000,
        headers: { Accept: 'text/plain' },
      });
      expect({ status: res.status, body: res.json }).toMatchObject({ status: 201 });
      const checks = await pollUntil(
        async () =>
          (await stack.call('GET', `/api/v1/instances/${nova.name}/${nova.name}-text`)).json
            ?.checks as { name: string; status: string; output: string | null }[] | undefined,
        (c) => c !== undefined,
        { timeoutMs: 15_000, intervalMs: 250, what: 'a poll of the plain-text form' },
      ).catch((e: Error) => {
        throw new Error(`${e.message}\nplain text answered:\n${text.body}`, { cause: e });
      });
      process.stderr.write(
        `[real-oslo] plain text ${JSON.stringify(text.body)} polled as: ${JSON.stringify(checks)}\n`,
      );
      // The report is oslo's (its reachability passes: the body was understood), and the failing
      // reason is a failing check.
      expect(checks).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'reachability', status: 'pass' }),
          expect.objectContaining({
            status: 'fail',
            output: expect.stringContaining('RabbitMQ connection failed'),
          }),
        ]),
      );
    }, 30_000);
  });

  describe('pushed (POST /api/v1/ingest/oslo of what each service answers)', () => {
    let stack: Stack;

    beforeAll(async () => {
      await setRabbitDown(rabbitDown, false);
      const DATABASE_URL = await freshDatabase('real_oslo_push');
      stack = await startStack({ env: { DATABASE_URL, CORRELATION_LEASE_MS: '3000' } });
    });
    afterAll(async () => {
      await stack?.close();
    });

    /** One round: every service's detailed JSON, as it answers Accept: application/json, pushed. */
    const pushRound = async () =>
      Promise.all(
        services.map(async (s) => {
          const answer = await s.ask('application/json');
          const res = await stack.call(
            'POST',
            `/api/v1/ingest/oslo?service=${s.name}&instance=${s.name}-1`,
            undefined,
            { raw: answer.body, contentType: answer.contentType },
          );
          if (res.status !== 202)
            throw new Error(
              `push of ${s.name} answered ${res.status}: ${res.text}\n${answer.body}`,
            );
          return res.json as { accepted: number; format: string; unresolved: unknown[] };
        }),
      );

    it('accepts the real detailed JSON and opens one incident naming the broker all four lost', async () => {
      for (let round = 0; round < 3; round++) {
        const answers = await pushRound();
        expect(answers.map((a) => a.accepted)).toEqual([1, 1, 1, 1]);
        await sleep(1000);
      }
      await awaitStoredReports(stack, SERVICES, 3, 'three healthy pushes of every service', 10_000);
      expect(await incidents(stack, 'open')).toEqual([]);

      await setRabbitDown(rabbitDown, true);
      // Services keep pushing, once a second, until the incident is there (or 30 s).
      let pushing = true;
      const pusher = (async () => {
        while (pushing) {
          await pushRound();
          await sleep(1000);
        }
      })();
      try {
        const open = await awaitFleetIncident(stack);
        expect(shape(open)).toEqual([{ cause: CAUSE, services: [...SERVICES].sort() }]);
      } finally {
        pushing = false;
        await pusher;
      }
    }, 60_000);
  });
});
