import { asUser } from '../support/identity';
import type { RunningGateway } from '../support/harness';
import { OwnRedis, freePort, uniquePrefix } from '../cache/redis-support';
import { capturedLogger, metricLines, startLimitedGateway } from './support';

const CREATE_ORDER = 'mutation($input: OrderInput) { createOrder(input: $input) { id } }';
const createOrder = async (gw: RunningGateway) =>
  gw.query<{ createOrder: { id: string } | null }>(CREATE_ORDER, { input: { userId: '2', productId: '1', quantity: 1 } }, await asUser('2', ['customer']));

const limits = (redisUrl: string, onStoreError: 'allow' | 'reject') => ({
  redisUrl,
  keyPrefix: uniquePrefix('outage'),
  onStoreError,
  fields: { 'Mutation.createOrder': { max: 1, window: '1m', per: 'user' as const } },
  quotas: { anonymous: { max: 1, window: '1m' }, authenticated: { max: 100, window: '1m' } },
});

describe('Redis unreachable', () => {
  test('onStoreError allow (fail open): served past the limits, with a warning and a metric', async () => {
    const log = capturedLogger();
    const gw = await startLimitedGateway(limits(`redis://127.0.0.1:${await freePort()}`, 'allow'), { logger: log.logger });
    try {
      for (let i = 0; i < 3; i++) {
        const anonymous = await gw.query('{ product(id: 1) { id } }');
        expect([anonymous.status, anonymous.body.errors]).toEqual([200, undefined]);
        expect(anonymous.headers.get('ratelimit-limit')).toBeNull(); // nothing was counted
        expect((await createOrder(gw)).body.errors).toBeUndefined();
      }
      expect(await metricLines(gw, 'tessera_rate_limit_store_errors_total')).toEqual(['tessera_rate_limit_store_errors_total{policy="allow"} 9']);
      expect(log.lines.some((line) => line.level === 40 && /rate limits: the redis store cannot count .*serving requests unlimited/.test(String(line.msg)))).toBe(true);
    } finally {
      await gw.close();
    }
  });

  test('onStoreError reject (fail closed): 503 RATE_LIMIT_UNAVAILABLE for a quota, before anything runs', async () => {
    const gw = await startLimitedGateway(limits(`redis://127.0.0.1:${await freePort()}`, 'reject'));
    try {
      const anonymous = await gw.query('{ product(id: 1) { id } }');
      expect(anonymous.status).toBe(503);
      expect(anonymous.body.errors).toEqual([
        expect.objectContaining({
          message: expect.stringContaining('Rate limit quota.anonymous could not be checked (the rate-limit store is unreachable)'),
          extensions: expect.objectContaining({ code: 'RATE_LIMIT_UNAVAILABLE' }),
        }),
      ]);
      gw.resetUpstreamCalls();
      // The authenticated quota cannot be counted either: the request is refused before the field.
      expect((await createOrder(gw)).status).toBe(503);
      expect(gw.upstreamCalls().total).toBe(0);
      expect(await metricLines(gw, 'tessera_rate_limit_store_errors_total')).toEqual(['tessera_rate_limit_store_errors_total{policy="reject"} 2']);
    } finally {
      await gw.close();
    }
  });

  test('fail closed without a quota: the limited field is null with RATE_LIMIT_UNAVAILABLE, no upstream call', async () => {
    const gw = await startLimitedGateway({ ...limits(`redis://127.0.0.1:${await freePort()}`, 'reject'), quotas: {} });
    try {
      gw.resetUpstreamCalls();
      const { status, body } = await createOrder(gw);
      expect(status).toBe(200);
      expect(body.data).toEqual({ createOrder: null });
      expect(body.errors?.[0]).toMatchObject({ path: ['createOrder'], extensions: { code: 'RATE_LIMIT_UNAVAILABLE' } });
      expect(gw.upstreamCalls().total).toBe(0);
    } finally {
      await gw.close();
    }
  });

  test('Redis going away and coming back: fail open while it is away, exact counting again after', async () => {
    const redis = new OwnRedis(await freePort());
    await redis.start();
    const gw = await startLimitedGateway({ ...limits(redis.url, 'allow'), fields: {} });
    try {
      expect((await gw.query('{ product(id: 1) { id } }')).status).toBe(200);
      expect((await gw.query('{ product(id: 1) { id } }')).status).toBe(429);
      await redis.stop();
      expect((await gw.query('{ product(id: 1) { id } }')).status).toBe(200); // the count was lost with Redis: allowed
      await redis.start();
      // The client reconnects on its own (backoff up to 2 s); until then requests are still allowed.
      let status = 200;
      for (let i = 0; i < 100 && status === 200; i++) {
        status = (await gw.query('{ product(id: 1) { id } }')).status;
        if (status === 200) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(status).toBe(429);
    } finally {
      await gw.close();
      await redis.stop();
    }
  });
});

describe('Redis only when something is limited', () => {
  test('no quota and no field limit: no Redis connection is opened, even with a Redis URL configured', async () => {
    const log = capturedLogger();
    // Nothing listens on this port: a connection attempt would log "rate limits counted in Redis" and warn.
    const gw = await startLimitedGateway({ redisUrl: `redis://127.0.0.1:${await freePort()}`, keyPrefix: uniquePrefix('idle'), fields: {}, quotas: {} }, { logger: log.logger });
    try {
      expect((await gw.query('{ product(id: 1) { id } }')).status).toBe(200);
      expect(log.lines.filter((line) => /rate limits/.test(String(line.msg)))).toEqual([]);
    } finally {
      await gw.close();
    }
  });
});
