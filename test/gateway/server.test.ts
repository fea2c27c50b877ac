import { serverAudits } from 'graphql-http';
import { startDemoGateway, type RunningGateway } from '../support/harness';

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startDemoGateway();
});
afterAll(() => gw.close());

describe('GraphQL over HTTP', () => {
  test('passes every MUST of the graphql-http audit', async () => {
    const audits = serverAudits({ url: () => gw.url, fetchFn: fetch });
    const failures: string[] = [];
    for (const audit of audits.filter((a) => a.name.startsWith('MUST'))) {
      const result = await audit.fn();
      if (result.status !== 'ok') failures.push(`${audit.name}: ${result.reason}`);
    }
    expect(failures).toEqual([]);
    expect(audits.filter((a) => a.name.startsWith('MUST')).length).toBeGreaterThan(10);
  });

  test('GET queries work (for caches and curl)', async () => {
    const query = encodeURIComponent('{ user(id: "2") { id } }');
    const response = await fetch(`${gw.url}?query=${query}`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { user: { id: '2' } } });
  });

  test('mutations are refused over GET', async () => {
    const query = encodeURIComponent('mutation { createOrder(input: { userId: "1", productId: "1", quantity: 1 }) { id } }');
    const response = await fetch(`${gw.url}?query=${query}`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(405);
  });
});

describe('operations endpoints', () => {
  test('/healthz answers while the process lives', async () => {
    const response = await fetch(`${gw.base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  test('/readyz lists every source as reachable', async () => {
    const response = await fetch(`${gw.base}/readyz`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; sources: Array<{ name: string; reachable: boolean }> };
    expect(body.status).toBe('ready');
    expect(body.sources.map((s) => [s.name, s.reachable])).toEqual([
      ['users', true],
      ['products', true],
      ['orders', true],
      ['reviews', true],
    ]);
  });

  test('/metrics counts upstream calls by source, operation and status, and times requests by operation', async () => {
    await gw.query('query OrdersPage { orders(limit: 3) { customer { name } } }');
    await gw.query('query Missing { user(id: "999999") { name } }');
    const response = await fetch(`${gw.base}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/tessera_upstream_requests_total\{source="orders",instance="[^"]+",operation="listOrders",status="200"\} [1-9]/);
    expect(text).toMatch(/tessera_upstream_requests_total\{source="users",instance="[^"]+",operation="getUsersByIds",status="200"\} [1-9]/);
    expect(text).toMatch(/tessera_upstream_requests_total\{source="users",instance="[^"]+",operation="getUser",status="404"\} [1-9]/);
    expect(text).toMatch(/tessera_upstream_request_duration_seconds_bucket\{le="[^"]+",source="orders",instance="[^"]+",operation="listOrders"\}/);
    expect(text).toMatch(/tessera_graphql_request_duration_seconds_count\{operation="OrdersPage",outcome="ok"\} 1/);
    expect(text).toMatch(/tessera_graphql_request_duration_seconds_count\{operation="Missing",outcome="error"\} 1/);
    // Health probes are not client traffic.
    await fetch(`${gw.base}/readyz`);
    const after = await (await fetch(`${gw.base}/metrics`)).text();
    const total = (t: string) => [...t.matchAll(/^tessera_upstream_requests_total\{.*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    expect(total(after)).toBe(total(text));
  });

  test('GraphiQL is served to browsers, with its assets from the gateway itself', async () => {
    const page = await (await fetch(gw.url, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('YogaGraphiQL.renderYogaGraphiQL');
    expect(page).not.toMatch(/https?:\/\/(unpkg|cdn|jsdelivr)/);
    const script = page.match(/src="([^"]+graphiql\.js)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${gw.base}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await asset.text()).length).toBeGreaterThan(1_000_000);
  });
});
