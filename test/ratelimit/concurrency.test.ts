import type { RateLimitsConfig } from '../../gateway/config/schema';
import type { RunningGateway } from '../support/harness';
import { asUser } from '../support/identity';
import { SHARED_REDIS_URL, sharedRedisReachable, uniquePrefix } from '../cache/redis-support';
import { startLimitedGateway } from './support';

const describeWithRedis = sharedRedisReachable() ? describe : describe.skip;

const CREATE_ORDER = 'mutation($input: OrderInput) { createOrder(input: $input) { id } }';
const LIMIT = { max: 10, window: '1m' };

/** `count` createOrder requests by customer 9 at once; the number served. */
async function createOrders(gw: RunningGateway, count: number): Promise<number> {
  const customer = await asUser('9', ['customer']);
  const results = await Promise.all(
    Array.from({ length: count }, () => gw.query<{ createOrder: { id: string } | null }>(CREATE_ORDER, { input: { userId: '9', productId: '1', quantity: 1 } }, customer)),
  );
  for (const { body } of results) if (!body.data?.createOrder) expect(body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
  return results.filter(({ body }) => body.data?.createOrder).length;
}

/** `count` anonymous requests at once; their statuses. */
async function anonymousRequests(gw: RunningGateway, count: number): Promise<number[]> {
  const results = await Promise.all(Array.from({ length: count }, () => gw.query('{ product(id: 1) { id } }')));
  return results.map((result) => result.status);
}

const fieldAndQuota = (store: Partial<RateLimitsConfig>): Partial<RateLimitsConfig> => ({
  ...store,
  fields: { 'Mutation.createOrder': { ...LIMIT, per: 'user' } },
  quotas: { anonymous: LIMIT },
});

describeWithRedis('exact limits across two gateway instances sharing Redis', () => {
  let first: RunningGateway;
  let second: RunningGateway;
  beforeAll(async () => {
    // A count Redis does not answer within redisTimeoutMs is a store error, which the default
    // policy (allow) serves uncounted: on a loaded test machine 100 requests at once can wait longer
    // than the default 250 ms. Failing closed with a generous wait keeps this a test of exactness:
    // a store error would show as a 503, never as one more 200.
    const store = { redisUrl: SHARED_REDIS_URL, keyPrefix: uniquePrefix('concurrency'), redisTimeoutMs: 10_000, onStoreError: 'reject' as const };
    [first, second] = await Promise.all([startLimitedGateway(fieldAndQuota(store)), startLimitedGateway(fieldAndQuota(store))]);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  test('a field limit of 10: 50 concurrent mutations on each instance, exactly 10 served and 10 upstream calls in all', async () => {
    first.resetUpstreamCalls();
    second.resetUpstreamCalls();
    const [onFirst, onSecond] = await Promise.all([createOrders(first, 50), createOrders(second, 50)]);
    expect(onFirst + onSecond).toBe(10);
    expect(first.upstreamCalls().orders + second.upstreamCalls().orders).toBe(10);
  });

  test('a quota of 10: 50 concurrent requests on each instance, exactly 10 answered 200, 90 answered 429', async () => {
    const statuses = (await Promise.all([anonymousRequests(first, 50), anonymousRequests(second, 50)])).flat();
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(90);
  });
});

describe('exact limits within one instance, in memory', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startLimitedGateway(fieldAndQuota({}));
  });
  afterAll(() => gw?.close());

  test('a field limit of 10: 100 concurrent mutations, exactly 10 served and 10 upstream calls', async () => {
    gw.resetUpstreamCalls();
    expect(await createOrders(gw, 100)).toBe(10);
    expect(gw.upstreamCalls().orders).toBe(10);
  });

  test('a quota of 10: 100 concurrent requests, exactly 10 answered 200', async () => {
    const statuses = await anonymousRequests(gw, 100);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(90);
  });
});
