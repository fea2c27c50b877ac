import { GraphQLError } from 'graphql';
import { refusedBeforeUpstream } from '../../gateway/cache/plugin';
import type { RunningGateway } from '../support/harness';
import { anonymous, asUser } from '../support/identity';
import { getQuery, metricValue, startCachedGateway } from './support';

const PRODUCTS = '{ products(limit: 5) { id title price } }';

describe('response cache (in-memory store)', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startCachedGateway();
  });
  afterAll(() => gw.close());
  beforeEach(() => gw.resetUpstreamCalls());

  test('a repeated query makes 0 upstream calls the second time, and says it was a hit', async () => {
    const query = '{ orders(limit: 7) { id customer { name } product { title } } }';
    const first = await gw.query(query);
    expect(first.body.errors).toBeUndefined();
    expect(first.headers.get('x-tessera-cache')).toBe('MISS');
    expect(first.body.extensions).toMatchObject({ responseCache: { hit: false, didCache: true } });
    expect(gw.upstreamCalls().total).toBe(3);
    gw.resetUpstreamCalls();
    const second = await gw.query(query);
    expect(second.headers.get('x-tessera-cache')).toBe('HIT');
    expect(second.body.extensions).toMatchObject({ responseCache: { hit: true } });
    expect(second.body.data).toEqual(first.body.data);
    expect(gw.upstreamCalls().total).toBe(0);
    // The outcome also reaches the request metrics (and the log line) through the context.
    const metrics = await (await fetch(`${gw.base}/metrics`)).text();
    expect(metrics).toMatch(/^tessera_cache_requests_total\{status="hit"\} [1-9]/m);
    expect(metrics).toMatch(/^tessera_cache_requests_total\{status="miss"\} [1-9]/m);
  });

  test('one-to-many links are cached like the rest (the cache adds `__responseCacheId: id` to their items)', async () => {
    const query = '{ products(limit: 2) { id reviews { rating } } }';
    const first = await gw.query(query);
    expect(first.body.errors).toBeUndefined();
    const second = await gw.query(query);
    expect(second.headers.get('x-tessera-cache')).toBe('HIT');
    expect(second.body.data).toEqual(first.body.data);
  });

  test('the key holds variables and operation name: other values are misses', async () => {
    const query = 'query P($id: ID!) { product(id: $id) { id title } }';
    await gw.query(query, { id: '1' });
    const other = await gw.query<{ product: { id: string } }>(query, { id: '2' });
    expect(other.headers.get('x-tessera-cache')).toBe('MISS');
    expect(other.body.data!.product.id).toBe('2');
    expect((await gw.query(query, { id: '1' })).headers.get('x-tessera-cache')).toBe('HIT');
  });

  test('the key holds the Accept-Language the upstreams are sent: another language is a miss', async () => {
    const query = '{ product(id: 31) { id title } }';
    await gw.query(query, undefined, { 'accept-language': 'en' });
    expect((await gw.query(query, undefined, { 'accept-language': 'de' })).headers.get('x-tessera-cache')).toBe('MISS');
    expect((await gw.query(query, undefined, { 'accept-language': 'en' })).headers.get('x-tessera-cache')).toBe('HIT');
  });

  test('the key holds the normalized document: whitespace, commas and comments do not matter', async () => {
    await gw.query('{ product(id: 21) { id title } }');
    const same = await gw.query('# the same query\n{\n  product(id: 21) {\n    id,\n    title\n  }\n}');
    expect(same.headers.get('x-tessera-cache')).toBe('HIT');
  });

  test('responses with errors are never cached', async () => {
    const query = '{ product(id: 999999) { id title } }';
    const first = await gw.query(query);
    expect(first.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const second = await gw.query(query);
    expect(second.headers.get('x-tessera-cache')).toBe('MISS');
    expect(gw.upstreamCalls().products).toBe(2);
  });

  test('a user without a role never gets an entry made for a user who had it', async () => {
    await gw.query(PRODUCTS, undefined, await asUser('admin-1', ['admin']));
    expect((await gw.query(PRODUCTS, undefined, await asUser('admin-2', ['admin']))).headers.get('x-tessera-cache')).toBe('HIT');
    gw.resetUpstreamCalls();
    const customer = await gw.query(PRODUCTS, undefined, await asUser('customer-1', ['customer']));
    expect(customer.headers.get('x-tessera-cache')).toBe('MISS');
    expect(gw.upstreamCalls().products).toBe(1);
    const scoped = await gw.query(PRODUCTS, undefined, await asUser('admin-3', ['admin'], ['orders:write']));
    expect(scoped.headers.get('x-tessera-cache')).toBe('MISS');
    const anon = await gw.query(PRODUCTS, undefined, anonymous);
    expect(anon.headers.get('x-tessera-cache')).toBe('MISS');
  });

  test("user A's private fields never reach user B or an anonymous caller", async () => {
    const query = '{ user(id: 1) { id name email orders { id } } }';
    const a = await gw.query<{ user: { email: string } }>(query, undefined, await asUser('1', ['customer']));
    expect(a.body.data!.user.email).toContain('@');
    expect((await gw.query(query, undefined, await asUser('1', ['customer']))).headers.get('x-tessera-cache')).toBe('HIT');
    gw.resetUpstreamCalls();
    const b = await gw.query(query, undefined, await asUser('2', ['customer']));
    expect(b.headers.get('x-tessera-cache')).toBe('MISS');
    expect(gw.upstreamCalls().users).toBe(1);
    gw.resetUpstreamCalls();
    for (let i = 0; i < 2; i++) {
      const anon = await gw.query(query, undefined, anonymous);
      expect(anon.headers.get('x-tessera-cache')).toBe('BYPASS');
      expect(anon.body.extensions?.responseCache).toBeUndefined();
    }
    expect(gw.upstreamCalls().users).toBe(2); // never cached for anonymous callers
  });

  test('a private field selected through a fragment still makes the query private', async () => {
    const query = 'query { user(id: 2) { ...Contact } } fragment Contact on User { name email }';
    expect((await gw.query(query)).headers.get('x-tessera-cache')).toBe('BYPASS');
    await gw.query(query, undefined, await asUser('2'));
    expect((await gw.query(query, undefined, await asUser('3'))).headers.get('x-tessera-cache')).toBe('MISS');
  });

  test('a query without private fields is shared by users with the same grants', async () => {
    const query = '{ user(id: 3) { id name } }';
    expect((await gw.query(query, undefined, await asUser('10', ['customer']))).headers.get('x-tessera-cache')).toBe('MISS');
    expect((await gw.query(query, undefined, await asUser('11', ['customer']))).headers.get('x-tessera-cache')).toBe('HIT');
  });

  test('createOrder invalidates the cached order lists: the new order shows at once', async () => {
    const list = 'query($u: ID) { orders(userId: $u, limit: 200) { id quantity } }';
    const before = await gw.query<{ orders: Array<{ id: string }> }>(list, { u: '4' });
    expect(before.body.errors).toBeUndefined();
    expect((await gw.query(list, { u: '4' })).headers.get('x-tessera-cache')).toBe('HIT');
    const created = await gw.query<{ createOrder: { id: string } }>(
      'mutation($input: OrderInput) { createOrder(input: $input) { id quantity } }',
      { input: { userId: '4', productId: '2', quantity: 3 } },
      await asUser('4', ['customer']),
    );
    expect(created.body.errors).toBeUndefined();
    expect(created.headers.get('x-tessera-cache')).toBeNull(); // mutations are never cached
    const after = await gw.query<{ orders: Array<{ id: string }> }>(list, { u: '4' });
    expect(after.headers.get('x-tessera-cache')).toBe('MISS');
    expect(after.body.data!.orders.map((o) => o.id)).toContain(created.body.data!.createOrder.id);
    expect(after.body.data!.orders).toHaveLength(before.body.data!.orders.length + 1);
    expect(await metricValue(gw, 'tessera_cache_invalidations_total')).toBeGreaterThan(0);
  });

  test('a mutation refused before its upstream (forbidden, bad input) invalidates nothing', async () => {
    const list = 'query($u: ID) { orders(userId: $u, limit: 200) { id quantity } }';
    await gw.query(list, { u: '5' });
    expect((await gw.query(list, { u: '5' })).headers.get('x-tessera-cache')).toBe('HIT');
    const mutation = 'mutation($input: OrderInput) { createOrder(input: $input) { id } }';
    const refused = [
      { headers: anonymous, quantity: 1, code: 'FORBIDDEN' },
      { headers: await asUser('5', ['customer']), quantity: 500, code: 'BAD_USER_INPUT' },
    ];
    for (const { headers, quantity, code } of refused) {
      const { body } = await gw.query(mutation, { input: { userId: '5', productId: '2', quantity } }, headers);
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual([code]);
      expect(body.extensions?.responseCache).toBeUndefined(); // no invalidatedEntities reported either
    }
    expect(gw.upstreamCalls().orders ?? 0).toBe(1); // the list's first read only: neither mutation reached the service
    const after = await gw.query(list, { u: '5' });
    expect(after.headers.get('x-tessera-cache')).toBe('HIT');
  });

  test('GET: public responses carry Cache-Control public + ETag, and If-None-Match gets 304', async () => {
    const query = '{ product(id: 3) { id title } }';
    const first = await getQuery(gw, query);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    // A CDN must key on what the gateway keys on (the language) and keep the anonymous answer from signed-in callers.
    expect(first.headers.get('vary')).toBe('Accept-Language, Authorization, x-api-key, Accept-Encoding');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const second = await getQuery(gw, query);
    expect(second.headers.get('x-tessera-cache')).toBe('HIT');
    expect(second.headers.get('etag')).toBe(etag);
    const notModified = await getQuery(gw, query, { 'if-none-match': etag! });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('vary')).toMatch(/^Accept-Language, Authorization, x-api-key/);
    expect(await notModified.text()).toBe('');
    const changed = await getQuery(gw, query, { 'if-none-match': '"something-else"' });
    expect(changed.status).toBe(200);
  });

  test('GET: a compressed reply carries its ETag weak (the bytes differ per encoding), and If-None-Match still gets 304', async () => {
    const query = '{ products(limit: 40, offset: 20) { id title price } }'; // over compression.minBytes; product 8 is another test's
    const gzipped = await getQuery(gw, query, { 'accept-encoding': 'gzip' });
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    const etag = gzipped.headers.get('etag');
    expect(etag).toMatch(/^W\/".+"$/);
    const plain = await getQuery(gw, query, { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('etag')).toBe(etag!.slice(2)); // the plain reply's own, strong
    const notModified = await getQuery(gw, query, { 'accept-encoding': 'gzip', 'if-none-match': etag! });
    expect(notModified.status).toBe(304);
  });

  test('GET: responses for signed-in callers carry Cache-Control private, even without private fields', async () => {
    const own = await getQuery(gw, '{ user(id: 5) { email } }', await asUser('5'));
    expect(own.status).toBe(200);
    expect(own.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    expect(own.headers.get('vary')).toBe('Accept-Language, Accept-Encoding');
    // Shared by the gateway among callers with the same roles, but a CDN keys on the URL alone.
    const shared = await getQuery(gw, '{ product(id: 9) { id } }', await asUser('5', ['admin']));
    expect(shared.headers.get('cache-control')).toMatch(/^private/);
  });

  test('/metrics counts hits and misses', async () => {
    const hits = await metricValue(gw, 'tessera_cache_hits_total');
    const misses = await metricValue(gw, 'tessera_cache_misses_total');
    await gw.query('{ product(id: 7) { id } }');
    await gw.query('{ product(id: 7) { id } }');
    expect(await metricValue(gw, 'tessera_cache_hits_total')).toBe(hits + 1);
    expect(await metricValue(gw, 'tessera_cache_misses_total')).toBe(misses + 1);
  });

  test('the admin purge endpoint removes entries by type, by entity, or all; only for admins', async () => {
    const query = '{ product(id: 8) { id title } }';
    const admin = await asUser('ops', ['admin']);
    await gw.query(query);
    expect((await gw.query(query)).headers.get('x-tessera-cache')).toBe('HIT');
    for (const headers of [anonymous, await asUser('8', ['customer']), { authorization: 'Bearer forged' }]) {
      const refused = await fetch(`${gw.base}/_tessera/cache/purge`, { method: 'POST', headers, body: JSON.stringify({ type: 'Product' }) });
      expect(refused.status).toBe(403);
    }
    expect((await gw.query(query)).headers.get('x-tessera-cache')).toBe('HIT');
    const byId = await fetch(`${gw.base}/_tessera/cache/purge`, { method: 'POST', headers: admin, body: JSON.stringify({ type: 'Product', id: '8' }) });
    expect(await byId.json()).toEqual({ purged: 1, scope: 'entity' });
    expect((await gw.query(query)).headers.get('x-tessera-cache')).toBe('MISS');
    // A type the schema lacks is a typo: refused with a suggestion, and the cache keeps its entries.
    const typo = await fetch(`${gw.base}/_tessera/cache/purge`, { method: 'POST', headers: admin, body: JSON.stringify({ type: 'Prodct' }) });
    expect(typo.status).toBe(400);
    expect(((await typo.json()) as { errors: Array<{ message: string }> }).errors[0].message).toBe('"type": Prodct is not a type of the schema (did you mean "Product"?); nothing was purged');
    expect((await gw.query(query)).headers.get('x-tessera-cache')).toBe('HIT');
    const all = await fetch(`${gw.base}/_tessera/cache/purge`, { method: 'POST', headers: admin });
    expect(all.status).toBe(200);
    expect(await all.json()).toEqual({ purged: 0, scope: 'all' }); // the whole cache went (not counted)
    expect((await gw.query(query)).headers.get('x-tessera-cache')).toBe('MISS');
    const bad = await fetch(`${gw.base}/_tessera/cache/purge`, { method: 'POST', headers: admin, body: JSON.stringify({ id: '8' }) });
    expect(bad.status).toBe(400);
    expect((await fetch(`${gw.base}/_tessera/cache/purge`, { headers: admin })).status).toBe(405);
  });
});

