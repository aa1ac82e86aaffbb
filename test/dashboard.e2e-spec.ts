import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';

import { pollUntil } from '../bench/support/poll-until';
import { freshDatabase, type Stack, startStack, uniqueName } from './support/stack';
import { TEST_ADMIN_TOKEN } from './support/test-env';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', 'test-results');

/**
 * The dashboard in a real browser (Debian's Chromium, driven by playwright-core): a simulated
 * outage posted through the API must appear with the right cause, its page must show the
 * evidence and the graph with the cause highlighted, and updates must arrive without a reload.
 */
(existsSync(CHROMIUM) ? describe : describe.skip)('dashboard in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const p = uniqueName('dash').replace(/[^a-z0-9-]/g, '');
  const broker = `amqp://${p}-broker:5672`;
  const cause = `backend:${broker}`;
  const t0 = Date.now() - 10 * 60_000;

  /** Round n of the fleet: 4 services × 3 instances on 6 hosts, every instance checking the broker. */
  const round = (n: number, failing: (service: number) => boolean) =>
    [0, 1, 2, 3].flatMap((s) =>
      [0, 1, 2].map((i) => ({
        service: `${p}-svc${s}`,
        instance: `${p}-svc${s}-${i}`,
        host: `${p}-node${(s * 3 + i) % 6}`,
        labels: { zone: `${p}-az${i % 2}` },
        observedAt: new Date(t0 + n * 10_000 + s * 300 + i * 50).toISOString(),
        checks: [
          {
            name: 'mq',
            target: broker,
            status: failing(s) ? 'fail' : 'pass',
            ...(failing(s) ? { output: 'connection refused' } : {}),
          },
          { name: 'db', target: `postgres://${p}-db:5432/app`, status: 'pass' },
        ],
      })),
    );

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const DATABASE_URL = await freshDatabase('dashboard');
    stack = await startStack({ env: { DATABASE_URL, CORRELATION_LEASE_MS: '3000' } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--use-gl=swiftshader',
        '--enable-unsafe-swiftshader',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => process.stderr.write(`[pageerror] ${e.message}\n`));
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('asks for a token and shows nothing without one', async () => {
    await page.goto(stack.baseUrl);
    await page.waitForSelector('#token');
    expect(await page.locator('#incidents').count()).toBe(0);
    await page.fill('#token', 'not-a-token');
    await page.click('#signin');
    await page.waitForSelector('text=That token was refused.');
    await page.fill('#token', TEST_ADMIN_TOKEN);
    await page.click('#signin');
    await page.waitForSelector('h1:has-text("incident")');
  });

  it('shows the outage with its cause, live, and the incident page with the cause highlighted in the graph', async () => {
    // Two healthy rounds, then the broker fails for three services (the fourth comes later).
    const res = await stack.call('POST', '/api/v1/reports', [
      ...round(0, () => false),
      ...round(1, () => false),
      ...round(2, (s) => s < 3),
      ...round(3, (s) => s < 3),
    ]);
    expect(res.status).toBe(202);
    const row = page.locator(`#incidents tr:has-text("${cause}")`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.locator('.badge').textContent()).toBe('open');
    expect(await row.textContent()).toMatch(/3 services, 9 instances/);
    expect(await page.locator('h1').textContent()).toBe('1 open incident');
    const id = (await row.getAttribute('data-incident')) ?? '';

    // Live: the fourth service fails; the list updates without a reload.
    await stack.call('POST', '/api/v1/reports', [...round(4, () => true), ...round(5, () => true)]);
    await pollUntil(
      () => row.textContent(),
      (t) => /4 services, 12 instances/.test(t ?? ''),
      { timeoutMs: 20_000, intervalMs: 500, what: 'the list to update live' },
    );

    await row.click();
    await page.waitForSelector('.cause.top');
    expect(await page.locator('.cause.top .key').textContent()).toBe(cause);
    expect(await page.locator('.cause.top').textContent()).toMatch(/12 of 12 dependents/);
    expect(await page.locator('#affected li').count()).toBe(4);
    const graph = page.locator('#incident-graph');
    await pollUntil(
      () => graph.getAttribute('data-highlighted'),
      (h) => h === cause,
      { timeoutMs: 10_000, intervalMs: 200, what: 'the cause highlighted in the graph' },
    );
    expect(Number(await graph.getAttribute('data-nodes'))).toBeGreaterThan(10);
    expect(await graph.locator('canvas').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'dashboard-incident.png'), fullPage: true });

    // A notification's link, <PUBLIC_URL>/#/incidents/<id>, opens this page in a new tab: sign in, then the incident.
    const linked = await browser.newPage();
    try {
      await linked.goto(`${stack.baseUrl}/#/incidents/${encodeURIComponent(id)}`);
      await linked.fill('#token', TEST_ADMIN_TOKEN);
      await linked.click('#signin');
      await linked.waitForSelector('.cause.top');
      expect(await linked.locator('.cause.top .key').textContent()).toBe(cause);
    } finally {
      await linked.close();
    }
  }, 90_000);

  it('draws the whole graph with the suspected cause highlighted, and focuses on an entity with its impact', async () => {
    await page.goto(`${stack.baseUrl}/#/graph/${encodeURIComponent(cause)}`);
    const graph = page.locator('#graph');
    await pollUntil(
      () => graph.getAttribute('data-highlighted'),
      (h) => h === cause,
      { timeoutMs: 10_000, intervalMs: 200, what: 'the cause highlighted on the graph page' },
    );
    await page.waitForSelector('#impact h2');
    expect(await page.locator('#impact h2').textContent()).toMatch(/12 direct/);
    await page.screenshot({ path: join(SHOTS, 'dashboard-graph.png') });
  }, 30_000);

  it('shows the changes that bear on an incident in its timeline, a change cause as such, and rings entities changed in the last hour', async () => {
    const now = Date.now();
    const svc0 = `service:${p}-svc0`;
    const db = `backend:postgres://${p}-db:5432`;
    const at = (ms: number) => new Date(ms).toISOString();
    const deploy = {
      id: `${p}-deploy-4411`,
      entity: svc0,
      kind: 'deploy',
      status: 'succeeded',
      startedAt: now - 10 * 60_000,
      version: 'v2.3.1',
      source: 'ci',
      // Text from data is shown as text: this must not become an element.
      summary: `${p}-svc0 v2.3.1 <img src=x id=injected onerror="document.title='pwned'">`,
    };
    const config = {
      ...deploy,
      id: `${p}-cfg-42`,
      entity: db,
      kind: 'config',
      startedAt: now - 12 * 60_000 + 40_000,
      version: 'v42',
      source: 'argo',
      summary: 'max_connections 50',
    };
    const rollback = {
      ...deploy,
      id: `${p}-rb-1`,
      status: 'rolled-back',
      version: 'v2.3.0',
      startedAt: now - 5 * 60_000,
      summary: 'rolled back',
    };
    const old = {
      ...deploy,
      id: `${p}-old`,
      entity: `service:${p}-svc1`,
      startedAt: now - 2 * 3_600_000,
    };
    for (const c of [deploy, config, rollback, old])
      await stack.sql(
        `INSERT INTO changes (id, entity, kind, status, started_at, source, version, summary, links)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)`,
        [
          c.id,
          c.entity,
          c.kind,
          c.status,
          new Date(c.startedAt),
          c.source,
          c.version,
          c.summary,
          JSON.stringify(
            c === deploy
              ? [
                  { href: 'https://ci.example.com/runs/4411', text: 'CI run 4411' },
                  { href: 'javascript:document.title="pwned"', text: 'not a link' },
                ]
              : [],
          ),
        ],
      );
    // As the correlation engine stores it (resolved, so no engine takes it over): the deploy is
    // the cause, the database's config push is evidence of the second cause, the rollback is on the timeline.
    const id = `${p}-change-incident`;
    const first = deploy.startedAt + 40_000;
    const ref = ({
      id,
      entity,
      kind,
      status,
      startedAt,
      version,
      source,
      summary,
    }: typeof deploy) => ({
      id,
      entity,
      kind,
      status,
      startedAt,
      version,
      source,
      summary,
    });
    await stack.sql(
      `INSERT INTO incidents (id, status, opened_at, resolved_at, first_evidence_at, root_key, root_causes,
                              affected_services, affected_instances, timeline, changed_at)
       VALUES ($1, 'resolved', $2, $3, $4, $5, $6::jsonb, $7, $8, $9::jsonb, $3)`,
      [
        id,
        new Date(first + 5_000),
        new Date(now - 60_000),
        new Date(first),
        `change:${deploy.id}`,
        JSON.stringify([
          {
            key: `change:${deploy.id}`,
            kind: 'change',
            confidence: 0.9,
            summary: `${p}-svc0 deployed v2.3.1; 3 of 3 instances began failing 40 s later`,
            change: ref(deploy),
          },
          {
            key: db,
            kind: 'backend',
            confidence: 0.3,
            summary: '3 of 12 dependents lost it',
            changes: [ref(config)],
          },
        ]),
        [`${p}-svc0`],
        [0, 1, 2].map((i) => `instance:${p}-svc0/${p}-svc0-${i}`),
        JSON.stringify([
          {
            at: at(first + 5_000),
            what: `opened: change:${deploy.id}`,
            topCause: `change:${deploy.id}`,
          },
          {
            at: at(rollback.startedAt),
            what: `${p}-svc0 rolled back to v2.3.0`,
            change: ref(rollback),
          },
        ]),
      ],
    );

    await page.goto(`${stack.baseUrl}/#/incidents/${encodeURIComponent(id)}`);
    const top = page.locator('.cause.top');
    await top.waitFor({ timeout: 15_000 });
    // A change cause is shown as one: tagged, with the change and its link to the changed entity.
    expect(await top.getAttribute('class')).toContain('change-cause');
    expect(await top.locator('.tag').first().textContent()).toBe('change');
    expect(await top.locator('a.key').textContent()).toBe(`change:${deploy.id}`);
    expect(await top.locator('a.key').getAttribute('href')).toBe(
      `#/graph/${encodeURIComponent(svc0)}`,
    );
    expect(await page.locator('h1').textContent()).toContain(`deploy of ${svc0} v2.3.1`);

    // The timeline, by time: the config push, the deploy, the incident opening, the rollback.
    const timeline = page.locator('#timeline');
    await pollUntil(
      () =>
        timeline
          .locator('[data-change]')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-change'))),
      (ids) => ids.length === 3,
      { timeoutMs: 10_000, intervalMs: 200, what: 'three changes on the timeline' },
    );
    expect(
      await timeline
        .locator('[data-change]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-change'))),
    ).toEqual([config.id, deploy.id, rollback.id]);
    const shown = timeline.locator(`[data-change="${deploy.id}"]`);
    expect(await shown.locator('.tag').textContent()).toBe('deploy');
    expect(await shown.locator('.change-entity').textContent()).toBe(svc0);
    expect(await shown.locator('.version').textContent()).toBe('v2.3.1');
    expect(await shown.locator('.source').textContent()).toBe('ci');
    expect(await shown.locator('.status').textContent()).toBe('succeeded');
    expect(await shown.locator('.when').textContent()).toBe('40 s before the first failure');
    expect(await shown.textContent()).toContain('the likely cause');
    // Its links: the http(s) one only, opened apart from the dashboard.
    const links = shown.locator('.links a');
    expect(await links.count()).toBe(1);
    expect(await links.getAttribute('href')).toBe('https://ci.example.com/runs/4411');
    expect(await links.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await links.textContent()).toBe('CI run 4411');
    expect(await page.locator('#app a[href^="javascript"]').count()).toBe(0);
    // The summary's markup is text.
    expect(await shown.textContent()).toContain('<img src=x id=injected');
    expect(await page.locator('#injected').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');
    const cfg = timeline.locator(`[data-change="${config.id}"]`);
    expect(await cfg.locator('.when').textContent()).toBe('2 min before the first failure');
    expect(await cfg.textContent()).toContain(`evidence for ${db}`);
    const rb = timeline.locator(`[data-change="${rollback.id}"]`);
    expect(await rb.locator('.status').textContent()).toBe('rolled-back');
    expect(await rb.locator('.when').textContent()).toBe('4 min 20 s after the first failure');
    expect(
      await timeline
        .locator('tr', { has: page.locator(`[data-change="${rollback.id}"]`) })
        .textContent(),
    ).toContain('rolled back to v2.3.0');
    // The old change on another service bears on nothing here.
    expect(await page.locator(`[data-change="${old.id}"]`).count()).toBe(0);
    const incidentGraph = page.locator('#incident-graph');
    await pollUntil(
      () => incidentGraph.getAttribute('data-highlighted'),
      (h) => h === svc0,
      { timeoutMs: 10_000, intervalMs: 200, what: "the change's entity highlighted" },
    );
    await page.screenshot({ path: join(SHOTS, 'dashboard-incident-change.png'), fullPage: true });

    // The graph rings what changed in the last hour (not the change two hours old), and the
    // focused entity's details show its changes.
    await page.goto(`${stack.baseUrl}/#/graph/${encodeURIComponent(svc0)}`);
    const graph = page.locator('#graph');
    await pollUntil(
      () => graph.getAttribute('data-changed'),
      (c) => c !== null && JSON.parse(c).length > 0,
      { timeoutMs: 10_000, intervalMs: 200, what: 'changed entities marked on the graph' },
    );
    expect(JSON.parse((await graph.getAttribute('data-changed')) ?? '[]')).toEqual([db, svc0]);
    await page.waitForSelector('#focus-changes');
    expect(await page.locator('#focus-changes h3').textContent()).toBe(
      `${svc0}: 2 changes in the last hour`,
    );
    expect(
      await page
        .locator('#focus-changes [data-change]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-change'))),
    ).toEqual([rollback.id, deploy.id]);
    expect(await page.locator('#focus-changes .links a').getAttribute('href')).toBe(
      'https://ci.example.com/runs/4411',
    );
    expect(await page.locator('#impact h2').textContent()).toMatch(/direct dependent/);
    await page.screenshot({ path: join(SHOTS, 'dashboard-graph-changes.png') });
  }, 60_000);

  it('stays responsive at 1,000 nodes: laid out once, then only recoloured on each live refresh', async () => {
    const at = new Date(t0 + 7 * 10_000).toISOString();
    const fleet = Array.from({ length: 700 }, (_, i) => ({
      service: `${p}-big${i % 50}`,
      instance: `${p}-big-${i}`,
      host: `${p}-h${i % 200}`,
      labels: { zone: `${p}-z${i % 3}` },
      observedAt: at,
      checks: [
        { name: 'a', target: `redis://${p}-cache${i % 25}:6379`, status: 'pass' },
        {
          name: 'b',
          target: `mysql://${p}-db${i % 25}:3306`,
          status: i % 7 === 0 ? 'fail' : 'pass',
        },
      ],
    }));
    expect((await stack.call('POST', '/api/v1/reports', fleet)).status).toBe(202);
    await pollUntil(
      async () => (await stack.call('GET', '/api/v1/graph')).json.nodes.length,
      (n) => n >= 1000,
      { timeoutMs: 30_000, intervalMs: 500, what: '1,000 nodes in the graph' },
    );
    await page.goto(`${stack.baseUrl}/#/graph`);
    await page.reload();
    const graph = page.locator('#graph');
    await pollUntil(
      () => graph.getAttribute('data-nodes'),
      (n) => Number(n) >= 1000,
      { timeoutMs: 20_000, intervalMs: 200, what: 'the big graph drawn' },
    );
    const layouts = await graph.getAttribute('data-layouts');
    const layoutMs = Number(await graph.getAttribute('data-layout-ms'));
    // Two live refreshes later (every 3 s) the layout has not been computed again.
    await page.waitForTimeout(7000);
    expect(await graph.getAttribute('data-layouts')).toBe(layouts);
    process.stdout.write(
      `dashboard: ${await graph.getAttribute('data-nodes')} nodes laid out once in ${layoutMs} ms\n`,
    );
    await page.screenshot({ path: join(SHOTS, 'dashboard-graph-1000.png') });
  }, 60_000);
});
