import { createHash } from 'node:crypto';
import { failFastRedisClient } from '../redis/client';
import { withTimeout } from '../shared/timeout';
import { decide, type RateLimitStore } from './store';

/**
 * Counts and expires in one step on the Redis server: scripts run atomically, so requests from any
 * number of gateway instances are counted one after another. A key left without an expiry (written
 * by hand, or by a crash between two commands of an older version) gets one instead of blocking
 * its client for ever.
 */
const HIT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;
const HIT_SHA = createHash('sha1').update(HIT).digest('hex');

export interface RedisStoreOptions {
  url: string;
  keyPrefix: string;
  /** Longest wait for one count; a slower one fails (and the configured store-error policy applies). */
  timeoutMs: number;
  /** Told about connection errors (refused, reset); the client reconnects by itself. */
  onConnectionError: (error: Error) => void;
}

/**
 * Counters shared by every gateway instance on one Redis. The fail-fast client, not the lazy one
 * of usage records: a limiter must answer at once when Redis is away, so the request is allowed or
 * refused by `onStoreError` without waiting for Redis to return.
 */
export function createRedisStore({ url, keyPrefix, timeoutMs, onConnectionError }: RedisStoreOptions): RateLimitStore {
  const client = failFastRedisClient({ url, connectTimeoutMs: timeoutMs, onConnectionError });
  // Counts wait for the first connection attempt to end (connected, or failed): failing them at
  // once, as later outages do, would serve a just-started gateway's first requests uncounted.
  let firstAttempt: Promise<void> | undefined = new Promise<void>((resolve) => {
    client.once('ready', resolve);
    client.once('error', () => resolve());
  }).then(() => {
    firstAttempt = undefined;
  });
  const run = async (key: string, windowMs: number): Promise<[number, number]> => {
    const options = { keys: [key], arguments: [String(windowMs)] };
    try {
      return (await client.evalSha(HIT_SHA, options)) as [number, number];
    } catch (error) {
      // The server does not hold the script yet (first use, or after a restart): send it whole once.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return (await client.eval(HIT, options)) as [number, number];
    }
  };
  return {
    kind: 'redis',
    async hit(key, max, windowSeconds) {
      const counted = (async () => {
        if (firstAttempt) await firstAttempt;
        return run(`${keyPrefix}:${key}`, windowSeconds * 1000);
      })();
      const [count, ttlMs] = await withTimeout(counted, timeoutMs, `Redis did not answer within ${timeoutMs} ms`);
      return decide(Number(count), max, Number(ttlMs));
    },
    close: async () => {
      if (client.isOpen) client.destroy();
    },
  };
}
