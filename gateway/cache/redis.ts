import Keyv from 'keyv';
import KeyvRedis from '@keyv/redis';
import { failFastRedisClient } from '../redis/client';
import { plainJson, type CacheBackend, type TagIndex } from './backend';

export interface RedisBackendOptions {
  url: string;
  /** Every key the cache writes starts with it (a namespace per deployment, or per test run). */
  keyPrefix: string;
  /** Connect timeout; each operation's wait is bounded by the cache itself. */
  timeoutMs: number;
  /** Told about connection errors (refused, reset); the client reconnects by itself. */
  onConnectionError: (error: Error) => void;
}

/** One node-redis client: Keyv's adapter and the tag index share its connection. */
type RedisClient = ReturnType<typeof failFastRedisClient>;

/**
 * A cache shared by every gateway instance on one Redis: entries through Keyv's Redis adapter,
 * tags as Redis sets. While Redis is away a command fails at once (failFastRedisClient): the cache
 * then answers "miss" and the gateway runs queries uncached.
 */
export function createRedisBackend({ url, keyPrefix, timeoutMs, onConnectionError }: RedisBackendOptions): CacheBackend {
  const client: RedisClient = failFastRedisClient({ url, connectTimeoutMs: timeoutMs, onConnectionError });
  // Keyv hands its own namespace to the store (overriding the store's): set it on Keyv, or every
  // deployment's entries land under the shared default `keyv::`.
  const namespace = `${keyPrefix}:entry`;
  const store = new KeyvRedis(client, { namespace, throwOnErrors: true, throwOnConnectError: true });
  const entries = new Keyv({ store, namespace, useKeyPrefix: false, throwOnErrors: true, ...plainJson });
  // Failures reach the caller as rejections (throwOnErrors); the events would only repeat them.
  entries.on('error', () => {});
  return {
    kind: 'redis',
    entries,
    tags: new RedisTagIndex(client, `${keyPrefix}:tag:`),
    // Stops reconnecting too; pending writes to a cache may be dropped.
    close: async () => {
      if (client.isOpen) client.destroy();
    },
  };
}

class RedisTagIndex implements TagIndex {
  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
  ) {}

  async add(key: string, tags: string[], ttlMs: number): Promise<void> {
    const multi = this.client.multi();
    for (const tag of tags) {
      multi.sAdd(this.prefix + tag, key);
      // A tag outlives none of its entries for long: it expires with the longest-lived one.
      multi.pExpire(this.prefix + tag, ttlMs, 'GT');
      multi.pExpire(this.prefix + tag, ttlMs, 'NX');
    }
    await multi.exec();
  }

  async take(tags: string[]): Promise<string[]> {
    if (tags.length === 0) return [];
    const multi = this.client.multi();
    for (const tag of tags) multi.sMembers(this.prefix + tag);
    multi.del(tags.map((tag) => this.prefix + tag));
    const replies = await multi.exec();
    const keys = new Set<string>();
    for (const reply of replies.slice(0, tags.length)) for (const key of reply as unknown as string[]) keys.add(key);
    return [...keys];
  }

  async clear(): Promise<void> {
    for await (const keys of this.client.scanIterator({ MATCH: `${this.prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) await this.client.del(keys);
    }
  }
}
