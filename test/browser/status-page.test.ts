/**
 * The status page in a real browser (Debian's chromium driven by playwright-core): loaded while
 * queries run, it shows this instance, the sources with their health, the request figures and
 * charts, the top operations and the recent errors, and keeps refreshing by itself.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { demoGatewayAndBrowser } from '../support/chromium';
import { asUser } from '../support/identity';
import { REPO_ROOT } from '../support/harness';

const ARTIFACTS = join(REPO_ROOT, 'test', 'artifacts');

const demo = demoGatewayAndBrowser();

test('shows sources, figures, charts, top operations and recent errors while queries run', async () => {
  const gw = demo.gateway();
  // Queries keep running in the background while the page is open (bounded: stops with the test).
  let running = true;
  let sent = 0;
  const traffic = (async () => {
    while (running && sent < 2_000) {
      sent++;
      await gw.query('query StatusOrders { orders(limit: 5) { id customer { name } product { title } } }');
      if (sent % 5 === 0) await gw.query('query StatusMissing { user(id: "999999") { name } }');
    }
  })();

  const context = await demo.browser().newContext({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  const external: string[] = [];
  try {
    await context.route('**/*', (route) => {
      const { hostname } = new URL(route.request().url());
      if (hostname === '127.0.0.1' || hostname === 'localhost') return route.continue();
      external.push(route.request().url());
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const { authorization } = await asUser('ops', ['admin']);
    const response = await page.goto(`${gw.base}/_tessera#token=${authorization.slice('Bearer '.length)}`);
    expect(response?.status()).toBe(200);

    await page.locator('#instance').filter({ hasText: gw.gateway.instanceId }).waitFor();
    await expect(page.locator('#schema-version').textContent()).resolves.toMatch(/^[0-9a-f]{12}$/);
    // Sources: each configured one, healthy, with its calls counted.
    await page.locator('#sources tr').nth(3).waitFor();
    const sources = await page.$$eval('#sources tr', (rows) =>
      rows.map((row) => ({ cells: Array.from(row.querySelectorAll('td'), (td) => td.textContent ?? ''), healthy: row.querySelector('.dot.up') !== null })),
    );
    expect(sources.map((s) => [s.cells[0], s.cells[1], s.healthy])).toEqual([
      ['users', gw.services.users.url, true],
      ['products', gw.services.products.url, true],
      ['orders', gw.services.orders.url, true],
      ['reviews', gw.services.reviews.url, true],
    ]);

    // The page refreshes itself: the total keeps growing while the queries run, without a reload.
    const total = async () => Number(await page.locator('#total').textContent());
    await page.waitForFunction(() => Number(document.getElementById('total')?.textContent) >= 5);
    const first = await total();
    await page.waitForFunction((before) => Number(document.getElementById('total')?.textContent) > before, first);

    const operations = await page.$$eval('#operations tr', (rows) => rows.map((row) => Array.from(row.querySelectorAll('td'), (td) => td.textContent ?? '')));
    const orders = operations.find((cells) => cells[0] === 'StatusOrders');
    expect(orders).toBeDefined();
    expect(Number(orders![1])).toBeGreaterThan(0);
    expect(Number(orders![3])).toBeGreaterThan(0); // p50 ms
    expect(Number(await page.locator('#rate').textContent())).toBeGreaterThan(0);
    expect(Number(await page.locator('#p99').textContent())).toBeGreaterThanOrEqual(Number(await page.locator('#p50').textContent()));
    // Charts: a rate line and p50/p99 lines with points.
    for (const series of ['rate', 'p50', 'p99']) {
      const points = await page.locator(`svg polyline[data-series="${series}"]`).getAttribute('points');
      expect(points?.split(' ').length).toBeGreaterThan(1);
    }
    await page.locator('#errors tr td', { hasText: 'NOT_FOUND' }).first().waitFor();
    const fields = await page.$$eval('#fields tr td:first-child', (cells) => cells.map((cell) => cell.textContent));
    expect(fields).toEqual(expect.arrayContaining(['Query.orders', 'Order.customer', 'User.name']));

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    expect(external).toEqual([]);
  } finally {
    running = false;
    await traffic;
    await context.close();
  }
}, 90_000);
