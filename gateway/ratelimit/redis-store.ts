import { createHash } from 'node:crypto';
import { createClient } from '@redis/client';
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
 * Counters shared by every gateway instance on one Redis. Its own client rather than
 * gateway/redis/client.ts's lazy one: that one waits for a connection, while a limiter must answer
 * at once when Redis is away (no offline queue: a command fails immediately) so the request is
 * allowed or refused by `onStoreError` without waiting for Redis to return.
 */
export function createRedisStore({ url, keyPrefix, timeoutMs, onConnectionError }: RedisStoreOptions): RateLimitStore {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: timeoutMs, reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 2_000) },
  });
  client.on('error', onConnectionError);
  client.connect().catch(onConnectionError);
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
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const [count, ttlMs] = await Promise.race([run(`${keyPrefix}:${key}`, windowSeconds * 1000), timeout]);
        return decide(Number(count), max, Number(ttlMs));
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => {
      if (client.isOpen) client.destroy();
    },
  };
}
