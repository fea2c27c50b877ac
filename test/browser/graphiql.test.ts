/**
 * GraphiQL in a real browser (Debian's chromium driven by playwright-core): the page at GET /graphql
 * renders from the gateway's own asset URLs with no CDN, opens with the example tabs, and runs
 * queries end to end through the gateway to the demo REST services.
 *
 * Needs /usr/bin/chromium (`apt-get update && apt-get install -y chromium`); without it the test
 * fails rather than skips, because CI installs it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { EXAMPLE_TABS } from '../../gateway/server/example-queries';
import { demoGatewayAndBrowser } from '../support/chromium';
import { REPO_ROOT } from '../support/harness';

const ARTIFACTS = join(REPO_ROOT, 'test', 'artifacts');
const EXECUTE = 'Execute query (Ctrl-Enter)';
const TYPED_QUERY = '{ orders(limit: 2) { id customer { name } product { title } } }';

interface Order {
  id: string;
  customer: { name: string } | null;
  product: { title: string } | null;
}

const demo = demoGatewayAndBrowser();

interface Session {
  context: BrowserContext;
  page: Page;
  /** every request the page (and its workers) made, in order */
  requests: string[];
  /** requests to anything but this machine: blocked, and must stay empty */
  external: string[];
  /** requests answered with a status >= 400, or that failed outright */
  failed: string[];
  pageErrors: string[];
}

/** data: and blob: URLs stay in the page; everything else must be this machine. */
function isLocal(href: string): boolean {
  const { protocol, hostname } = new URL(href);
  return protocol === 'data:' || protocol === 'blob:' || hostname === '127.0.0.1' || hostname === 'localhost';
}

