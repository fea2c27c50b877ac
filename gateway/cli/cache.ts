import { Registry } from 'prom-client';
import { loadConfig } from '../config/load';
import { createCacheBackend, redisUrlOf } from '../cache/backends';
import { createCacheMetrics } from '../cache/metrics';
import { createResponseStore, type PurgeTarget } from '../cache/store';
import { PURGE_PATH } from '../cache/purge-endpoint';
import { StartupError, reportFatal } from './report';

export interface CachePurgeOptions extends PurgeTarget {
  config: string;
}

/**
 * `tessera cache purge [--type T] [--id X]`: removes entries straight from the shared Redis store,
 * so every gateway instance sees the purge. An in-memory cache lives inside each gateway process;
 * the CLI cannot reach it and points at the admin endpoint instead.
 */
export async function runCachePurge(options: CachePurgeOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    if (options.id !== undefined && options.type === undefined) throw new StartupError('--id needs --type (e.g. --type Order --id 12)');
    const { config } = loadConfig(options.config, { env });
    if (redisUrlOf(config.cache, env) === undefined) {
      throw new StartupError(
        `the cache of ${options.config} is in memory, inside each gateway process: set cache.redisUrl (or REDIS_URL) to share it, or POST ${PURGE_PATH} on each instance`,
      );
    }
    const backend = createCacheBackend(config.cache, env, { onEvict: () => {}, onConnectionError: () => {} });
    const store = createResponseStore(backend, { timeoutMs: config.cache.redisTimeoutMs, metrics: createCacheMetrics(new Registry()), onError: () => {} });
    try {
      const purged = await store.purge({ type: options.type, id: options.id });
      const what = options.type === undefined ? 'every entry' : options.id === undefined ? `entries holding ${options.type}` : `entries holding ${options.type}:${options.id}`;
      console.log(`tessera: purged ${what}${options.type === undefined ? '' : ` (${purged})`}`);
    } catch (error) {
      throw new StartupError(`cannot purge the cache: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await store.close();
    }
  } catch (error) {
    reportFatal(error, options.config);
  }
}
