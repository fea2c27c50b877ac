import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningGateway } from '../support/harness';
import { startDemoGatewayBehindProxy, type FlakyProxy } from '../support/flaky-proxy';
import { asUser } from '../support/identity';
import { withInstances } from '../support/instances';

const NO_ACTIVE_HEALTH = { active: false, path: '/', intervalMs: 60_000, timeoutMs: 2_000, unhealthyAfter: 100 };

describe('circuit breaker per instance', () => {
  let proxy: FlakyProxy;
  let gw: RunningGateway;
  beforeAll(async () => {
    ({ gw, proxy } = await startDemoGatewayBehindProxy('users', {
      configure: (config, proxy) =>
        withInstances(config, 'users', [proxy.url], {
          retries: { attempts: 0, initialDelayMs: 0, maxDelayMs: 0 },
          breaker: { failureRate: 0.5, window: 10, minimumCalls: 4, halfOpenAfterMs: 1_000 },
          health: NO_ACTIVE_HEALTH,
        }),
    }));
  });
  afterAll(() => gw?.close());
  const circuit = () => gw.gateway.status.sources().find((s) => s.source === 'users')!.instances[0].circuit;
  const query = () => gw.query<{ user: { name: string } | null; products: unknown[] }>('{ user(id: "1") { name } products(limit: 2) { title } }');

  test('opens after failures, fails fast while open (the rest of the response intact), closes after the instance recovers', async () => {
    const first = await query();
    expect(first.body.errors).toBeUndefined();
    expect(circuit()).toBe('closed');

    proxy.mode = 'fail';
    // 1 success then failures: over half of at least 4 calls failed after the third failure.
    for (let i = 0; i < 3; i++) {
      expect(circuit()).toBe('closed');
      const { body } = await query();
      expect(body.errors?.[0]).toMatchObject({ path: ['user'], extensions: { code: 'UPSTREAM_ERROR', source: 'users', status: 503 } });
    }
    expect(circuit()).toBe('open');

    const hitsWhenOpened = proxy.hits.GET;
    for (let i = 0; i < 5; i++) {
      const { status, body } = await query();
      expect(status).toBe(200);
      expect(body.data!.user).toBeNull();
      expect(body.data!.products).toHaveLength(2);
      expect(body.errors).toEqual([
        { message: 'users is unavailable (circuit open after repeated failures)', locations: [{ line: 1, column: 3 }], path: ['user'], extensions: { code: 'UPSTREAM_UNAVAILABLE', source: 'users', status: 503 } },
      ]);
    }
    expect(proxy.hits.GET).toBe(hitsWhenOpened); // failed fast: nothing reached the instance

    proxy.mode = 'ok';
    await sleep(1_300); // past halfOpenAfterMs: the next call is the probe
    const probe = await query();
    expect(probe.body.errors).toBeUndefined();
    expect(probe.body.data!.user).toEqual({ name: expect.any(String) });
    expect(circuit()).toBe('closed');
    const metrics = await (await fetch(`${gw.base}/metrics`)).text();
    expect(metrics).toContain(`tessera_upstream_instance_circuit{source="users",instance="${proxy.url}",state="closed"} 1`);
  });
});

describe('retries', () => {
  let proxy: FlakyProxy;
  let gw: RunningGateway;
  const start = async (idempotentOperations: string[], retryBudget = { ratio: 0.2, minPerSecond: 10 }) => {
    ({ gw, proxy } = await startDemoGatewayBehindProxy('orders', {
      configure: (config, proxy) =>
        withInstances({ ...config, resilience: { ...config.resilience, retryBudget } }, 'orders', [proxy.url], {
          retries: { attempts: 2, initialDelayMs: 10, maxDelayMs: 50 },
          // The breaker stays closed here, so every call reaches the instance and only the budget limits retries.
          breaker: { failureRate: 0.99, window: 100, minimumCalls: 100, halfOpenAfterMs: 1_000 },
          idempotentOperations,
          health: NO_ACTIVE_HEALTH,
        }),
    }));
  };
  afterEach(() => gw?.close());

  test('a POST is not retried; a GET is, up to the configured attempts', async () => {
    await start([]);
    proxy.mode = 'fail';
    const post = await gw.query('mutation { createOrder(input: { userId: "3", productId: "4", quantity: 1 }) { id } }', undefined, await asUser('3', ['customer']));
    expect(post.body.errors?.[0]).toMatchObject({ path: ['createOrder'], extensions: { code: 'UPSTREAM_ERROR', source: 'orders', status: 503 } });
    expect(proxy.hits).toEqual({ POST: 1 });

    const get = await gw.query('{ orders(limit: 1) { id } }');
    expect(get.body.errors?.[0]).toMatchObject({ path: ['orders'], extensions: { code: 'UPSTREAM_ERROR', status: 503 } });
    expect(proxy.hits).toEqual({ POST: 1, GET: 3 });
    expect(await (await fetch(`${gw.base}/metrics`)).text()).toMatch(/tessera_upstream_retries_total\{source="orders",reason="503"\} 2/);
  });

  test('a POST whose operation is marked idempotent in the config is retried', async () => {
    await start(['createOrder']);
    proxy.mode = 'fail';
    const post = await gw.query('mutation { createOrder(input: { userId: "3", productId: "4", quantity: 1 }) { id } }', undefined, await asUser('3', ['customer']));
    expect(post.body.errors?.[0].extensions).toMatchObject({ code: 'UPSTREAM_ERROR', status: 503 });
    expect(proxy.hits).toEqual({ POST: 3 });
  });

  test('the retry budget keeps retries from multiplying load when the upstream is down', async () => {
    await start([], { ratio: 0, minPerSecond: 0 }); // no budget beyond the initial allowance
    proxy.mode = 'fail';
    for (let i = 0; i < 30; i++) await gw.query('{ orders(limit: 1) { id } }');
    // Without a budget: 30 calls × 3 attempts = 90. With it: 30 calls and the few retries allowed.
    expect(proxy.hits.GET).toBeGreaterThanOrEqual(30);
    expect(proxy.hits.GET).toBeLessThanOrEqual(45);
  });
});