/** A fresh context (empty storage, so GraphiQL opens with the example tabs) on the GraphiQL page. */
async function openGraphiQL(): Promise<Session> {
  const gateway = demo.gateway();
  const context = await demo.browser().newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const session: Session = { context, page, requests: [], external: [], failed: [], pageErrors: [] };
  const external = (href: string) => {
    if (!session.external.includes(href)) session.external.push(href);
  };
  // Block (and remember) anything that leaves the machine, e.g. a CDN the page should not need.
  await context.route('**/*', (route) => {
    const href = route.request().url();
    if (isLocal(href)) return route.continue();
    external(href);
    return route.abort('blockedbyclient');
  });
  page.on('request', (request) => {
    session.requests.push(`${request.method()} ${request.url()}`);
    if (!isLocal(request.url())) external(request.url());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) session.failed.push(`${response.status()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => {
    session.failed.push(`${request.failure()?.errorText ?? 'failed'} ${request.url()}`);
  });
  page.on('pageerror', (error) => session.pageErrors.push(error.message));

  // GraphiQL introspects the schema once it has mounted; after that the editor is fully live.
  const introspected = page.waitForResponse(
    (response) => response.request().method() === 'POST' && response.url() === gateway.url && (response.request().postData() ?? '').includes('IntrospectionQuery'),
  );
  const response = await page.goto(`${gateway.base}/graphql`);
  expect(response?.status()).toBe(200);
  expect((await introspected).status()).toBe(200);
  await page.locator('.graphiql-query-editor .view-lines').filter({ hasText: 'query OrdersWithCustomers' }).waitFor();
  return session;
}

/** The text of a Monaco editor as rendered, lines in order (Monaco renders only what is in view). */
async function editorText(page: Page, container: string): Promise<string> {
  const lines = await page.$$eval(`${container} .view-line`, (elements) =>
    elements.map((element) => ({ top: parseFloat((element as HTMLElement).style.top) || 0, text: element.textContent ?? '' })),
  );
  return lines
    .sort((a, b) => a.top - b.top)
    .map((line) => line.text)
    .join('\n')
    .replace(/\u00a0/g, ' ');
}

/** Clicks GraphiQL's execute button and waits for the result pane to show a response containing `marker`. */
async function execute(page: Page, marker: string): Promise<string> {
  await page.getByRole('button', { name: EXECUTE }).click();
  await page.locator('.result-window .view-lines').filter({ hasText: marker }).waitFor();
  return editorText(page, '.result-window');
}

function assertOnlyLocalTraffic(session: Session, base: string): void {
  expect(session.external).toEqual([]);
  expect(session.failed).toEqual([]);
  expect(session.pageErrors).toEqual([]);
  // the page itself, its stylesheet and script, and GraphQL requests all went to the gateway
  expect(session.requests.every((request) => request.split(' ')[1].startsWith(`${base}/`))).toBe(true);
  expect(session.requests).toEqual(
    expect.arrayContaining([
      `GET ${base}/graphql`,
      expect.stringMatching(new RegExp(`^GET ${escapeRegExp(base)}/graphql/_graphiql/[^/]+/graphiql\\.js$`)),
      expect.stringMatching(new RegExp(`^GET ${escapeRegExp(base)}/graphql/_graphiql/[^/]+/graphiql\\.css$`)),
      `POST ${base}/graphql`,
    ]),
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('GraphiQL in chromium', () => {
  test('renders without a CDN and runs the first example tab against the upstream services', async () => {
    const gateway = demo.gateway();
    // The same query over plain HTTP: what the page must show, and what it costs upstream.
    gateway.resetUpstreamCalls();
    const direct = await gateway.query<{ orders: Array<Order & { quantity: number; status: string }> }>(EXAMPLE_TABS[0].query);
    expect(direct.body.errors).toBeUndefined();
    const expectedCalls = gateway.upstreamCalls();
    const [first] = direct.body.data!.orders;
    expect(first.customer?.name).toBeTruthy();

    const session = await openGraphiQL();
    try {
      const { page } = session;
      const tabs = await page.locator('.graphiql-tab-button').allInnerTexts();
      expect(tabs).toEqual(['OrdersWithCustomers', 'ProductReviews', 'UserWithOrders', 'PartialFailure', 'PlaceOrder']);

      gateway.resetUpstreamCalls();
      const result = await execute(page, '"data"');
      // The pane shows the top of the response (Monaco renders only the visible lines): the first
      // order, with the customer and product the gateway fetched from the users and products services.
      expect(result).toContain('"orders": [');
      expect(result).toContain(`"id": ${JSON.stringify(first.id)}`);
      expect(result).toContain(`"name": ${JSON.stringify(first.customer!.name)}`);
      expect(result).toContain(`"title": ${JSON.stringify(first.product!.title)}`);
      expect(result).not.toContain('"errors"');
      const calls = gateway.upstreamCalls();
      expect(calls.orders).toBeGreaterThanOrEqual(1);
      expect(calls.users).toBeGreaterThanOrEqual(1);
      expect(calls.products).toBeGreaterThanOrEqual(1);
      expect(calls).toEqual(expectedCalls);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'graphiql.png') });

      assertOnlyLocalTraffic(session, gateway.base);
    } finally {
      await session.context.close();
    }
  }, 60_000);

  test('runs a query typed into the editor', async () => {
    const gateway = demo.gateway();
    const direct = await gateway.query<{ orders: Order[] }>(TYPED_QUERY);
    expect(direct.body.errors).toBeUndefined();
    expect(direct.body.data!.orders).toHaveLength(2);

    const session = await openGraphiQL();
    try {
      const { page } = session;
      await page.locator('.graphiql-query-editor .monaco-editor').click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.insertText(TYPED_QUERY);
      // Monaco auto-closes the leading brace: drop whatever follows the inserted text.
      await page.keyboard.press('ControlOrMeta+Shift+End');
      await page.keyboard.press('Delete');
      await page.waitForFunction(
        (query) => Array.from(document.querySelectorAll('.graphiql-query-editor .view-line'), (line) => line.textContent).join('\n').replace(/\u00a0/g, ' ') === query,
        TYPED_QUERY,
      );
      expect(await editorText(page, '.graphiql-query-editor')).toBe(TYPED_QUERY);
      // GraphiQL re-parses the query (and the operation name it sends) after a short debounce;
      // executing before that sends the old operation name. The tab title follows the parse.
      await page.locator('.graphiql-tab-active .graphiql-tab-button').filter({ hasText: '<untitled>' }).waitFor();

      gateway.resetUpstreamCalls();
      const result = await execute(page, '"data"');
      // small enough to be rendered whole: the pane holds exactly the gateway's answer
      expect(JSON.parse(result)).toEqual(direct.body);
      const calls = gateway.upstreamCalls();
      expect(calls.orders).toBeGreaterThanOrEqual(1);
      expect(calls.users).toBeGreaterThanOrEqual(1);
      expect(calls.products).toBeGreaterThanOrEqual(1);

      assertOnlyLocalTraffic(session, gateway.base);
    } finally {
      await session.context.close();
    }
  }, 60_000);
});
