import type { Plugin } from 'graphql-yoga';
import type { Registry } from 'prom-client';
import type { CacheConfig } from '../config/schema';
import { throttledWarning, type Logger } from '../observability/logger';
import type { UpstreamCall } from '../upstream/fetch';
import { createCacheBackend } from './backends';
import { createCacheMetrics } from './metrics';
import { useResponseCaching, type ResponseCachingOptions } from './plugin';
import { usePurgeEndpoint } from './purge-endpoint';
import { createResponseStore, type ResponseStore } from './store';
import type { GraphQLSchema } from 'graphql';
import { createUpstreamTtlBounds } from './upstream-ttl';

export interface ResponseCache {
  /** The cache plugin and the purge endpoint; none when the cache is off. */
  plugins: Plugin[];
  /** Feeds upstream Cache-Control headers to the TTL rules. */
  observeUpstream(call: UpstreamCall, context: unknown): void;
  close(): Promise<void>;
}

export interface ResponseCacheOptions {
  registry: Registry;
  logger: Logger;
  /** Whether a request may purge through the admin endpoint. */
  authorizePurge: (request: Request) => Promise<boolean>;
  /** Private coordinates of the schema a request runs on (default `cache.private`): they follow reloads. */
  privateFor?: (schema: GraphQLSchema) => readonly string[];
  /** Request headers that carry credentials: public answers vary on them. */
  credentialHeaders?: readonly string[];
  /** Type names of the schema served now, to refuse a purge of a type that does not exist. */
  typeNames?: () => string[];
  env?: NodeJS.ProcessEnv;
  /** Answer repeated anonymous queries before execution (see early-hits.ts). */
  early?: ResponseCachingOptions['early'];
}

/** The response cache as the gateway wires it: store, metrics, plugin and purge endpoint. */
export function createResponseCache(config: CacheConfig, options: ResponseCacheOptions): ResponseCache {
  if (!config.enabled) return { plugins: [], observeUpstream: () => {}, close: async () => {} };
  const metrics = createCacheMetrics(options.registry);
  const warn = throttledWarning(options.logger);
  const backend = createCacheBackend(config, options.env ?? process.env, {
    onEvict: metrics.evicted,
    onConnectionError: (error) => warn('connection', `cache: Redis unreachable, answering uncached until it is back (${error.message})`),
  });
  const store: ResponseStore = createResponseStore(backend, {
    timeoutMs: config.redisTimeoutMs,
    metrics,
    onError: (operation, error) =>
      warn(operation, `cache: ${backend.kind} ${operation} failed, answering uncached (${error instanceof Error ? error.message : String(error)})`),
  });
  const upstreamBounds = createUpstreamTtlBounds();
  options.logger.info({ store: backend.kind }, `response cache on (${backend.kind})`);
  return {
    plugins: [
      usePurgeEndpoint({ store, authorize: options.authorizePurge, typeNames: options.typeNames }),
      useResponseCaching({ config, store, metrics, upstreamBounds, privateFor: options.privateFor, credentialHeaders: options.credentialHeaders, early: options.early }),
    ],
    observeUpstream: upstreamBounds.observe,
    close: () => store.close(),
  };
}
