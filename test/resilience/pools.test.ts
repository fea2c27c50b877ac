import { startDemoService } from '../../sources';
import { startDemoGateway, type RunningGateway } from '../support/harness';
import { startServiceProcess, type ServiceProcess } from '../support/processes';
import { withInstances } from '../support/instances';

describe('a source with two instances', () => {
  let a: ServiceProcess;
  let b: ServiceProcess;
  let gw: RunningGateway;
  beforeAll(async () => {
    [a, b] = await Promise.all([startServiceProcess('users'), startServiceProcess('users')]);
    gw = await startDemoGateway({ configure: (config) => withInstances(config, 'users', [a.url, b.url]) });
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
    await Promise.all([a?.kill(), b?.kill()]);
  });

  test('/readyz counts healthy instances per source', async () => {
    const body = (await (await fetch(`${gw.base}/readyz`)).json()) as { sources: Array<{ name: string; healthyInstances: number; instances: number }> };
    expect(body.sources.find((s) => s.name === 'users')).toMatchObject({ healthyInstances: 2, instances: 2 });
  });

  test('calls go round-robin over both; one killed during 2,000 queries: no client response fails', async () => {
    const before = [await a.calls(), await b.calls()];
    const failures: unknown[] = [];
    let sent = 0;
    let killed: Promise<void> | undefined;
    const worker = async () => {
      while (sent < 2_000) {
        const n = sent++;
        if (n === 500) killed = b.kill();
        const { status, body } = await gw.query<{ user: { id: string; name: string } }>(`{ user(id: "${(n % 50) + 1}") { id name } }`);
        if (status !== 200 || body.errors || body.data?.user?.id !== String((n % 50) + 1)) failures.push({ n, status, body });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    await killed;
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(2_000);
    // Both instances served before the kill; the survivor served the rest.
    expect((await a.calls()) - before[0]).toBeGreaterThan(1_000);
    const users = gw.gateway.status.sources().find((s) => s.source === 'users')!;
    expect(users.instances.find((i) => i.url === b.url)?.healthy).toBe(false);
    expect(users.instances.find((i) => i.url === a.url)).toMatchObject({ healthy: true, circuit: 'closed' });
    const readyz = (await (await fetch(`${gw.base}/readyz`)).json()) as { status: string; sources: Array<{ name: string; healthyInstances: number }> };
    expect(readyz.status).toBe('ready');
    expect(readyz.sources.find((s) => s.name === 'users')?.healthyInstances).toBe(1);
    const metrics = await (await fetch(`${gw.base}/metrics`)).text();
    expect(metrics).toContain(`tessera_upstream_instance_healthy{source="users",instance="${b.url}"} 0`);
    expect(metrics).toContain(`tessera_upstream_instance_circuit{source="users",instance="${a.url}",state="closed"} 1`);
  }, 120_000);
});

describe('least-outstanding balancing', () => {
  test('sends most calls to the instance that answers fast; round-robin splits them evenly', async () => {
    const slow = await startDemoService('users', { latencyMs: 300 });
    const fast = await startDemoService('users');
    const run = async (balancing: 'round-robin' | 'least-outstanding') => {
      slow.resetStats();
      fast.resetStats();
      const gw = await startDemoGateway({ configure: (config) => withInstances(config, 'users', [slow.url, fast.url], { balancing }) });
      try {
        let sent = 0;
        const worker = async () => {
          while (sent < 120) {
            sent++;
            const { body } = await gw.query('{ user(id: "1") { name } }');
            expect(body.errors).toBeUndefined();
          }
        };
        await Promise.all(Array.from({ length: 6 }, worker));
      } finally {
        await gw.close();
      }
      return { slow: slow.stats().total, fast: fast.stats().total };
    };
    try {
      const even = await run('round-robin');
      expect(Math.abs(even.slow - even.fast)).toBeLessThanOrEqual(10);
      const least = await run('least-outstanding');
      expect(least.slow + least.fast).toBe(120);
      expect(least.fast).toBeGreaterThan(least.slow * 3);
    } finally {
      await Promise.all([slow.close(), fast.close()]);
    }
  }, 90_000);
});
