/** Behaviour of the demo services over real HTTP, on ephemeral ports. */
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { startDemoService, startDemoServices, specPath, type RunningService } from '../../sources';
import { postJson, range, request } from './client';

const PROBLEM = 'application/problem+json';

let running: Awaited<ReturnType<typeof startDemoServices>>;
let users: RunningService;
let products: RunningService;
let reviews: RunningService;

beforeAll(async () => {
  running = await startDemoServices();
  ({ users, products, reviews } = running.services);
});
afterAll(() => running.close());

describe('seeded data over HTTP', () => {
  test('1000 users', async () => {
    // Two calls because a batch is capped at 500 ids.
    const [first, second] = await Promise.all(
      [range(1, 500), range(501, 1000)].map((ids) => request(`${users.url}/users?ids=${ids.join(',')}`)),
    );
    const found = [...(first?.json as unknown[]), ...(second?.json as unknown[])];
    expect(found).toHaveLength(1000);
    expect(found.filter((u) => u === null)).toEqual([]);
    expect((await request(`${users.url}/users/1001`)).status).toBe(404);
  });

  test('200 products', async () => {
    expect((await request(`${products.url}/products?limit=200`)).json).toHaveLength(200);
    expect((await request(`${products.url}/products?limit=200&offset=200`)).json).toEqual([]);
    expect((await request(`${products.url}/products`)).json).toHaveLength(20);
  });

  test('5000 orders', async () => {
    const pages = await Promise.all(
      range(0, 25).map((i) => request(`${running.services.orders.url}/orders?limit=200&offset=${i * 200}`)),
    );
    const ids = pages.flatMap((p) => (p.json as { id: number }[]).map((o) => o.id));
    expect(ids).toEqual(range(1, 5000));
  });

  test('2000 reviews', async () => {
    const res = await request(`${reviews.url}/reviews/by-products?productIds=${range(1, 200).join(',')}`);
    expect(res.json).toHaveLength(2000);
  });
});

