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
