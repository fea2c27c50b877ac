/**
 * `tessera serve --workers 2` (node:cluster): the workers share one port, /metrics and
 * /_tessera/usage add up every worker, and a worker that dies is replaced.
 */
import { request } from 'node:http';
import { startDemoServices, type DemoServices } from '../../sources';
import type { UsageReport } from '../../gateway/server/status-page/status-page';
import { asUser } from '../support/identity';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process';

let demo: DemoServices;
let gateway: GatewayProcess;

/** Polls (bounded) until `predicate` holds for the process's log lines. */
async function waitForLines(predicate: (lines: Array<Record<string, unknown>>) => boolean, what: string) {
  for (let i = 0; i < 300; i++) {
    if (predicate(gateway.lines)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}; log: ${JSON.stringify(gateway.lines)}`);
}

/** One query on a connection of its own, so the cluster spreads them over the workers. */
function queryOnNewConnection(query: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query });
    const req = request(`${gateway.base}/graphql`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const started = (lines: Array<Record<string, unknown>>) => lines.filter((l) => l.msg === 'worker started');
const serving = (lines: Array<Record<string, unknown>>) => lines.filter((l) => String(l.msg).startsWith('Tessera serving'));

beforeAll(async () => {
  demo = await startDemoServices();
  gateway = await startGatewayProcess({
    env: { USERS_URL: demo.services.users.url, PRODUCTS_URL: demo.services.products.url, ORDERS_URL: demo.services.orders.url, REVIEWS_URL: demo.services.reviews.url },
    args: ['--workers', '2'],
  });
  await waitForLines((lines) => serving(lines).length === 2, 'both workers to serve');
}, 90_000);

afterAll(async () => {
  expect(await gateway?.stop()).toBe(0);
  await demo?.close();
});

test('the start-up log says how many workers run and that in-memory state is per worker', () => {
  expect(gateway.lines.find((l) => l.workers === 2)?.msg).toMatch(/2 workers .*per worker/);
  expect(started(gateway.lines)).toHaveLength(2);
});

test('/metrics and /_tessera/usage add up both workers', async () => {
  for (let i = 0; i < 8; i++) {
    const { status, body } = await queryOnNewConnection('query Spread { user(id: "1") { name } }');
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ data: { user: { name: expect.any(String) } } });
  }
  // Whichever worker answers, the figures are the whole cluster's.
  for (let i = 0; i < 3; i++) {
    const usage = (await (await fetch(`${gateway.base}/_tessera/usage`, { headers: await asUser('ops', ['admin']) })).json()) as UsageReport;
    expect(usage.processes).toBe(2);
    expect(usage.operations.find((o) => o.operation === 'Spread')?.count).toBe(8);
    const metrics = await (await fetch(`${gateway.base}/metrics`)).text();
    expect(metrics).toMatch(/^tessera_graphql_requests_total\{operation="Spread",outcome="ok"\} 8$/m);
  }
});

test('a worker that dies is logged and replaced; the gateway keeps answering', async () => {
  const victim = Number(started(gateway.lines)[0].pid);
  process.kill(victim, 'SIGKILL');
  await waitForLines((lines) => lines.some((l) => l.pid === victim && String(l.msg).startsWith('worker exited')), 'the crash to be logged');
  await waitForLines((lines) => started(lines).length === 3 && serving(lines).length === 3, 'a new worker');
  for (let i = 0; i < 4; i++) expect((await queryOnNewConnection('{ user(id: "2") { id } }')).status).toBe(200);
  const usage = (await (await fetch(`${gateway.base}/_tessera/usage`, { headers: await asUser('ops', ['admin']) })).json()) as UsageReport;
  expect(usage.processes).toBe(2);
});
