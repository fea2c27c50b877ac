/**
 * Several gateway instances without Docker: two `tessera serve` processes in front of the same
 * demo services both answer, and each reports its own instance id on /_tessera and in the figures.
 */
import { startDemoServices, type DemoServices } from '../../sources';
import type { UsageReport } from '../../gateway/server/status-page/status-page';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process';

let demo: DemoServices;
const gateways: GatewayProcess[] = [];

beforeAll(async () => {
  demo = await startDemoServices();
  const env = (id: string) => ({
    TESSERA_INSTANCE_ID: id,
    USERS_URL: demo.services.users.url,
    PRODUCTS_URL: demo.services.products.url,
    ORDERS_URL: demo.services.orders.url,
    REVIEWS_URL: demo.services.reviews.url,
  });
  gateways.push(...(await Promise.all([startGatewayProcess({ env: env('gateway-a') }), startGatewayProcess({ env: env('gateway-b') })])));
}, 90_000);

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.stop()));
  await demo?.close();
});

test('two gateway processes answer the same query and each names itself', async () => {
  const answers = [];
  for (const gateway of gateways) {
    const response = await fetch(`${gateway.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query Two { orders(limit: 2) { id customer { name } } }' }),
    });
    expect(response.status).toBe(200);
    answers.push(await response.json());
  }
  expect(answers[1]).toEqual(answers[0]);

  const reports: UsageReport[] = [];
  for (const gateway of gateways) {
    const page = await fetch(`${gateway.base}/_tessera`);
    expect(page.status).toBe(200);
    reports.push((await (await fetch(`${gateway.base}/_tessera/usage`)).json()) as UsageReport);
    expect(page.headers.get('x-tessera-instance')).toBe(reports[reports.length - 1].instance);
  }
  expect(reports.map((r) => r.instance)).toEqual(['gateway-a', 'gateway-b']);
  // Each counts its own traffic.
  for (const report of reports) expect(report.operations).toEqual([expect.objectContaining({ operation: 'Two', count: 1 })]);
});
