import { createRedisStore } from '../../gateway/ratelimit/redis-store';
import { SHARED_REDIS_URL, freePort, sharedRedisReachable, uniquePrefix } from '../cache/redis-support';

const describeWithRedis = sharedRedisReachable() ? describe : describe.skip;

describeWithRedis('the Redis store', () => {
  test('a count made the moment the store exists waits for the connection instead of failing: a fresh gateway counts its first requests', async () => {
    const errors: Error[] = [];
    const store = createRedisStore({ url: SHARED_REDIS_URL, keyPrefix: uniquePrefix('first'), timeoutMs: 5_000, onConnectionError: (error) => errors.push(error) });
    try {
      // No await between creating the store and counting: the client is still connecting.
      const [first, second] = await Promise.all([store.hit('k', 1, 60), store.hit('k', 1, 60)]);
      expect([first.allowed, second.allowed].sort()).toEqual([false, true]);
      expect(errors).toEqual([]);
    } finally {
      await store.close();
    }
  });

  test('with Redis unreachable from the start, counts fail once the first attempt failed (the store-error policy applies)', async () => {
    const store = createRedisStore({ url: `redis://127.0.0.1:${await freePort()}`, keyPrefix: uniquePrefix('down'), timeoutMs: 5_000, onConnectionError: () => {} });
    try {
      await expect(store.hit('k', 1, 60)).rejects.toThrow();
      await expect(store.hit('k', 1, 60)).rejects.toThrow();
    } finally {
      await store.close();
    }
  });
});
