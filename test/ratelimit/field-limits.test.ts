import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RateLimitsConfig } from '../../gateway/config/schema';
import type { RunningGateway } from '../support/harness';
import { asUser } from '../support/identity';
import { SHARED_REDIS_URL, sharedRedisReachable, uniquePrefix } from '../cache/redis-support';
import { capturedLogger, metricLines, startLimitedGateway } from './support';

const CREATE_ORDER = 'mutation($input: OrderInput) { createOrder(input: $input) { id } }';
const order = (userId: string) => ({ input: { userId, productId: '2', quantity: 1 } });

const stores: Array<[string, () => Partial<RateLimitsConfig>]> = [['memory', () => ({})]];
if (sharedRedisReachable()) stores.push(['redis', () => ({ redisUrl: SHARED_REDIS_URL, keyPrefix: uniquePrefix('field-limits') })]);

describe.each(stores)('field limits (%s store)', (_name, store) => {
  const log = capturedLogger();
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startLimitedGateway(
      {
        ...store(),
        fields: {
          'Mutation.createOrder': { max: 2, window: '60s', per: 'user' },
          'Query.products': { max: 1, window: '30s', per: 'ip', message: '{{field}} is limited to {{max}} per {{window}} per {{per}}; come back in {{retryAfter}} s' },
        },
      },
      { logger: log.logger },
    );
  });
  afterAll(() => gw?.close());

  test('over the limit, the field is null with RATE_LIMITED, the limit and retryAfter; the other fields are served', async () => {
    const query = '{ products(limit: 2) { id } product(id: 1) { title } }';
    const first = await gw.query<{ products: unknown[]; product: { title: string } }>(query);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data!.products).toHaveLength(2);

    const second = await gw.query(query);
    expect(second.status).toBe(200);
    expect(second.body.data).toEqual({ products: null, product: first.body.data!.product });
    expect(second.body.errors).toEqual([
      {
        message: expect.stringMatching(/^Query\.products is limited to 1 per 30s per ip; come back in \d+ s$/),
        path: ['products'],
        locations: expect.any(Array),
        extensions: { code: 'RATE_LIMITED', limit: { name: 'Query.products', max: 1, window: '30s', per: 'ip' }, retryAfter: expect.any(Number) },
      },
    ]);
    const retryAfter = second.body.errors![0].extensions!.retryAfter as number;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(second.body.errors![0].message).toContain(`come back in ${retryAfter} s`);
  });

  test('per ip: a signed-in caller from the same address shares the count', async () => {
    const { body } = await gw.query('{ products(limit: 1) { id } }', undefined, await asUser('11', ['customer']));
    expect(body.data).toEqual({ products: null });
    expect(body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
  });

  test('a limited mutation makes no upstream call; another user has a count of their own', async () => {
    const customer = await asUser('3', ['customer']);
    for (let i = 0; i < 2; i++) {
      const allowed = await gw.query(CREATE_ORDER, order('3'), customer);
      expect(allowed.body.errors).toBeUndefined();
    }
    gw.resetUpstreamCalls();
    const refused = await gw.query(CREATE_ORDER, order('3'), customer);
    expect(refused.body.data).toEqual({ createOrder: null });
    expect(refused.body.errors).toEqual([
      expect.objectContaining({
        path: ['createOrder'],
        message: expect.stringMatching(/^Rate limit exceeded for Mutation\.createOrder: 2 requests per 60s per user; retry in \d+ s$/),
        extensions: { code: 'RATE_LIMITED', limit: { name: 'Mutation.createOrder', max: 2, window: '60s', per: 'user' }, retryAfter: expect.any(Number) },
      }),
    ]);
    expect(gw.upstreamCalls().total).toBe(0);

    const other = await gw.query(CREATE_ORDER, order('4'), await asUser('4', ['customer']));
    expect(other.body.errors).toBeUndefined();
    expect(gw.upstreamCalls().orders).toBe(1);
  });

  test('two aliases of one field count twice: the second is refused, the first is served', async () => {
    const customer = await asUser('5', ['customer']);
    await gw.query(CREATE_ORDER, order('5'), customer);
    gw.resetUpstreamCalls();
    const { body } = await gw.query(
      'mutation($input: OrderInput) { a: createOrder(input: $input) { id } b: createOrder(input: $input) { id } }',
      order('5'),
      customer,
    );
    expect(body.data).toEqual({ a: { id: expect.any(String) }, b: null });
    expect(body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['b'], 'RATE_LIMITED']]);
    expect(gw.upstreamCalls().orders).toBe(1);
  });

  test('a forbidden call does not spend the limit (authorization runs first)', async () => {
    const customer = await asUser('6', ['customer']);
    for (let i = 0; i < 3; i++) {
      const { body } = await gw.query(CREATE_ORDER, order('7'), customer); // another user's order: FORBIDDEN
      expect(body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect((await gw.query(CREATE_ORDER, order('6'), customer)).body.errors).toBeUndefined();
  });

  test('/metrics counts refusals by limit and client class; the log line names the limit', async () => {
    const lines = await metricLines(gw, 'tessera_rate_limited_total');
    expect(lines).toEqual(
      expect.arrayContaining([
        'tessera_rate_limited_total{kind="field",limit="Query.products",client_class="anonymous"} 1',
        'tessera_rate_limited_total{kind="field",limit="Query.products",client_class="user"} 1',
        'tessera_rate_limited_total{kind="field",limit="Mutation.createOrder",client_class="user"} 2',
      ]),
    );
    const refused = log.requestLines().filter((line) => line.rateLimited);
    expect(refused.map((line) => line.rateLimited)).toEqual([['Query.products'], ['Query.products'], ['Mutation.createOrder'], ['Mutation.createOrder']]);
    expect(refused[0]).toMatchObject({ status: 200, errorCodes: ['RATE_LIMITED'] });
  });
});

