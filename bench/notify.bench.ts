import 'reflect-metadata';

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import { ApiClient, type ApiIncident } from './support/api-client';
import { startStack } from './support/bench-stack';
import { sleep } from './support/poll-until';
import { Teardown } from './support/teardown';

/**
 * Notification benchmark: `npm run bench:notify`. The real api and worker (from dist/) on a
 * fresh database, three channels (a signed webhook, Slack and PagerDuty, all local receivers),
 * and an alert storm: 500 instances of 50 services lose one broker at once and keep failing for
 * several rounds, then recover. Prints how many messages each channel got (the target: one per
 * incident and event — opened, resolved — not one per symptom) and the latency from the failing
 * round accepted, and from the incident visible in the API, to each channel's first message.
 */

const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = 'redis://127.0.0.1:6379';
const INSTANCES = 500;
const BROKER = 'amqp://storm-broker:5672';

interface Arrival {
  path: string;
  at: number;
  event: string;
}

async function main(): Promise<void> {
  const teardown = new Teardown();
  teardown.runOnSignals();
  const arrivals: Arrival[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      // Webhook, PagerDuty and Slack bodies: each names its event in its own field.
      const json = JSON.parse(body) as { event?: string; event_action?: string; text?: string };
      arrivals.push({
        path: req.url ?? '',
        at: Date.now(),
        event:
          json.event ??
          json.event_action ??
          (json.text?.startsWith('Resolved') ? 'resolved' : 'opened'),
      });
      res.writeHead(202).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  teardown.add(
    'close the receiver',
    () => new Promise((resolve) => receiver.close(() => resolve())),
  );
  const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  try {
    const stack = await startStack(
      {
        runId: `notify${Date.now().toString(36)}`,
        postgresUrl: POSTGRES_URL,
        redisUrl: REDIS_URL,
        workerProcesses: 1,
        settings: { FAULTLINE_SECRET_KEY: randomBytes(32).toString('hex') },
        nodeArgs: [],
      },
      teardown,
    );
    const api = new ApiClient(stack.apiUrl, stack.adminToken);
    for (const body of [
      {
        type: 'webhook',
        name: 'ops-hook',
        url: `${url}/hook`,
        secret: randomBytes(16).toString('hex'),
      },
      { type: 'slack', name: 'ops-slack', url: `${url}/slack` },
      { type: 'pagerduty', name: 'pager', routingKey: 'bench', url: `${url}/pd` },
    ]) {
      const res = await api.call('POST', '/api/v1/channels', body);
      if (res.status !== 201) throw new Error(`POST /api/v1/channels answered ${res.status}`);
    }

    // Event time: rounds 10 s apart, ending a minute ago (the api refuses the future).
    const t0 = Date.now() - 5 * 60_000;
    const round = (n: number, fail: boolean) =>
      Array.from({ length: INSTANCES }, (_, i) => ({
        service: `svc-${i % 50}`,
        instance: `svc-${i % 50}-${i}`,
        host: `node-${i % 125}`,
        labels: { zone: `az${i % 3}` },
        observedAt: new Date(t0 + n * 10_000 + (i % 1000) * 5).toISOString(),
        checks: [
          {
            name: 'broker',
            target: BROKER,
            status: fail ? 'fail' : 'pass',
            ...(fail ? { output: 'connection refused' } : {}),
          },
          { name: 'db', target: `postgres://db-${i % 10}:5432/app`, status: 'pass' },
        ],
      }));
    await api.postReports([...round(0, false), ...round(1, false)]);
    await sleep(2000);
    const stormAccepted = Date.now();
    await api.postReports(round(2, true));
    let visibleAt: number | null = null;
    let incident: ApiIncident | null = null;
    while (Date.now() - stormAccepted < 30_000 && (visibleAt === null || arrivals.length < 3)) {
      if (visibleAt === null) {
        const list = await api.call<{ items: ApiIncident[] }>(
          'GET',
          '/api/v1/incidents?status=open',
        );
        incident = list.json.items[0] ?? null;
        if (incident) visibleAt = Date.now();
      }
      await sleep(10);
    }
    // The storm goes on for three more rounds, then everything recovers.
    for (let n = 3; n <= 5; n++) await api.postReports(round(n, true));
    for (let n = 6; n <= 8; n++) await api.postReports(round(n, false));
    await sleep(8000);

    const firstAt = (path: string) => arrivals.find((a) => a.path === path)?.at ?? null;
    const incidents = await api.call<{ items: ApiIncident[] }>(
      'GET',
      '/api/v1/incidents?status=all',
    );
    console.log(
      `## Notification storm: ${INSTANCES} instances of 50 services lose ${BROKER}, fail for 4 rounds, recover\n`,
    );
    console.log(
      `incidents: ${incidents.json.items.length} (${incidents.json.items.map((i) => `${i.rootCauses[0].key} ${i.status}`).join('; ')}), symptoms: ${INSTANCES * 4} failing checks`,
    );
    console.log(
      '| channel | messages | events | from failing round accepted | from incident visible |',
    );
    console.log('|---|---|---|---|---|');
    for (const path of ['/hook', '/slack', '/pd']) {
      const got = arrivals.filter((a) => a.path === path);
      const first = firstAt(path);
      const ms = (from: number | null) =>
        first === null || from === null ? '-' : `${first - from} ms`;
      console.log(
        `| ${path.slice(1)} | ${got.length} | ${got.map((a) => a.event).join(', ')} | ${ms(stormAccepted)} | ${ms(visibleAt)} |`,
      );
    }
    const exact = ['/hook', '/slack', '/pd'].every(
      (p) => arrivals.filter((a) => a.path === p).length === 2,
    );
    console.log(
      `\ntarget: one message per channel per event (opened, resolved): ${exact ? 'met' : 'NOT MET'}`,
    );
  } finally {
    await teardown.run();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
