import { pollUntil, sleep } from '../bench/support/poll-until';
import {
  Alertmanager,
  ALERTMANAGER_AVAILABLE,
  type PostableAlert,
} from './support/real-senders/alertmanager';
import {
  brief,
  incidentDetails,
  type IncidentJson,
  incidents,
  tempDir,
} from './support/real-senders/programs';
import { freshDatabase, type Stack, startStack } from './support/stack';
import { TEST_ADMIN_TOKEN } from './support/test-env';

const SERVICES = ['nova-api', 'cinder-api', 'glance-api', 'neutron-server', 'heat-api', 'keystone'];
const BROKER = 'amqp://rabbit-1:5672';
const CAUSE = `backend:${BROKER}`;
/** Alerts are events, not heartbeats: their silence says nothing. */
const SILENCE = /stopped reporting|missed its last report/i;

/** The first alert of the outage, and a follow-on one a few seconds later. */
const ALERTNAMES = ['RabbitMQUnreachable', 'RabbitMQPublishFailing'] as const;

const alerts = (
  alertname: (typeof ALERTNAMES)[number] = 'RabbitMQUnreachable',
  endsAt?: string,
): PostableAlert[] =>
  SERVICES.map((service) => ({
    labels: {
      alertname,
      service,
      instance: `${service}-1:8080`,
      severity: 'critical',
      target: BROKER,
    },
    annotations: { summary: `${service}: ${alertname} (${BROKER})` },
    generatorURL: 'http://prometheus.example:9090/graph?g0.expr=rabbitmq_up%3D%3D0',
    ...(endsAt ? { endsAt } : {}),
  }));

/** A Faultline stack (its own database, a 2 s quiet period) and an Alertmanager delivering to it. */
function alertmanagerDeliveringTo(label: string) {
  const env = { stack: undefined as unknown as Stack, am: undefined as unknown as Alertmanager };
  let dir: { path: string; remove(): Promise<void> } | undefined;
  beforeAll(async () => {
    dir = await tempDir(`alertmanager-${label}`);
    const DATABASE_URL = await freshDatabase(`real_alertmanager_${label}`);
    env.stack = await startStack({
      env: {
        DATABASE_URL,
        CORRELATION_LEASE_MS: '3000',
        // Resolve 2 s after the symptoms clear instead of 75 s, so the test need not wait.
        CORRELATION_QUIET_PERIOD_MS: '2000',
      },
    });
    env.am = await Alertmanager.start(
      dir.path,
      `${env.stack.baseUrl}/api/v1/ingest/alertmanager`,
      TEST_ADMIN_TOKEN,
    );
  });
  afterAll(async () => {
    await env.am?.program.stop();
    await env.stack?.close();
    await dir?.remove();
  });
  return env;
}

/** Fires the six alerts and waits for the incident (or 30 s); asserts there is exactly that one. */
async function fireAndExpectOneIncident(
  stack: Stack,
  am: Alertmanager,
  label: string,
): Promise<IncidentJson | undefined> {
  await am.post(alerts());
  const open = await pollUntil(
    () => incidents(stack, 'open'),
    (list) =>
      list.some(
        (i) => i.rootCauses[0]?.key === CAUSE && i.affected.services.length === SERVICES.length,
      ),
    { timeoutMs: 30_000, intervalMs: 500, what: 'an incident for the six services' },
  ).catch(() => incidents(stack, 'open'));
  process.stderr.write(`[real-alertmanager] ${label}, open after firing:\n${brief(open)}\n`);
  expect(
    open.map((i) => ({ cause: i.rootCauses[0]?.key, services: [...i.affected.services].sort() })),
  ).toEqual([{ cause: CAUSE, services: [...SERVICES].sort() }]);
  return open.find((i) => i.rootCauses[0]?.key === CAUSE);
}

/** Resolves the six alerts and waits (up to `timeoutMs`) for `incident` to resolve; asserts it did. */
async function resolveAndExpectResolved(
  stack: Stack,
  am: Alertmanager,
  incident: IncidentJson | undefined,
  label: string,
  timeoutMs: number,
): Promise<void> {
  expect(incident).toBeDefined();
  const now = new Date().toISOString();
  await am.post(ALERTNAMES.flatMap((name) => alerts(name, now)));
  const after = await pollUntil(
    () => incidents(stack, 'all'),
    (list) => list.find((i) => i.id === incident?.id)?.status === 'resolved',
    { timeoutMs, intervalMs: 500, what: 'the incident resolved with its alerts' },
  ).catch(() => incidents(stack, 'all'));
  if (after.find((i) => i.id === incident?.id)?.status !== 'resolved')
    process.stderr.write(
      `[real-alertmanager] ${label}, not resolved ${timeoutMs / 1000} s after the alerts resolved:\n${JSON.stringify(await incidentDetails(stack), null, 1)}\n`,
    );
  expect(after.map((i) => ({ id: i.id, status: i.status }))).toEqual([
    { id: incident?.id, status: 'resolved' },
  ]);
}