describe('field limits written as @rateLimit directives (schema-first)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-rate-'));
  const sdl = (body: string) => {
    const file = join(dir, `limits-${Math.random().toString(36).slice(2)}.graphql`);
    writeFileSync(file, body);
    return file;
  };

  test('apply to a field generated from OpenAPI', async () => {
    const directivesFile = sdl('extend type Query {\n  product(id: ID!): Product @rateLimit(max: 1, window: "1m", message: "slow down, {{id}}")\n}\n');
    const gw = await startLimitedGateway({ directivesFile });
    try {
      expect((await gw.query('{ product(id: 1) { id } }')).body.errors).toBeUndefined();
      const { body } = await gw.query('{ product(id: 2) { id } users(ids: [1]) { id } }');
      expect(body.data).toEqual({ product: null, users: [{ id: '1' }] });
      expect(body.errors?.[0]).toMatchObject({
        message: 'slow down, ip:127.0.0.1',
        path: ['product'],
        extensions: { code: 'RATE_LIMITED', limit: { name: 'Query.product', max: 1, window: '1m', per: 'user' } },
      });
    } finally {
      await gw.close();
    }
  });

  test('a directive on a field the schema lacks fails at start, with a suggestion', async () => {
    const directivesFile = sdl('type Query {\n  reviewz: [Review] @rateLimit(max: 1, window: "1m")\n}\n');
    await expect(startLimitedGateway({ directivesFile })).rejects.toThrow(/rateLimits\.directivesFile \(.*:2, Query\.reviewz\): Query has no field reviewz \(did you mean reviews\?\)/);
  });

  test("the library's arguments Tessera does not apply, and unknown message placeholders, are refused", async () => {
    const directivesFile = sdl('type Query {\n  product: Product @rateLimit(max: 1, identityArgs: ["id"])\n}\n');
    await expect(startLimitedGateway({ directivesFile })).rejects.toThrow(/@rateLimit\(identityArgs\) is not supported/);
    const badMessage = sdl('type Query {\n  product: Product @rateLimit(max: 1, message: "wait {{retry}} s")\n}\n');
    await expect(startLimitedGateway({ directivesFile: badMessage })).rejects.toThrow(/@rateLimit\(message:\) expected placeholders among \{\{field\}\}.*found \{\{retry\}\}/);
  });
});

test('a limit naming a field the composed schema lacks fails at start at its place, with a suggestion', async () => {
  await expect(startLimitedGateway({ fields: { 'Mutation.createOrdr': { max: 1, window: '1m', per: 'user' } } })).rejects.toThrow(
    'rateLimits.fields["Mutation.createOrdr"]: Mutation has no field createOrdr (did you mean createOrder?)',
  );
});

test('a field under a list counts once per request, not per item; over the limit every item has it null, the list stays', async () => {
  const gw = await startLimitedGateway({ fields: { 'Order.customer': { max: 1, window: '1m', per: 'user' } } });
  try {
    const query = '{ orders(limit: 3) { id customer { id } } }';
    const first = await gw.query<{ orders: Array<{ id: string; customer: { id: string } | null }> }>(query);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data!.orders.map((o) => o.customer)).toEqual([expect.any(Object), expect.any(Object), expect.any(Object)]);

    gw.resetUpstreamCalls();
    const second = await gw.query<{ orders: Array<{ id: string; customer: unknown }> }>(query);
    expect(second.body.data!.orders).toEqual(first.body.data!.orders.map((o) => ({ id: o.id, customer: null })));
    expect(second.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([0, 1, 2].map((i) => [['orders', i, 'customer'], 'RATE_LIMITED']));
    expect(gw.upstreamCalls()).toMatchObject({ orders: 1, users: 0 }); // the link's batch call was never made
  } finally {
    await gw.close();
  }
});
