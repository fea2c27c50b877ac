import { Registry } from 'prom-client';
import { loadConfig } from '../config/load';
import { createCacheBackend, redisUrlOf } from '../cache/backends';
import { createCacheMetrics } from '../cache/metrics';
import { createResponseStore, type PurgeTarget } from '../cache/store';
import { PURGE_PATH } from '../cache/purge-endpoint';
import { composeGateway } from '../compose/compose';
import type { TesseraConfig } from '../config/schema';
import { closestName } from '../config/suggest';
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
    if (options.type !== undefined) await checkTypeName(options.type, config);
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

/**
 * A type the schema does not have is a typo (a purge of it finds nothing and says so only by its
 * count), refused with a suggestion as the admin endpoint refuses it. The CLI has no gateway to
 * ask, so it composes the config's sources; when they cannot be read it says so and purges anyway.
 */
async function checkTypeName(type: string, config: TesseraConfig): Promise<void> {
  let typeNames: string[];
  try {
    const { schema, close } = await composeGateway(config);
    await close();
    typeNames = Object.keys(schema.getTypeMap()).filter((name) => !name.startsWith('__'));
  } catch (error) {
    console.error(`tessera: warning: --type ${type} is not checked against the schema, which could not be composed: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  if (typeNames.includes(type)) return;
  const closest = closestName(type, typeNames);
  throw new StartupError(`--type ${type} is not a type of the schema${closest ? ` (did you mean "${closest}"?)` : ''}; nothing was purged`);
}
