import type { CacheConfig } from '../config/schema';
import type { CacheBackend } from './backend';
import { createMemoryBackend } from './memory';
/* eslint-disable @typescript-eslint/no-require-imports -- see createCacheBackend */

export interface BackendHooks {
  onEvict: () => void;
  onConnectionError: (error: Error) => void;
}

/** The Redis URL the cache (and the rate limiter) uses: the config's, else REDIS_URL; undefined means in-memory. */
export function redisUrlOf(config: Pick<CacheConfig, 'redisUrl'>, env: NodeJS.ProcessEnv): string | undefined {
  return config.redisUrl ?? (env.REDIS_URL || undefined);
}

/** Redis when one is named (shared by every instance), else a bounded in-memory LRU. */
export function createCacheBackend(config: CacheConfig, env: NodeJS.ProcessEnv, hooks: BackendHooks): CacheBackend {
  const url = redisUrlOf(config, env);
  if (url === undefined) return createMemoryBackend({ maxEntries: config.maxEntries, maxBytes: config.maxBytes, onEvict: hooks.onEvict });
  // Loaded only when used: the Redis clients cost every start ~90 ms of module loading.
  const { createRedisBackend } = require('./redis') as typeof import('./redis');
  return createRedisBackend({ url, keyPrefix: config.keyPrefix, timeoutMs: config.redisTimeoutMs, onConnectionError: hooks.onConnectionError });
}
