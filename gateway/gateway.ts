import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import type { TesseraConfig } from './config/schema';
import { createAuthenticator, isAdmin, useAuthentication, type Authenticator } from './auth/authenticate';
import { useAuthorization } from './auth/authorize';
import { subjectBoundCoordinates } from './auth/rules';
import { createResponseCache } from './cache';
import { checkCacheCoordinates } from './cache/check';
import { composeGateway } from './compose/compose';
import { formatWarning, type CompositionWarning } from './compose/warnings';
import { createLogger, toYogaLogger, type Logger } from './observability/logger';
import { createMetrics, type GatewayMetrics } from './observability/metrics';
import { useRequestObservability } from './observability/request-log';
import { EXAMPLE_TABS } from './server/example-queries';
import { renderLocalGraphiQL, useGraphiQLAssets } from './server/graphiql';
import { useHealthEndpoints } from './server/health';
import { useMetricsEndpoint } from './server/metrics-endpoint';
import { useHardening } from './security/hardening';
import { useOperationLimits } from './security/limits';
import { maskUnexpectedErrors } from './security/mask-errors';
import { useUsageRecording } from './usage/record';

export interface Gateway {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- yoga's own defaults: no server or user context
  yoga: YogaServerInstance<{}, {}>;
  schema: GraphQLSchema;
  warnings: CompositionWarning[];
  metrics: GatewayMetrics;
  logger: Logger;
  /** Who sent an HTTP request (for admin endpoints outside GraphQL); throws AuthenticationError. */
  authenticate: Authenticator;
  /** Releases upstream connections; call after the HTTP server stopped. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  logger?: Logger;
  /** Environment for settings read from it (REDIS_URL); process.env by default. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The composition root: one config in, one yoga server out. The plugin list below is the whole
 * request path, in order; each capability lives in its own folder and only meets the others here.
 */
export async function createGateway(config: TesseraConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config.logging);
  const metrics = createMetrics();
  const observability = useRequestObservability(logger, metrics);
  const authenticate = createAuthenticator(config.auth);
  // Fields behind owner rules answer differently per caller: the cache must key them by caller.
  const cacheConfig = { ...config.cache, private: [...new Set([...config.cache.private, ...subjectBoundCoordinates(config.auth.rules)])] };
  const cache = createResponseCache(cacheConfig, { registry: metrics.registry, logger, authorizePurge: isAdmin(authenticate), env: options.env });

  const composed = await composeGateway(config, {
    observe: (call, context) => {
      observability.observeUpstream(call, context);
      cache.observeUpstream(call, context);
    },
    onWarning: (warning) => logger.warn(formatWarning(warning)),
  }).catch(async (error: unknown) => {
    await cache.close();
    throw error;
  });
  const { schema, warnings } = composed;
  const close = async () => {
    await Promise.all([composed.close(), cache.close()]);
  };
  try {
    if (cacheConfig.enabled) checkCacheCoordinates(cacheConfig, schema);
  } catch (error) {
    await close();
    throw error;
  }

  const { graphqlPath } = config.server;
  const yoga = createYoga({
    schema,
    graphqlEndpoint: graphqlPath,
    landingPage: false,
    maskedErrors: maskUnexpectedErrors(config.server.maskErrors),
    cors: { origin: config.server.cors.origins, credentials: config.server.cors.credentials, maxAge: config.server.cors.maxAgeSeconds },
    // Any batch length passes yoga's own check (which answers 413 without saying how many were
    // sent); useOperationLimits enforces limits.maxBatchOperations with a 400 that does.
    batching: { limit: Number.MAX_SAFE_INTEGER },
    logging: toYogaLogger(logger),
    graphiql: config.server.graphiql ? { title: 'Tessera', defaultTabs: EXAMPLE_TABS } : false,
    renderGraphiQL: renderLocalGraphiQL(graphqlPath),
    plugins: [
      useHealthEndpoints(config.sources), // /healthz, /readyz
      useMetricsEndpoint(metrics.registry), // /metrics
      ...(config.server.graphiql ? [useGraphiQLAssets(graphqlPath)] : []), // GraphiQL's scripts and styles, no CDN
      observability.plugin, // per request: one log line, duration histogram, upstream call count
      useHardening(config.server), // production: no introspection or suggestions, CSRF prevention
      useOperationLimits(config.limits), // size, batch, tokens, depth, aliases, directives, cost → 400
      useAuthentication(authenticate), // bearer JWT or API key → context.identity, else 401
      useAuthorization(config.auth), // graphql-shield rules → FORBIDDEN fields, before any resolver runs
      // After authorization: both wrap the schema's resolvers, and the cache's wrapping must be outermost.
      ...cache.plugins, // POST /_tessera/cache/purge; whole responses keyed by identity, grants and private fields
      ...(config.usage.record ? [useUsageRecording(config.usage, logger)] : []), // operations served, for `tessera check --usage`
    ],
  });
  const closeGateway = async () => {
    await yoga.dispose(); // the plugins' onDispose: the usage record's last flush
    await close();
  };
  return { yoga, schema, warnings, metrics, logger, authenticate, close: closeGateway };
}
