/**
 * Several gateway instances without Docker: two `tessera serve` processes in front of the same
 * demo services both answer, and each reports its own instance id on /_tessera and in the figures;
 * behind nginx with the compose file's deploy/nginx.conf, requests reach both.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/harness';
import { startDemoServices, type DemoServices } from '../../sources';
import type { UsageReport } from '../../gateway/server/status-page/status-page';
import { asUser } from '../support/identity';
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
    reports.push((await (await fetch(`${gateway.base}/_tessera/usage`, { headers: await asUser('ops', ['admin']) })).json()) as UsageReport);
    expect(page.headers.get('x-tessera-instance')).toBe(reports[reports.length - 1].instance);
  }
  expect(reports.map((r) => r.instance)).toEqual(['gateway-a', 'gateway-b']);
  // Each counts its own traffic.
  for (const report of reports) expect(report.operations).toEqual([expect.objectContaining({ operation: 'Two', count: 1 })]);
});

const NGINX = '/usr/sbin/nginx';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('behind nginx with deploy/nginx.conf, requests reach both replicas', async () => {
  if (spawnSync(NGINX, ['-v']).error) {
    if (process.env.CI === 'true') throw new Error(`${NGINX} is missing: .ci/run installs it (apt-get install nginx-light)`);
    console.warn(`SKIPPED: load balancer test needs nginx at ${NGINX} (apt-get install nginx-light)`);
    return;
  }
  // The compose file's config, with the replicas' service names replaced by the local processes.
  const port = await freePort();
  const folder = mkdtempSync(join(tmpdir(), 'tessera-nginx-'));
  const config = readFileSync(join(REPO_ROOT, 'deploy', 'nginx.conf'), 'utf8')
    .replace('gateway-1:4000', new URL(gateways[0].base).host)
    .replace('gateway-2:4000', new URL(gateways[1].base).host)
    .replace('listen 80;', `listen 127.0.0.1:${port};`)
    .replace('worker_processes auto;', 'worker_processes 1;');
  writeFileSync(join(folder, 'nginx.conf'), config);
  const directives = `daemon off; pid ${folder}/nginx.pid; error_log ${folder}/error.log;`;
  let nginx: ChildProcess | undefined;
  try {
    nginx = spawn(NGINX, ['-p', folder, '-c', join(folder, 'nginx.conf'), '-g', directives], { stdio: 'ignore' });
    const lb = `http://127.0.0.1:${port}`;
    let healthy = false;
    for (let i = 0; i < 100 && !healthy; i++) {
      healthy = await fetch(`${lb}/healthz`).then((r) => r.ok, () => false);
      if (!healthy) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(healthy).toBe(true);
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${lb}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query ThroughLb { user(id: "1") { name } }' }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { data?: { user?: { name?: string } } }).data?.user?.name).toBeTruthy();
    }
    // Round robin: consecutive requests alternate, so four in a row reach both replicas.
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await fetch(`${lb}/_tessera/usage`, { headers: await asUser('ops', ['admin']) })).headers.get('x-tessera-instance') ?? 'none');
    expect([...seen].sort()).toEqual(['gateway-a', 'gateway-b']);
  } finally {
    if (nginx?.pid) {
      const exited = new Promise((resolve) => nginx!.once('exit', resolve));
      nginx.kill('SIGQUIT');
      await exited;
    }
    rmSync(folder, { recursive: true, force: true });
  }
}, 60_000);
