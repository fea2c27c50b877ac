import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDemoGateway, type RunningGateway } from '../support/harness';
import { asUser } from '../support/identity';

interface OrderRow {
  id: string;
  userId: string;
  customer: { id: string; name: string } | null;
}

describe('links batch through the batch endpoints: one upstream call per link per level', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startDemoGateway();
  });
  afterAll(() => gw.close());
  beforeEach(() => gw.resetUpstreamCalls());

  test('50 orders with customer and product make exactly 3 upstream calls', async () => {
    const { body } = await gw.query<{ orders: Array<{ id: string; customer: { name: string }; product: { title: string } }> }>(
      '{ orders(limit: 50) { id customer { name } product { title } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.orders).toHaveLength(50);
    expect(body.data!.orders.every((o) => o.customer?.name && o.product?.title)).toBe(true);
    expect(gw.upstreamCalls()).toEqual({ users: 1, products: 1, orders: 1, reviews: 0, total: 3 });
  });

  test('two levels (products → reviews → authors) make 3 calls, one per level', async () => {
    const { body } = await gw.query<{ products: Array<{ id: string; reviews: Array<{ rating: number; author: { name: string } }> }> }>(
      '{ products(limit: 20) { id reviews { rating author { name } } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.products.some((p) => p.reviews.length > 0)).toBe(true);
    expect(gw.upstreamCalls()).toEqual({ users: 1, products: 1, orders: 0, reviews: 1, total: 3 });
  });

  test('aliases inside a one-to-many link are answered under the alias, with the right items', async () => {
    const plain = await gw.query<{ products: Array<{ reviews: Array<{ id: string; rating: number }> }> }>('{ products(limit: 3) { reviews { id rating } } }');
    expect(plain.body.errors).toBeUndefined();
    const aliased = await gw.query<{ products: Array<{ rv: Array<{ key: string; r: number; a: { n: string } }> }> }>(
      '{ products(limit: 3) { rv: reviews { key: id r: rating a: author { n: name } } } }',
    );
    expect(aliased.body.errors).toBeUndefined();
    const expected = plain.body.data!.products.map((p) => p.reviews.map((r) => ({ key: r.id, r: r.rating })));
    expect(aliased.body.data!.products.map((p) => p.rv.map(({ key, r }) => ({ key, r })))).toEqual(expected);
    expect(expected.flat().length).toBeGreaterThan(0);
    expect(aliased.body.data!.products.every((p) => p.rv.every((r) => typeof r.a.n === 'string'))).toBe(true);
  });

  test('every parent gets its own child: customer.id equals the order userId', async () => {
    const { body } = await gw.query<{ orders: OrderRow[] }>('{ orders(limit: 50, offset: 100) { id userId customer { id name } } }');
    for (const order of body.data!.orders) expect(order.customer?.id).toBe(order.userId);
  });

  test('loaders live per request: the same query twice calls the upstreams twice', async () => {
    await gw.query('{ orders(limit: 5) { customer { name } } }');
    await gw.query('{ orders(limit: 5) { customer { name } } }');
    expect(gw.upstreamCalls()).toMatchObject({ orders: 2, users: 2 });
  });
});

describe('links to a by-id endpoint: one call per distinct id, through a DataLoader', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startDemoGateway({
      configure: (config) => ({
        ...config,
        links: { ...config.links, 'Order.customer': { ...config.links['Order.customer'], query: 'user', argument: 'id' } },
      }),
    });
  });
  afterAll(() => gw.close());

  test('orders of one user share one customer call', async () => {
    const { body: first } = await gw.query<{ orders: Array<{ userId: string }> }>('{ orders(limit: 1) { userId } }');
    const userId = first.data!.orders[0].userId;
    gw.resetUpstreamCalls();
    const { body } = await gw.query<{ orders: OrderRow[] }>('query($u: ID) { orders(userId: $u) { id userId customer { id name } } }', { u: userId });
    expect(body.errors).toBeUndefined();
    expect(body.data!.orders.length).toBeGreaterThan(1);
    for (const order of body.data!.orders) expect(order.customer?.id).toBe(userId);
    expect(gw.upstreamCalls()).toMatchObject({ orders: 1, users: 1 });
  });

  test('distinct customers: one call per distinct id, never per occurrence', async () => {
    const { body: list } = await gw.query<{ orders: Array<{ userId: string }> }>('{ orders(limit: 200) { userId } }');
    const userIds = list.data!.orders.map((o) => o.userId);
    const distinct = new Set(userIds).size;
    expect(distinct).toBeLessThan(userIds.length); // the page repeats some customers
    gw.resetUpstreamCalls();
    const { body } = await gw.query<{ orders: OrderRow[] }>('{ orders(limit: 200) { id userId customer { id name } } }');
    expect(body.errors).toBeUndefined();
    for (const order of body.data!.orders) expect(order.customer?.id).toBe(order.userId);
    expect(gw.upstreamCalls()).toMatchObject({ orders: 1, users: distinct });
  });

  test('a user with several orders: User.orders is one call per distinct user', async () => {
    gw.resetUpstreamCalls();
    const { body } = await gw.query<{ users: Array<{ id: string; orders: Array<{ userId: string }> }> }>(
      '{ users(ids: ["1", "2", "1", "3"]) { id orders { userId } } }',
      undefined,
      await asUser('ops', ['admin']), // User.orders is for its owner or an admin
    );
    expect(body.errors).toBeUndefined();
    for (const user of body.data!.users) for (const order of user.orders) expect(order.userId).toBe(user.id);
    expect(gw.upstreamCalls()).toMatchObject({ users: 1, orders: 3 });
  });
});