/** Every webhook delivery of `am` answered 2xx, the alerts stored as the six services' reports. */
async function expectDelivered(stack: Stack, am: Alertmanager): Promise<void> {
  const counters = await am.webhookCounters();
  expect({ ...counters, log: am.program.logs().match(/Notify for alerts failed.*/g) }).toEqual({
    sent: expect.any(Number),
    failed: 0,
    log: null,
  });
  expect(counters.sent).toBeGreaterThanOrEqual(2); // firing, then resolved
  const rows = await stack.sql<{ service: string; instance: string }>(
    'SELECT DISTINCT service, instance FROM reports WHERE service = ANY($1) ORDER BY service',
    [SERVICES],
  );
  expect(rows).toEqual(
    [...SERVICES].sort().map((service) => ({ service, instance: `${service}-1:8080` })),
  );
}

/**
 * The real Alertmanager (Debian's prometheus-alertmanager) delivering to Faultline's webhook:
 * six services lose one RabbitMQ and their alerts reach Alertmanager's API v2; Alertmanager groups
 * them and posts them to /api/v1/ingest/alertmanager with a Bearer token. One incident must name
 * the broker for all six; when the alerts resolve, so must the incident; and since alerts come
 * only when something changes, no instance may ever be said to have stopped reporting.
 */
(ALERTMANAGER_AVAILABLE ? describe : describe.skip)('real Alertmanager webhook', () => {
  describe('as the only source', () => {
    const env = alertmanagerDeliveringTo('alone');
    let incident: IncidentJson | undefined;

    it('opens one incident naming the broker for the six services', async () => {
      incident = await fireAndExpectOneIncident(env.stack, env.am, 'alone');
    }, 40_000);

    // Nothing but alerts reaches Faultline: event time moves only with them, and the resolved
    // alerts are the last word. The quiet period must still run out.
    it('resolves that incident when the alerts resolve', async () => {
      await resolveAndExpectResolved(env.stack, env.am, incident, 'alone', 15_000);
    }, 30_000);

    it('had every webhook delivery answered 2xx', async () => {
      await expectDelivered(env.stack, env.am);
    });
  });

  describe('beside a service that reports periodically', () => {
    const env = alertmanagerDeliveringTo('beside');
    let incident: IncidentJson | undefined;
    // Another service pushes a healthy report every second, as a fleet does: event time moves on
    // while the alerts fire in silence.
    let reporting = true;
    let reporter: Promise<void> = Promise.resolve();
    beforeAll(() => {
      reporter = (async () => {
        while (reporting) {
          const res = await env.stack.call('POST', '/api/v1/reports', {
            service: 'bystander',
            instance: 'bystander-1',
            observedAt: new Date().toISOString(),
            checks: [{ name: 'db', target: 'postgres://bystander-db:5432/app', status: 'pass' }],
          });
          if (res.status !== 202) throw new Error(`bystander report: ${res.status} ${res.text}`);
          await sleep(1000);
        }
      })();
    });
    afterAll(async () => {
      reporting = false;
      await reporter;
    });

    /** Every incident (open or resolved) whose detail mentions an instance falling silent. */
    const silenceClaims = async () =>
      (await incidentDetails(env.stack)).filter((detail) =>
        SILENCE.test(JSON.stringify(detail)),
      ) as { id: string }[];
    /**
     * Watches the incidents for `ms` (the bystander moving event time on); returns the first
     * claims seen, leaving out incidents in `known` (claims an earlier test reported).
     */
    const watchForSilenceClaims = async (ms: number, known = new Set<string>()) => {
      const until = Date.now() + ms;
      let claims: { id: string }[] = [];
      while (Date.now() < until && claims.length === 0) {
        await sleep(1000);
        claims = (await silenceClaims()).filter((c) => !known.has(c.id));
      }
      return claims;
    };

    it('opens one incident naming the broker for the six services', async () => {
      incident = await fireAndExpectOneIncident(env.stack, env.am, 'beside');
    }, 40_000);

    // Each instance reports twice, seconds apart (the follow-on alert), then once more when the
    // alerts resolve: a rhythm of a few seconds, were alerts heartbeats (the bystander's 1 s sets
    // the fleet's typical interval). An engine that took it for one calls them silent within
    // about 20 s of the last alert; the watch after they resolve is longer than that.
    it('never says an instance stopped reporting while its alerts fire in silence', async () => {
      await sleep(2000);
      await env.am.post(alerts('RabbitMQPublishFailing'));
      expect(await watchForSilenceClaims(10_000)).toEqual([]);
      const open = await incidents(env.stack, 'open');
      process.stderr.write(
        `[real-alertmanager] beside, open after 10 s of quiet:\n${brief(open)}\n`,
      );
      expect(open.map((i) => i.rootCauses[0]?.key)).toEqual([CAUSE]);
    }, 40_000);

    it('resolves that incident when the alerts resolve', async () => {
      await resolveAndExpectResolved(env.stack, env.am, incident, 'beside', 15_000);
    }, 30_000);

    // Resolved alerts are not followed by anything: the services are fine, not gone.
    it('never says an instance stopped reporting after its alerts resolved', async () => {
      // An incident that already said so while the alerts fired fails the test before this one.
      const known = new Set((await silenceClaims()).map((c) => c.id));
      const claims = await watchForSilenceClaims(25_000, known);
      if (claims.length)
        process.stderr.write(
          `[real-alertmanager] beside, silence claimed:\n${JSON.stringify(claims, null, 1)}\n`,
        );
      expect(claims).toEqual([]);
    }, 40_000);

    it('had every webhook delivery answered 2xx', async () => {
      await expectDelivered(env.stack, env.am);
    });
  });
});
