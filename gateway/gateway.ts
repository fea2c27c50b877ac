import { createHash } from 'node:crypto';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import type { TesseraConfig } from './config/schema';
import { createAuthenticator, isAdmin, useAuthentication, type Authenticator } from './auth/authenticate';
import { useAuthorization } from './auth/authorize';
import { subjectBoundCoordinates } from './auth/rules';
import { createResponseCache } from './cache';
import { checkCacheCoordinates } from './cache/check';
import { composeGateway } from './compose/compose';
import { printComposedSchema } from './compose/print';
import { formatWarning, type CompositionWarning } from './compose/warnings';
import { localFigures, type FiguresSource } from './observability/figures';
import { createLogger, toYogaLogger, type Logger } from './observability/logger';
import { createMetrics, type GatewayMetrics } from './observability/metrics';
import { useRequestObservability } from './observability/request-log';
import { createTracing } from './observability/tracing';
import { createUsageStats, type UsageStats } from './observability/usage';
import { useHardening } from './security/hardening';
import { useOperationLimits } from './security/limits';
import { maskUnexpectedErrors } from './security/mask-errors';
import { useAdminPort } from './server/admin-port';
import { EXAMPLE_TABS } from './server/example-queries';
import { renderLocalGraphiQL, useGraphiQLAssets } from './server/graphiql';
import { useHealthEndpoints } from './server/health';
import { useMetricsEndpoint } from './server/metrics-endpoint';
import { defaultInstanceId, useStatusPage } from './server/status-page/status-page';
import type { GatewayStatus } from './upstream/status';
import { useUsageRecording } from './usage/record';

export interface Gateway {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- yoga's own defaults: no server or user context
  yoga: YogaServerInstance<{}, {}>;
  schema: GraphQLSchema;
  warnings: CompositionWarning[];
  metrics: GatewayMetrics;
  usage: UsageStats;
  status: GatewayStatus;
  /** Names this process among several gateways (status page, logs, traces). */
  instanceId: string;
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
  /** Default: TESSERA_INSTANCE_ID, else host name and pid. */
  instanceId?: string;
  /** What /metrics and /_tessera/usage publish; default this process's own figures (a cluster worker's add up all workers). */
  figures?: FiguresSource;
}

/**
 * The composition root: one config in, one yoga server out. The plugin list below is the whole
 * request path, in order; each capability lives in its own folder and only meets the others here.
 */
export async function createGateway(config: TesseraConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config.logging);
  const instanceId = options.instanceId ?? defaultInstanceId();
  const metrics = createMetrics();
  const usage = createUsageStats(config.telemetry.usage);
  const tracing = createTracing(config.telemetry.tracing, { linkFields: Object.keys(config.links), instanceId });
  const figures = (options.figures ?? localFigures)({ registry: metrics.registry, usage });
  const observability = useRequestObservability({ logger, metrics, usage, traceIdOf: tracing.traceIdOf });
  const authenticate = createAuthenticator(config.auth);
  const adminOnly = isAdmin(authenticate);
  // Fields behind owner rules answer differently per caller: the cache must key them by caller.
  const cacheConfig = { ...config.cache, private: [...new Set([...config.cache.private, ...subjectBoundCoordinates(config.auth.rules)])] };
  const cache = createResponseCache(cacheConfig, { registry: metrics.registry, logger, authorizePurge: adminOnly, env: options.env });

  const composed = await composeGateway(config, {
    observe: (call, context) => {
      observability.observeUpstream(call, context);
      cache.observeUpstream(call, context);
    },
    trace: tracing.traceUpstream,
    onWarning: (warning) => logger.warn(formatWarning(warning)),
  }).catch(async (error: unknown) => {
    await cache.close();
    throw error;
  });
  const { schema, warnings } = composed;
  const release = async () => {
    await Promise.all([composed.close(), cache.close(), tracing.shutdown()]);
  };
  try {
    if (cacheConfig.enabled) checkCacheCoordinates(cacheConfig, schema);
  } catch (error) {
    await release();
    throw error;
  }
  const status = staticStatus(config, schema);

  const { graphqlPath } = config.server;
  const yoga = createYoga({
    schema: tracing.instrument(schema), // resolvers that reach upstreams get spans (unchanged when tracing is off)
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
      useAdminPort(config.server.adminPort !== undefined), // operators' endpoints on the admin port only, when there is one
      useHealthEndpoints(config.sources), // /healthz, /readyz
      useMetricsEndpoint(figures.metrics), // /metrics
      ...(config.telemetry.statusPage ? [useStatusPage({ usage: figures.usage, status, instanceId, authorize: adminWhenAuthOn(config, adminOnly) })] : []), // /_tessera, /_tessera/usage
      ...(config.server.graphiql ? [useGraphiQLAssets(graphqlPath)] : []), // GraphiQL's scripts and styles, no CDN
      tracing.plugin, // spans: request, parse, validate, execute (no hooks when tracing is off)
      observability.plugin, // per request: one log line, request metrics, usage figures
      useHardening(config.server), // production: no introspection or suggestions, CSRF prevention
      useOperationLimits(config.limits), // size, batch, tokens, depth, aliases, directives, cost → 400
      useAuthentication(authenticate), // bearer JWT or API key → context.identity, else 401
      useAuthorization(config.auth), // graphql-shield rules → FORBIDDEN fields, before any resolver runs
      // After authorization: both wrap the schema's resolvers, and the cache's wrapping must be outermost.
      ...cache.plugins, // POST /_tessera/cache/purge; whole responses keyed by identity, grants and private fields
      ...(config.usage.record ? [useUsageRecording(config.usage, logger)] : []), // operations served, for `tessera check --usage`
    ],
  });
  const close = async () => {
    await yoga.dispose(); // the plugins' onDispose: the usage record's last flush
    await release();
  };
  return { yoga, schema, warnings, metrics, usage, status, instanceId, logger, authenticate, close };
}

/**
 * The usage figures are for admins once callers authenticate at all (a JWT or API keys configured);
 * on a separate admin port, or without authentication, the network is what protects them.
 */
function adminWhenAuthOn(config: TesseraConfig, adminOnly: (request: Request) => Promise<boolean>) {
  const authOn = config.auth.jwt !== undefined || config.auth.apiKeys.keys.length > 0;
  return authOn && config.server.adminPort === undefined ? adminOnly : async () => true;
}

/**
 * STAND-IN until the upstream pools (branch issue-6) provide the real GatewayStatus: one instance
 * per configured source URL, reported healthy, and the schema composed at start-up.
 */
function staticStatus(config: TesseraConfig, schema: GraphQLSchema): GatewayStatus {
  const composed = { version: createHash('sha256').update(printComposedSchema(schema)).digest('hex').slice(0, 12), loadedAt: new Date() };
  const sources = config.sources.map((source) => ({
    source: source.name,
    instances: [{ url: source.url, healthy: true, circuit: 'closed' as const, inFlight: 0 }],
  }));
  return { sources: () => sources, schema: () => composed };
}
