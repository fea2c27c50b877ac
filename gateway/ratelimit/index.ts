import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Authenticator } from '../auth/authenticate';
import type { Registry } from 'prom-client';
import { redisUrlOf } from '../cache/backends';
import type { ComposedGateway } from '../compose/compose';
import type { TesseraConfig } from '../config/schema';
import { throttledWarning, type Logger } from '../observability/logger';
import { createClientIdentity } from './client-identity';
import { checkLimitTargets, fieldLimitsOf, limitFields } from './field-limits';
import { createLimiter } from './limiter';
import { createMemoryStore } from './memory-store';
import { createRateLimitMetrics } from './metrics';
import { useClientQuota } from './quota';
import type { RateLimitStore } from './store';
/* eslint-disable @typescript-eslint/no-require-imports -- see createStore */

export interface RateLimits {
  /** The client quota (429 and RateLimit-* headers); no hooks when there is no quota. */
  plugin: Plugin;
  /**
   * One composition's schema with its field limits applied (its config's `rateLimits.fields` and
   * directives file, checked against the schema; the limits of a source left out wait for it).
   */
  limitSchema(composed: Pick<ComposedGateway, 'schema' | 'degraded'>, config: TesseraConfig): GraphQLSchema;
  close(): Promise<void>;
}

export interface RateLimitsOptions {
  registry: Registry;
  /** The gateway's authenticator: quotas count each caller before useAuthentication runs. */
  authenticate: Authenticator;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

/**
 * Rate limiting as the gateway wires it. Built on @envelop/rate-limiter where it serves (its
 * `@rateLimit` directive definition and window syntax); its plugin, message templates and stores
 * are replaced, for the reasons given in field-limits.ts, errors.ts and store.ts. The store and
 * `server.trustedProxies` are read once at start; the limits themselves follow each composition.
 */
export function createRateLimits(config: TesseraConfig, options: RateLimitsOptions): RateLimits {
  const settings = config.rateLimits;
  if (!settings.enabled) return { plugin: {}, limitSchema: ({ schema }) => schema, close: async () => {} };
  const store = lazyStore(() => createStore(config, options));
  if (settings.quotas.authenticated || settings.quotas.anonymous) store.open();
  const check = createLimiter({ store, onStoreError: settings.onStoreError, metrics: createRateLimitMetrics(options.registry), logger: options.logger });
  const clientOf = createClientIdentity(config.server.trustedProxies);
  let waiting = new Set<string>();
  return {
    plugin: useClientQuota({ quotas: settings.quotas, check, clientOf, authenticate: options.authenticate }),
    limitSchema({ schema, degraded }, current) {
      const skipping = degraded.some((source) => source.how === 'skipped');
      const nowWaiting = new Set<string>();
      const waits = (limit: { name: string }) => {
        // Told once, not again on every poll that recomposes while the source stays down.
        if (!waiting.has(limit.name)) options.logger.warn(`rateLimits: the limit of ${limit.name} waits for its source, left out while it is down`);
        nowWaiting.add(limit.name);
      };
      const limits = checkLimitTargets(fieldLimitsOf(current.rateLimits), schema, skipping ? waits : undefined);
      waiting = nowWaiting;
      if (limits.length > 0) store.open();
      return limitFields(schema, limits, check, clientOf);
    },
    close: () => store.close(),
  };
}

/**
 * The store is made once some limit exists (`open`, or the first count): a deployment whose
 * REDIS_URL is meant for the cache opens no second Redis connection for limits it does not
 * configure, and a reload that adds field limits later still gets one, connected before it counts.
 */
function lazyStore(make: () => RateLimitStore): RateLimitStore & { open(): void } {
  let store: RateLimitStore | undefined;
  const made = () => (store ??= make());
  return {
    get kind() {
      return made().kind;
    },
    open: () => void made(),
    hit: (key, max, windowSeconds) => made().hit(key, max, windowSeconds),
    close: async () => store?.close(),
  };
}

/** Redis when one is named (`rateLimits.redisUrl`, else REDIS_URL: the cache's rule), else memory. */
function createStore(config: TesseraConfig, options: RateLimitsOptions): RateLimitStore {
  const url = redisUrlOf(config.rateLimits, options.env ?? process.env);
  if (url === undefined) return createMemoryStore();
  const warn = throttledWarning(options.logger);
  // Loaded only when used, like the cache's Redis backend: the client costs every start module loading.
  const { createRedisStore } = require('./redis-store') as typeof import('./redis-store');
  options.logger.info({ store: 'redis' }, 'rate limits counted in Redis');
  const { keyPrefix, redisTimeoutMs, onStoreError } = config.rateLimits;
  return createRedisStore({
    url,
    keyPrefix,
    timeoutMs: redisTimeoutMs,
    onConnectionError: (error) => warn('connection', `rate limits: Redis unreachable (${error.message}); onStoreError "${onStoreError}" applies until it is back`),
  });
}
