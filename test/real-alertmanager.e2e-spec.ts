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

/**
 * The real Alertmanager (Debian's prometheus-alertmanager) delivering to Faultline's webhook:
 * six services lose one RabbitMQ and their alerts reach Alertmanager's API v2; Alertmanager groups
 * them and posts them to /api/v1/ingest/alertmanager with a Bearer token. One incident must name
 * the broker for all six; when the alerts resolve, so must the incident; and since alerts come
 * only when something changes, no instance may ever be said to have stopped reporting.
 */
(ALERTMANAGER_AVAILABLE ? describe : describe.skip)('real Alertmanager webhook', () => {
  let stack: Stack;
  let am: Alertmanager;
  let dir: { path: string; remove(): Promise<void> };

  beforeAll(async () => {
    dir = await tempDir('alertmanager');
    const DATABASE_URL = await freshDatabase('real_alertmanager');
    stack = await startStack({
      env: {
        DATABASE_URL,
        CORRELATION_LEASE_MS: '3000',
        // Resolve 2 s after the symptoms clear instead of 75 s, so the test need not wait.
        CORRELATION_QUIET_PERIOD_MS: '2000',
      },
    });
    am = await Alertmanager.start(
      dir.path,
      `${stack.baseUrl}/api/v1/ingest/alertmanager`,
      TEST_ADMIN_TOKEN,
    );
  });
  afterAll(async () => {
    await am?.program.stop();
    await stack?.close();
    await dir?.remove();
  });

  const alerts = (endsAt?: string): PostableAlert[] =>
    SERVICES.map((service) => ({
      labels: {
        alertname: 'RabbitMQUnreachable',
        service,
        instance: `${service}-1:8080`,
        severity: 'critical',
        target: BROKER,
      },
      annotations: { summary: `${service} cannot reach RabbitMQ at ${BROKER}` },
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=rabbitmq_up%3D%3D0',
      ...(endsAt ? { endsAt } : {}),
    }));

  /** Every incident (open or resolved) whose detail mentions an instance falling silent. */
  const silenceClaims = async () =>
    (await incidentDetails(stack)).filter((detail) => SILENCE.test(JSON.stringify(detail)));

  /** The incident the firing alerts opened (found by its cause, should the first test fail). */
  let incident: IncidentJson | undefined;

  it('opens one incident naming the broker for the six services', async () => {
    await am.post(alerts());
    const open = await pollUntil(
      () => incidents(stack, 'open'),
      (list) =>
        list.some(
          (i) => i.rootCauses[0]?.key === CAUSE && i.affected.services.length === SERVICES.length,
        ),
      { timeoutMs: 30_000, intervalMs: 500, what: 'an incident for the six services' },
    ).catch(() => incidents(stack, 'open'));
    process.stderr.write(`[real-alertmanager] open after firing:\n${brief(open)}\n`);
    incident = open.find((i) => i.rootCauses[0]?.key === CAUSE) ?? open[0];
    expect(
      open.map((i) => ({
        cause: i.rootCauses[0]?.key,
        services: [...i.affected.services].sort(),
      })),
    ).toEqual([{ cause: CAUSE, services: [...SERVICES].sort() }]);
  }, 40_000);

  it('never says an instance stopped reporting while its alert fires in silence', async () => {
    // Alertmanager repeats a firing alert only after repeat_interval (an hour): past three of the
    // engine's assumed report intervals (10 s each) nothing may be called silent.
    const observedUntil = Date.now() + 35_000;
    let claims: unknown[] = [];
    while (Date.now() < observedUntil && claims.length === 0) {
      claims = await silenceClaims();
      await sleep(2000);
    }
    expect(claims).toEqual([]);
    const open = await incidents(stack, 'open');
    process.stderr.write(`[real-alertmanager] open after 35 s of quiet:\n${brief(open)}\n`);
    expect(open.map((i) => i.rootCauses[0]?.key)).toEqual([CAUSE]);
  }, 60_000);

  it('resolves that incident when the alerts resolve', async () => {
    expect(incident).toBeDefined();
    await am.post(alerts(new Date().toISOString()));
    const after = await pollUntil(
      () => incidents(stack, 'all'),
      (list) => list.find((i) => i.id === incident?.id)?.status === 'resolved',
      { timeoutMs: 30_000, intervalMs: 500, what: 'the incident resolved with its alerts' },
    ).catch(() => incidents(stack, 'all'));
    process.stderr.write(`[real-alertmanager] after resolving:\n${brief(after)}\n`);
    expect(after.map((i) => ({ id: i.id, status: i.status }))).toEqual([
      { id: incident?.id, status: 'resolved' },
    ]);
    expect(await silenceClaims()).toEqual([]);
  }, 40_000);

  it('had every webhook delivery answered 2xx, and stored the alerts as reports of the six services', async () => {
    const counters = await am.webhookCounters();
    expect({ ...counters, log: am.program.logs().match(/Notify for alerts failed.*/g) }).toEqual({
      sent: expect.any(Number),
      failed: 0,
      log: null,
    });
    expect(counters.sent).toBeGreaterThanOrEqual(2); // firing, then resolved
    const rows = await stack.sql<{ service: string; instance: string }>(
      'SELECT DISTINCT service, instance FROM reports ORDER BY service',
    );
    expect(rows).toEqual(
      [...SERVICES].sort().map((service) => ({ service, instance: `${service}-1:8080` })),
    );
    const instances = await stack.call('GET', '/api/v1/instances?limit=100');
    process.stderr.write(
      `[real-alertmanager] /api/v1/instances: ${JSON.stringify(instances.json)}\n`,
    );
  });
});