describe('batch lookups', () => {
  test('keep request order and duplicates, null unknown ids, list them once in X-Missing-Ids', async () => {
    const res = await request(`${users.url}/users?ids=5,9999,3,5,10000,9999`);
    const body = res.json as ({ id: number } | null)[];
    expect(body.map((u) => u?.id ?? null)).toEqual([5, null, 3, 5, null, null]);
    expect(res.headers.get('x-missing-ids')).toBe('9999,10000');
  });

  test('omit X-Missing-Ids when everything was found', async () => {
    const res = await request(`${products.url}/products/by-ids?ids=2,1`);
    expect((res.json as { id: number }[]).map((p) => p.id)).toEqual([2, 1]);
    expect(res.headers.has('x-missing-ids')).toBe(false);
  });

  test('accept exploded and mixed id lists', async () => {
    const exploded = await request(`${products.url}/products/by-ids?ids=3&ids=1,2`);
    expect((exploded.json as { id: number }[]).map((p) => p.id)).toEqual([3, 1, 2]);
  });

  test('allow 500 ids and reject 501', async () => {
    expect((await request(`${users.url}/users?ids=${range(1, 500).join(',')}`)).status).toBe(200);
    const tooMany = await request(`${users.url}/users?ids=${range(1, 501).join(',')}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.mediaType).toBe(PROBLEM);
  });

  test('an empty id in the list is named by its index, as JSON and GraphQL paths count', async () => {
    const res = await request(`${users.url}/users?ids=1,,3`);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ errors: [{ field: 'ids', message: 'the id at index 1 is empty' }] });
  });

  test('reviews by products are grouped in the requested order, each product once', async () => {
    const [p3, p1] = await Promise.all([3, 1].map((id) => request(`${reviews.url}/reviews?productId=${id}`)));
    const batch = await request(`${reviews.url}/reviews/by-products?productIds=3,1,3,9999`);
    expect(batch.json).toEqual([...(p3?.json as unknown[]), ...(p1?.json as unknown[])]);
    expect((p3?.json as { productId: number }[]).every((r) => r.productId === 3)).toBe(true);
  });
});

describe('errors', () => {
  test('unknown ids on single-item routes are 404 with the Error body', async () => {
    const res = await request(`${users.url}/users/9999`);
    expect(res.status).toBe(404);
    expect(res.contentType).toBe('application/json; charset=utf-8');
    expect(res.json).toEqual({ error: 'not_found', message: 'User 9999 not found' });
    expect((await request(`${products.url}/products/9999`)).json).toEqual({
      error: 'not_found',
      message: 'Product 9999 not found',
    });
  });

  test('a non-integer id is a 400 problem', async () => {
    const res = await request(`${users.url}/users/1e3`);
    expect(res.status).toBe(400);
    expect(res.contentType).toBe('application/problem+json; charset=utf-8');
    expect(res.json).toMatchObject({ status: 400, errors: [{ field: 'id', message: "must be an integer (got '1e3')" }] });
  });

  test('out-of-range paging is a 400 problem, not silently clamped', async () => {
    for (const query of ['limit=0', 'limit=201', 'offset=-1', 'limit=2&limit=3']) {
      const res = await request(`${products.url}/products?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
    }
  });

  test('unknown routes are 404 JSON, known paths with the wrong method 405', async () => {
    const res = await request(`${users.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: 'not_found', message: 'No route for GET /nope' });
    const wrongMethod = await request(`${users.url}/users/1`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });
});

describe('createOrder', () => {
  // A private instance: created orders must not leak into the shared one.
  let orders: RunningService;
  const FIXED_NOW = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
  beforeAll(async () => {
    orders = await startDemoService('orders');
  });
  afterAll(() => orders.close());

  const post = (body: unknown, contentType?: string) => postJson(`${orders.url}/orders`, body, contentType);
  const countUser1 = async () => ((await request(`${orders.url}/orders?userId=1&limit=200`)).json as unknown[]).length;

  test.each([
    ['quantity 0', { userId: 1, productId: 1, quantity: 0 }, 'quantity', 'must be between 1 and 100 (got 0)'],
    ['quantity 101', { userId: 1, productId: 1, quantity: 101 }, 'quantity', 'must be between 1 and 100 (got 101)'],
    ['a missing field', { userId: 1, quantity: 1 }, 'productId', 'is required'],
    ['a string number', { userId: 1, productId: '1', quantity: 1 }, 'productId', 'must be an integer (got "1")'],
    ['a fraction', { userId: 1, productId: 1, quantity: 1.5 }, 'quantity', 'must be an integer (got 1.5)'],
    ['an unknown user', { userId: 1001, productId: 1, quantity: 1 }, 'userId', 'refers to unknown user 1001'],
    ['a note over 200 characters', { userId: 1, productId: 1, quantity: 1, note: 'x'.repeat(201) }, 'note', 'must be a string of at most 200 characters on one line'],
    ['a note with a line break', { userId: 1, productId: 1, quantity: 1, note: 'a\nb' }, 'note', 'must be a string of at most 200 characters on one line'],
    ['an array body', [1, 2], 'body', 'must be a JSON object'],
    ['bad JSON', '{"userId": 1,', 'body', 'is not valid JSON'],
  ])('rejects %s with a problem and stores nothing', async (_label, body, field, message) => {
    const before = await countUser1();
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.mediaType).toBe(PROBLEM);
    expect(res.json).toEqual({
      type: 'urn:tessera:problem:invalid-request',
      title: 'Invalid request',
      status: 400,
      detail: `${field} ${message}`,
      errors: [{ field, message }],
    });
    expect((await request(`${orders.url}/orders/5001`)).status).toBe(404);
    expect(await countUser1()).toBe(before);
  });

  test('rejects a non-JSON content type', async () => {
    const res = await post(JSON.stringify({ userId: 1, productId: 1, quantity: 1 }), 'text/plain');
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ errors: [{ field: 'content-type' }] });
  });

  test('reports every invalid field at once', async () => {
    const res = await post({ userId: 0, quantity: 500 });
    expect((res.json as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      'userId',
      'productId',
      'quantity',
    ]);
  });

  test('stores a valid order, readable afterwards, with ids continuing after the seed', async () => {
    const before = await countUser1();
    const res = await post({ userId: 1, productId: 2, quantity: 3 }, 'application/json; charset=utf-8');
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/orders/5001');
    const order = res.json as Record<string, unknown>;
    expect(order).toEqual({
      id: 5001,
      userId: 1,
      productId: 2,
      quantity: 3,
      status: 'pending',
      createdAt: expect.stringMatching(FIXED_NOW),
    });
    expect(Math.abs(Date.parse(order.createdAt as string) - Date.now())).toBeLessThan(60_000);
    expect((await request(`${orders.url}/orders/5001`)).json).toEqual(order);
    expect(await countUser1()).toBe(before + 1);
    expect(((await post({ userId: 2, productId: 2, quantity: 1 })).json as { id: number }).id).toBe(5002);
  });

  test('orders created on one instance are invisible to another', async () => {
    expect((await request(`${running.services.orders.url}/orders/5001`)).status).toBe(404);
  });
});

describe('housekeeping routes', () => {
  test('stats count operations by operationId and path template; housekeeping is not counted', async () => {
    const service = await startDemoService('products');
    try {
      await Promise.all([
        request(`${service.url}/products/1`),
        request(`${service.url}/products/2`),
        request(`${service.url}/products/by-ids?ids=1`),
        request(`${service.url}/products/abc`),
        request(`${service.url}/openapi.json`),
        request(`${service.url}/nope`),
      ]);
      const expected = {
        service: 'products',
        total: 4,
        byOperation: { getProduct: 3, getProductsByIds: 1 },
        byPath: { 'GET /products/{id}': 3, 'GET /products/by-ids': 1 },
      };
      expect(service.stats()).toEqual(expected);
      expect((await request(`${service.url}/__stats`)).json).toEqual(expected);

      const reset = await request(`${service.url}/__stats/reset`, { method: 'POST' });
      expect(reset.json).toEqual({ service: 'products', total: 0, byOperation: {}, byPath: {} });
      await request(`${service.url}/products`);
      service.resetStats();
      expect(service.stats().total).toBe(0);
    } finally {
      await service.close();
    }
  });

  test('the spec is served as YAML and JSON, pointing at the running service', async () => {
    const onDisk = parse(readFileSync(specPath('users'), 'utf8')) as Record<string, unknown>;
    const yaml = await request(`${users.url}/openapi.yaml`);
    expect(yaml.mediaType).toBe('application/yaml');
    const json = await request(`${users.url}/openapi.json`);
    const expected = { ...onDisk, servers: [{ url: users.url }] };
    expect(parse(yaml.text)).toEqual(expected);
    expect(json.json).toEqual(expected);
  });
});

describe('lifecycle', () => {
  test('latency delays operations but not housekeeping', async () => {
    const slow = await startDemoService('users', { latencyMs: 120 });
    try {
      await request(`${slow.url}/__stats`); // warm up the connection
      let t = performance.now();
      await request(`${slow.url}/users/1`);
      expect(performance.now() - t).toBeGreaterThanOrEqual(110);
      t = performance.now();
      await request(`${slow.url}/__stats`);
      expect(performance.now() - t).toBeLessThan(110);
    } finally {
      await slow.close();
    }
  });

  test('close() is prompt with keep-alive connections open and with replies still delayed', async () => {
    const service = await startDemoService('users', { latencyMs: 5_000 });
    await request(`${service.url}/__stats`); // leaves an idle keep-alive socket behind
    // The client sees the socket die; not matched with instanceof because fetch errors come from another realm.
    const pending = request(`${service.url}/users/1`).then(
      () => 'answered',
      () => 'aborted',
    );
    await new Promise((r) => setTimeout(r, 20));
    const t = performance.now();
    await Promise.all([service.close(), service.close()]);
    expect(performance.now() - t).toBeLessThan(1_000);
    expect(await pending).toBe('aborted');
  });

  test('basePort assigns consecutive ports in DEMO_SERVICE_NAMES order', async () => {
    const base = await freePort();
    let started: Awaited<ReturnType<typeof startDemoServices>> | undefined;
    try {
      started = await startDemoServices({ basePort: base });
    } catch {
      return; // one of base+1..base+3 happened to be taken; nothing to assert
    }
    try {
      expect(Object.values(started.services).map((s) => s.url)).toEqual(
        [0, 1, 2, 3].map((i) => `http://127.0.0.1:${base + i}`),
      );
    } finally {
      await started.close();
    }
  });

  test('a taken port fails startDemoServices and releases the services that did start', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startDemoServices({ basePort: port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}
