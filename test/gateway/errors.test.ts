import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDemoGateway, type RunningGateway } from '../support/harness';
import { asUser } from '../support/identity';

type Errors = NonNullable<Awaited<ReturnType<RunningGateway['query']>>['body']['errors']>;

function expectNoLeaks(errors: Errors | undefined, ...urls: string[]) {
  const text = JSON.stringify(errors ?? []);
  for (const url of urls) expect(text).not.toContain(url.replace('http://', ''));
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack frames
  expect(text).not.toContain('127.0.0.1');
}

describe('an upstream failure degrades one field, never the response', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startDemoGateway();
  });
  afterAll(() => gw.close());

  test('a 404 becomes a NOT_FOUND error on that field; the rest of the response is intact', async () => {
    const { status, body } = await gw.query<{ known: { name: string }; unknown: null; products: unknown[] }>(
      '{ known: user(id: "1") { name } unknown: user(id: "999999") { name } products(limit: 2) { title } }',
    );
    expect(status).toBe(200);
    expect(body.data!.known.name).toEqual(expect.any(String));
    expect(body.data!.unknown).toBeNull();
    expect(body.data!.products).toHaveLength(2);
    expect(body.errors).toEqual([
      {
        message: 'users answered 404: User 999999 not found',
        // The client's field: graphql-tools' error came back without (see server/error-locations).
        locations: [{ line: 1, column: 33 }],
        path: ['unknown'],
        extensions: { code: 'NOT_FOUND', source: 'users', status: 404 },
      },
    ]);
    expectNoLeaks(body.errors, gw.services.users.url);
  });

  test('a 400 from the upstream (invalid mutation input) says what to fix and creates nothing', async () => {
    const before = await gw.query<{ orders: unknown[] }>('{ orders(userId: "3", limit: 200) { id } }');
    const customer3 = await asUser('3', ['customer']);
    // An unknown product: only the service can tell (a quantity out of range never leaves the gateway, test/inputs).
    const { body } = await gw.query('mutation { createOrder(input: { userId: "3", productId: "99999", quantity: 2 }) { id } }', undefined, customer3);
    expect(body.data).toEqual({ createOrder: null });
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BAD_REQUEST', source: 'orders', status: 400 });
    expect(JSON.stringify(body.errors?.[0].extensions?.problems)).toContain('productId');
    const after = await gw.query<{ orders: unknown[] }>('{ orders(userId: "3", limit: 200) { id } }');
    expect(after.body.data!.orders).toHaveLength(before.body.data!.orders.length);
  });

  test('a valid mutation goes through, with ids sent upstream as numbers and links resolved on the result', async () => {
    const { body } = await gw.query<{ createOrder: { id: string; quantity: number; status: string; customer: { id: string } } }>(
      'mutation { createOrder(input: { userId: "3", productId: "4", quantity: 2 }) { id quantity status customer { id } } }',
      undefined,
      await asUser('3', ['customer']),
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.createOrder).toMatchObject({ quantity: 2, status: 'pending', customer: { id: '3' } });
  });

  test('a non-numeric id is rejected before any upstream call, naming the argument', async () => {
    gw.resetUpstreamCalls();
    const { body } = await gw.query('{ user(id: "abc") { name } }');
    expect(body.errors?.[0]).toMatchObject({ path: ['user'], extensions: { code: 'BAD_USER_INPUT' } });
    expect(body.errors?.[0].message).toContain('id');
    expect(gw.upstreamCalls().total).toBe(0);
  });
});

describe('unreachable and slow upstreams', () => {
  let gw: RunningGateway;
  let slow: Server;
  beforeAll(async () => {
    // products: a port nothing listens on; reviews: a service that never answers in time.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    slow = createServer((_req, res) => setTimeout(() => res.end('[]'), 5_000).unref());
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    gw = await startDemoGateway({
      urls: async () => ({
        products: `http://127.0.0.1:${deadPort}`,
        reviews: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`,
      }),
      configure: (config) => ({
        ...config,
        sources: config.sources.map((s) => (s.name === 'reviews' ? { ...s, timeoutMs: 200 } : s)),
      }),
    });
  });
  afterAll(async () => {
    await gw.close();
    slow.closeAllConnections();
    await new Promise((resolve) => slow.close(resolve));
  });

  test('a refused connection fails the fields of that source only', async () => {
    const { status, body } = await gw.query<{ orders: Array<{ id: string; customer: { name: string }; product: null }> }>(
      '{ orders(limit: 3) { id customer { name } product { title } } }',
    );
    expect(status).toBe(200);
    expect(body.data!.orders).toHaveLength(3);
    for (const order of body.data!.orders) {
      expect(order.customer.name).toEqual(expect.any(String));
      expect(order.product).toBeNull();
    }
    expect(body.errors).toHaveLength(3);
    for (const error of body.errors!) {
      expect(error.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', source: 'products', status: 503 });
      expect(error.path).toEqual(['orders', expect.any(Number), 'product']);
    }
    expectNoLeaks(body.errors);
  });

  test('a timeout becomes UPSTREAM_TIMEOUT on that field, within the source timeout', async () => {
    const started = Date.now();
    const { body } = await gw.query<{ user: { name: string }; reviews: null }>('{ user(id: "1") { name } reviews(productId: "1") { rating } }');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(body.data!.user.name).toEqual(expect.any(String));
    expect(body.data!.reviews).toBeNull();
    expect(body.errors?.[0]).toMatchObject({ path: ['reviews'], extensions: { code: 'UPSTREAM_TIMEOUT', source: 'reviews', status: 504 } });
  });

  test('/readyz reports the unreachable source and answers 503', async () => {
    const response = await fetch(`${gw.base}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { sources: Array<{ name: string; reachable: boolean }> };
    expect(body.sources.find((s) => s.name === 'products')).toMatchObject({ reachable: false });
    expect(body.sources.find((s) => s.name === 'users')).toMatchObject({ reachable: true });
  });
});
