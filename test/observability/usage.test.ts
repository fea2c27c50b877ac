import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { createUsageStats } from '../../gateway/observability/usage';
import { useStatusPage, type UsageReport } from '../../gateway/server/status-page/status-page';
import { asUser } from '../support/identity';
import { startDemoGateway, type RunningGateway } from '../support/harness';

/** A known sequence of queries: what /_tessera/usage and /metrics must count, exactly. */
const SEQUENCE = [
  ...Array(3).fill('query OneUser { user(id: "1") { name } }'),
  ...Array(2).fill('query OrdersWithCustomers { orders(limit: 2) { id customer { name } } }'),
  'query MissingUser { user(id: "999999") { name } }',
];

describe('usage figures and metrics after a known sequence of queries', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startDemoGateway();
    gw.resetUpstreamCalls();
    for (const query of SEQUENCE) await gw.query(query);
  });
  afterAll(() => gw.close());

  test('GET /_tessera/usage counts operations, fields, errors and upstream calls exactly', async () => {
    const response = await fetch(`${gw.base}/_tessera/usage`, { headers: await asUser('ops', ['admin']) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const usage = (await response.json()) as UsageReport;
    expect(usage.instance).toBe(gw.gateway.instanceId);
    expect(usage.totals).toMatchObject({ count: 6, errors: 1 });
    expect(usage.operations.map(({ operation, count, errors, errorRate }) => ({ operation, count, errors, errorRate }))).toEqual([
      { operation: 'OneUser', count: 3, errors: 0, errorRate: 0 },
      { operation: 'OrdersWithCustomers', count: 2, errors: 0, errorRate: 0 },
      { operation: 'MissingUser', count: 1, errors: 1, errorRate: 1 },
    ]);
    for (const op of usage.operations) expect(op.p99Ms).toBeGreaterThanOrEqual(op.p50Ms);
    expect(usage.operations[0].p50Ms).toBeGreaterThan(0);
    expect(usage.fields).toEqual([
      { field: 'User.name', count: 6 },
      { field: 'Query.user', count: 4 },
      { field: 'Order.customer', count: 2 },
      { field: 'Order.id', count: 2 },
      { field: 'Query.orders', count: 2 },
    ]);
    expect(usage.recentErrors).toEqual([expect.objectContaining({ operation: 'MissingUser', code: 'NOT_FOUND', path: ['user'] })]);
    // Upstream calls per source and instance agree with the demo services' own counters.
    const calls = gw.upstreamCalls();
    const bySource = Object.fromEntries(usage.sources.map((s) => [s.source, s.instances]));
    expect(bySource.users).toEqual([expect.objectContaining({ url: gw.services.users.url, healthy: true, calls: calls.users, errors: 0 })]);
    expect(bySource.orders).toEqual([expect.objectContaining({ url: gw.services.orders.url, calls: calls.orders })]);
    expect(calls.users).toBe(6); // 3 + 1 by id, 2 batched
    expect(calls.orders).toBe(2);
    expect(usage.schema.version).toMatch(/^[0-9a-f]{12}$/);
    expect(usage.series.reduce((n, point) => n + point.count, 0)).toBe(6);
  });

  test('/metrics: requests by operation and outcome, errors by code, upstream calls by source and instance', async () => {
    const text = await (await fetch(`${gw.base}/metrics`)).text();
    const value = (series: string) => Number(text.match(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm'))?.[1]);
    const users = new URL(gw.services.users.url).origin;
    const orders = new URL(gw.services.orders.url).origin;
    expect(value('tessera_graphql_requests_total{operation="OneUser",outcome="ok"}')).toBe(3);
    expect(value('tessera_graphql_requests_total{operation="OrdersWithCustomers",outcome="ok"}')).toBe(2);
    expect(value('tessera_graphql_requests_total{operation="MissingUser",outcome="error"}')).toBe(1);
    expect(value('tessera_graphql_errors_total{code="NOT_FOUND"}')).toBe(1);
    expect(value(`tessera_upstream_requests_total{source="users",instance="${users}",operation="getUser",status="200"}`)).toBe(3);
    expect(value(`tessera_upstream_requests_total{source="users",instance="${users}",operation="getUser",status="404"}`)).toBe(1);
    expect(value(`tessera_upstream_requests_total{source="users",instance="${users}",operation="getUsersByIds",status="200"}`)).toBe(2);
    expect(value(`tessera_upstream_request_duration_seconds_count{source="orders",instance="${orders}",operation="listOrders"}`)).toBe(2);
    expect(value('tessera_graphql_request_duration_seconds_count{operation="OneUser",outcome="ok"}')).toBe(3);
  });

  test('GET /_tessera serves the status page; other methods are refused', async () => {
    const page = await fetch(`${gw.base}/_tessera`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain("const USAGE_URL = '/_tessera/usage'");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="https?:/);
    expect((await fetch(`${gw.base}/_tessera/usage`, { method: 'POST' })).status).toBe(405);
  });
});

test('telemetry.statusPage: false serves neither the page nor the figures', async () => {
  const gw = await startDemoGateway({ configure: (config) => ({ ...config, telemetry: { ...config.telemetry, statusPage: false } }) });
  try {
    expect((await fetch(`${gw.base}/_tessera`)).status).toBe(404);
    expect((await fetch(`${gw.base}/_tessera/usage`)).status).toBe(404);
  } finally {
    await gw.close();
  }
});

test('the figures need authorization when authorize says no (the page, which holds none, does not)', async () => {
  const usage = createUsageStats();
  const status = { sources: () => [], schema: () => ({ version: 'abcdef012345', loadedAt: new Date() }) };
  const yoga = createYoga({
    schema: createSchema({ typeDefs: 'type Query { ok: Boolean }' }),
    plugins: [useStatusPage({ usage: async () => usage.snapshot(), status, instanceId: 'test', authorize: async (request) => request.headers.get('authorization') === 'Bearer admin' })],
  });
  const server = createServer(yoga).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const refused = await fetch(`${base}/_tessera/usage`);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'FORBIDDEN' } })] });
    expect((await fetch(`${base}/_tessera`)).status).toBe(200); // the page holds no figures
    const allowed = await fetch(`${base}/_tessera/usage`, { headers: { authorization: 'Bearer admin' } });
    expect(allowed.status).toBe(200);
    expect(((await allowed.json()) as UsageReport).instance).toBe('test');
  } finally {
    server.close();
  }
});