describe('response cache bounds and TTLs', () => {
  test('the in-memory store evicts the least recently used entry past maxEntries', async () => {
    const gw = await startCachedGateway({ maxEntries: 2 });
    try {
      const q = (id: number) => `{ product(id: ${id}) { id } }`;
      await gw.query(q(1));
      await gw.query(q(2));
      await gw.query(q(1)); // 1 is now more recent than 2
      await gw.query(q(3)); // evicts 2
      expect(await metricValue(gw, 'tessera_cache_evictions_total')).toBe(1);
      expect((await gw.query(q(1))).headers.get('x-tessera-cache')).toBe('HIT');
      expect((await gw.query(q(2))).headers.get('x-tessera-cache')).toBe('MISS');
    } finally {
      await gw.close();
    }
  });

  test('a TTL of 0 on a field makes every response holding it uncached', async () => {
    const gw = await startCachedGateway({ ttl: { 'Query.reviews': 0 } });
    try {
      await gw.query('{ reviews(productId: 1) { id } }');
      expect((await gw.query('{ reviews(productId: 1) { id } }')).headers.get('x-tessera-cache')).toBe('MISS');
      await gw.query('{ product(id: 1) { id } }');
      expect((await gw.query('{ product(id: 1) { id } }')).headers.get('x-tessera-cache')).toBe('HIT');
    } finally {
      await gw.close();
    }
  });

  test('exposeMetadata off (the production default): no extensions.responseCache, the header still tells', async () => {
    const gw = await startCachedGateway({ exposeMetadata: false });
    try {
      // A hit writes the stored JSON text out as it is: the bytes are those of the miss.
      const raw = async () => (await fetch(`${gw.base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ products(limit: 3) { id title price } }' }) })).text();
      const missText = await raw();
      const hitText = await raw();
      expect(hitText).toBe(missText);
      expect(JSON.parse(hitText).data.products).toHaveLength(3);

      const query = '{ product(id: 2) { id title } }';
      const first = await gw.query(query);
      expect(first.headers.get('x-tessera-cache')).toBe('MISS');
      const second = await gw.query(query);
      expect(second.headers.get('x-tessera-cache')).toBe('HIT');
      expect(second.body.data).toEqual(first.body.data);
      expect(first.body.extensions).toBeUndefined();
      expect(second.body.extensions).toBeUndefined();
      // A mutation's invalidation report is not shown either; its invalidation still happens.
      const list = 'query($u: ID) { orders(userId: $u, limit: 200) { id } }';
      await gw.query(list, { u: '5' });
      expect((await gw.query(list, { u: '5' })).headers.get('x-tessera-cache')).toBe('HIT');
      const created = await gw.query(
        'mutation($input: OrderInput) { createOrder(input: $input) { id } }',
        { input: { userId: '5', productId: '2', quantity: 1 } },
        await asUser('5', ['customer']),
      );
      expect(created.body.errors).toBeUndefined();
      expect(created.body.extensions).toBeUndefined();
      expect((await gw.query(list, { u: '5' })).headers.get('x-tessera-cache')).toBe('MISS');
    } finally {
      await gw.close();
    }
  });

  test('with the cache off, nothing is cached and no header is sent', async () => {
    const gw = await startCachedGateway({ enabled: false });
    try {
      await gw.query('{ product(id: 1) { id } }');
      gw.resetUpstreamCalls();
      const again = await gw.query('{ product(id: 1) { id } }');
      expect(again.headers.get('x-tessera-cache')).toBeNull();
      expect(gw.upstreamCalls().products).toBe(1);
    } finally {
      await gw.close();
    }
  });
});

describe('cache config checked against the composed schema', () => {
  test.each([
    [{ private: ['User.emial'] }, 'cache.private[0]: type User has no field "emial"'],
    [{ ttl: { Prodcut: 5 } }, 'cache.ttl["Prodcut"]: no type "Prodcut"'],
  ])('a typo is a start-up error naming the config path: %j', async (cache, message) => {
    await expect(startCachedGateway(cache)).rejects.toThrow(message);
  });
});

describe('the cache follows the authorization rules', () => {
  test('a field behind an owner rule is per user even when cache.private does not name it', async () => {
    const gw = await startCachedGateway({ private: [] });
    try {
      const query = '{ user(id: "1") { email } }';
      const own = await gw.query<{ user: { email: string | null } }>(query, undefined, await asUser('1', ['customer']));
      expect(own.body.data!.user.email).toMatch(/@/);
      // Same roles, another user: neither user 1's entry nor their email.
      const other = await gw.query<{ user: { email: string | null } }>(query, undefined, await asUser('2', ['customer']));
      expect(other.headers.get('x-tessera-cache')).toBe('MISS');
      expect(other.body.data!.user.email).toBeNull();
      expect(other.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    } finally {
      await gw.close();
    }
  });
});

describe('which mutation results invalidate', () => {
  const refusal = (key: string, code: string) => new GraphQLError('refused', { path: [key], extensions: { code } });
  test('only results whose every root field was refused before its upstream invalidate nothing', () => {
    expect(refusedBeforeUpstream({ data: { a: null }, errors: [refusal('a', 'FORBIDDEN')] })).toBe(true);
    expect(refusedBeforeUpstream({ data: { a: null, b: { id: 1 } }, errors: [refusal('a', 'RATE_LIMITED')] })).toBe(false);
    expect(refusedBeforeUpstream({ data: { a: null }, errors: [refusal('a', 'UPSTREAM_ERROR')] })).toBe(false);
    // A non-null root field refused: GraphQL nulls the whole data.
    expect(refusedBeforeUpstream({ data: null, errors: [refusal('a', 'BAD_USER_INPUT')] })).toBe(true);
    expect(refusedBeforeUpstream({ data: null, errors: [refusal('a', 'BAD_USER_INPUT'), new GraphQLError('deep', { path: ['b', 'id'] })] })).toBe(false);
    expect(refusedBeforeUpstream({ data: null, errors: [] })).toBe(false);
  });
});