/**
 * A users service that answers batches out of order and leaves ids out (here: every id divisible
 * by 7), in front of the real one. Position-based matching would hand parents the wrong users.
 */
async function startShufflingUsersProxy(target: string): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const upstream = await fetch(new URL(req.url ?? '/', target));
    const text = await upstream.text();
    const isBatch = new URL(req.url ?? '/', target).searchParams.has('ids');
    let body = text;
    if (isBatch && upstream.ok) {
      const users = (JSON.parse(text) as Array<{ id: number } | null>).filter((u): u is { id: number } => !!u && u.id % 7 !== 0);
      body = JSON.stringify(users.reverse());
    }
    res.writeHead(upstream.status, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('batch results are matched by key, never by position', () => {
  let gw: RunningGateway;
  let proxy: { url: string; server: Server };
  beforeAll(async () => {
    gw = await startDemoGateway({
      urls: async (services) => {
        proxy = await startShufflingUsersProxy(services.users.url);
        return { users: proxy.url };
      },
    });
  });
  afterAll(async () => {
    await gw.close();
    await new Promise((resolve) => proxy.server.close(resolve));
  });

  // Twice: the second request sends the link's kept request (gateway/compose/root-delegation.ts).
  test.each([1, 2])('an upstream that reorders and drops ids still gives each order its own customer, and null + error for the missing (request %i)', async () => {
    const { body } = await gw.query<{ orders: OrderRow[] }>('{ orders(limit: 50) { id userId customer { id name } } }');
    const orders = body.data!.orders;
    const missing = orders.filter((o) => Number(o.userId) % 7 === 0);
    expect(missing.length).toBeGreaterThan(0);
    orders.forEach((order, index) => {
      if (Number(order.userId) % 7 === 0) {
        expect(order.customer).toBeNull();
        const error = body.errors?.find((e) => JSON.stringify(e.path) === JSON.stringify(['orders', index, 'customer']));
        expect(error?.extensions).toMatchObject({ code: 'NOT_FOUND', source: 'users' });
        // Located at the client's own field, not in the request the gateway sent to the source.
        expect((error as { locations?: unknown })?.locations).toEqual([{ line: 1, column: 33 }]);
      } else {
        expect(order.customer?.id).toBe(order.userId);
      }
    });
    expect(body.errors).toHaveLength(missing.length);
  });
});

describe('per-key link errors land on their own parent (they carried the first parent’s path)', () => {
  let gw: RunningGateway;
  let proxy: Server;
  beforeAll(async () => {
    gw = await startDemoGateway({
      // A users service that answers 404 for every id divisible by 3.
      urls: async (services) => {
        proxy = createServer(async (req, res) => {
          const id = /^\/users\/(\d+)$/.exec(req.url ?? '')?.[1];
          if (id && Number(id) % 3 === 0) {
            res.writeHead(404, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: 'not_found', message: `User ${id} not found` }));
            return;
          }
          const upstream = await fetch(new URL(req.url ?? '/', services.users.url));
          res.writeHead(upstream.status, { 'content-type': 'application/json' });
          res.end(await upstream.text());
        });
        await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
        return { users: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` };
      },
      configure: (config) => ({
        ...config,
        links: { ...config.links, 'Order.customer': { ...config.links['Order.customer'], query: 'user', argument: 'id' } },
      }),
    });
  });
  afterAll(async () => {
    await gw.close();
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
  });

  test.each([1, 2])('each failing customer is null with its own error path; the others are intact (request %i)', async () => {
    const { body } = await gw.query<{ orders: OrderRow[] }>('{ orders(limit: 30) { id userId customer { id name } } }');
    const failing = body.data!.orders.map((o, i) => [o, i] as const).filter(([o]) => Number(o.userId) % 3 === 0);
    expect(failing.length).toBeGreaterThan(1);
    const errorPaths = (body.errors ?? []).map((e) => e.path?.join('.')).sort();
    expect(errorPaths).toEqual(failing.map(([, i]) => `orders.${i}.customer`).sort());
    for (const error of body.errors ?? []) {
      expect(error.extensions).toMatchObject({ code: 'NOT_FOUND', source: 'users', status: 404 });
      expect((error as { locations?: unknown }).locations).toEqual([{ line: 1, column: 33 }]);
    }
    body.data!.orders.forEach((order) => {
      if (Number(order.userId) % 3 === 0) expect(order.customer).toBeNull();
      else expect(order.customer?.id).toBe(order.userId);
    });
  });
});

describe('batchSize caps the keys of one batch call', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startDemoGateway({
      configure: (config) => ({ ...config, links: { ...config.links, 'Order.customer': { ...config.links['Order.customer'], batchSize: 10 } } }),
    });
  });
  afterAll(() => gw.close());

  test('the customers of 50 orders, in batches of at most 10: one users call per 10 distinct ids, each parent still matched', async () => {
    const { body: list } = await gw.query<{ orders: Array<{ userId: string }> }>('{ orders(limit: 50) { userId } }');
    const distinct = new Set(list.data!.orders.map((o) => o.userId)).size;
    gw.resetUpstreamCalls();
    const { body } = await gw.query<{ orders: OrderRow[] }>('{ orders(limit: 50) { id userId customer { id } } }');
    expect(body.errors).toBeUndefined();
    for (const order of body.data!.orders) expect(order.customer?.id).toBe(order.userId);
    expect(gw.upstreamCalls().users).toBe(Math.ceil(distinct / 10));
  });
});