describe('rolling window and bounds', () => {
  test('requests older than the window drop out; the series keeps one point per bucket', () => {
    let now = 1_000_000;
    const usage = createUsageStats({ windowSeconds: 30, bucketSeconds: 10, now: () => now });
    const request = (operation: string) => usage.recordRequest({ operation, durationMs: 5, fields: ['Query.a'], errors: [] });
    request('Old');
    now += 20_000;
    request('New');
    expect(usage.snapshot().operations.map((o) => [o.operation, o.count])).toEqual([
      ['New', 1],
      ['Old', 1],
    ]);
    now += 15_000; // 'Old' is now 35 s old: outside the 30 s window
    const snapshot = usage.snapshot();
    expect(snapshot.operations.map((o) => [o.operation, o.count])).toEqual([['New', 1]]);
    expect(snapshot.fields).toEqual([{ field: 'Query.a', count: 1 }]);
    expect(snapshot.series).toHaveLength(3);
  });

  test('client-chosen names beyond the bound count as "other"; recent errors are capped', () => {
    const usage = createUsageStats({ maxOperations: 3, recentErrors: 2 });
    for (let i = 0; i < 10; i++) usage.recordRequest({ operation: `Op${i}`, durationMs: 1, fields: [], errors: [{ code: 'X', message: `e${i}` }] });
    const snapshot = usage.snapshot();
    expect(snapshot.operations.map((o) => [o.operation, o.count])).toEqual([
      ['other', 7],
      ['Op0', 1],
      ['Op1', 1],
      ['Op2', 1],
    ]);
    expect(snapshot.recentErrors.map((e) => e.message)).toEqual(['e9', 'e8']);
    expect(snapshot.totals).toMatchObject({ count: 10, errors: 10, errorRate: 1 });
  });
});
