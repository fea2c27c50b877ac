import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import type { TesseraConfig } from './config/schema';
import { adminWhenAuthOn, isAdmin } from './auth/admin';
import { createAuthenticator, useAuthentication, type Authenticator } from './auth/authenticate';
import { authorizeSchema } from './auth/authorize';
import { createResponseCache } from './cache';
import { createCachePrivacy } from './cache/privacy';
import { composeGateway } from './compose/compose';
import { formatWarning, type CompositionWarning } from './compose/warnings';
import { localFigures, type FiguresSource } from './observability/figures';
import { createLogger, toYogaLogger, type Logger } from './observability/logger';
import { createMetrics, type GatewayMetrics } from './observability/metrics';
import { useRequestObservability } from './observability/request-log';
import { createTracing } from './observability/tracing';
import { createUsageStats, type UsageStats } from './observability/usage';
import { createRateLimits } from './ratelimit';
import { startLiveReload } from './reload/live-reload';
import { useLiveSchema } from './reload/use-live-schema';
import { useHardening } from './security/hardening';
import { useOperationLimits } from './security/limits';
import { maskUnexpectedErrors } from './security/mask-errors';
import { useAdminPort } from './server/admin-port';
import { useBodyLimit } from './server/body-limit';
import { useOperationNameCheck } from './server/operation-name';
import { useQueryStringJson } from './server/query-string-json';
import { useVariableErrorCodes } from './server/variable-errors';
import { useErrorLocations } from './server/error-locations';
import { useCompression } from './server/compression';
import { EXAMPLE_TABS } from './server/example-queries';
import { renderLocalGraphiQL, useGraphiQLAssets } from './server/graphiql';
import { useHealthEndpoints } from './server/health';
import { useMetricsEndpoint } from './server/metrics-endpoint';
import { defaultInstanceId, useStatusPage } from './server/status-page/status-page';
import { installSyncPromiseHelpers } from './shared/sync-promise-helpers';
import { useRequestDeadline } from './upstream/deadline';
import type { GatewayStatus } from './upstream/status';
import { createUpstreams } from './upstream/upstreams';
import { useTrustedDocuments } from './trusted-documents/plugin';
import { createTrustedDocuments } from './trusted-documents/trusted-documents';
import { createUsageRecording } from './usage/record';

export interface Gateway {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- yoga's own defaults: no server or user context
  yoga: YogaServerInstance<{}, {}>;
  /** The schema served now (it changes on reload). */
  readonly schema: GraphQLSchema;
  /** Warnings of the first composition. */
  warnings: CompositionWarning[];
  metrics: GatewayMetrics;
  usage: UsageStats;
  /** Upstream pools and schema version, for /readyz, /metrics and the status page. */
  status: GatewayStatus;
  /** Names this process among several gateways (status page, logs, traces). */
  instanceId: string;
  logger: Logger;
  /** Who sent an HTTP request (for admin endpoints outside GraphQL); throws AuthenticationError. */
  authenticate: Authenticator;
  /** Recomposes (re-reading the config file, if any) and swaps the schema; keeps the last good one on failure. */
  reload(reason: string): Promise<void>;
  /** Stops watching, releases upstream and store connections; call after the HTTP server stopped. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  logger?: Logger;
  /** The file the config came from: watched, and read again on reload. */
  configFile?: string;
  /** Environment for re-reading the config file and for REDIS_URL; process.env by default. */
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
  const observability = useRequestObservability({ logger, metrics, usage, traceIdOf: tracing.traceIdOf, graphqlPath: config.server.graphqlPath });
  const deadline = useRequestDeadline(config.resilience.requestTimeoutMs);
  const authentication = createAuthenticator(config.auth);
  const { authenticate } = authentication;
  const adminOnly = isAdmin(authenticate, config.auth.adminRole);
  const privacy = createCachePrivacy(config.cache.private);
  const trustedDocuments = createTrustedDocuments(config.trustedDocuments, logger);
  const usageRecording = config.usage.record ? createUsageRecording(config.usage, logger) : undefined;
  const rateLimits = createRateLimits(config, { registry: metrics.registry, logger, env: options.env, authenticate });
  const cache = createResponseCache(config.cache, {
    registry: metrics.registry,
    logger,
    authorizePurge: adminOnly,
    privateFor: privacy.privateFor,
    credentialHeaders: ['Authorization', config.auth.apiKeys.header],
    typeNames: () => Object.keys(live.current().getTypeMap()),
    env: options.env,
    // Repeated queries are answered before parsing and execution (cache/early-hits.ts); what
    // onExecute hooks would have recorded of them is recorded here.
    early: {
      currentSchema: () => live.current(),
      callerOf: authenticate,
      onServed: (operation) => {
        observability.recordOperation(operation);
        usageRecording?.recordOperation(operation);
      },
    },
  });
  const upstreams = createUpstreams({
    observe: (call, context) => {
      observability.observeUpstream(call, context);
      cache.observeUpstream(call, context);
    },
    trace: tracing.traceUpstream,
    remainingMs: deadline.remainingMs,
    onRetry: metrics.recordRetry,
    onProbe: metrics.recordHealthProbe,
    retryBudget: config.resilience.retryBudget,
    retireAfterMs: config.resilience.requestTimeoutMs,
  });
  const release = async () => {
    await Promise.all([upstreams.close(), cache.close(), rateLimits.close(), tracing.shutdown()]);
  };

  // Each composition (at start and on every reload) is served with the field limits and
  // authorized by the rules of its own config, with spans on the resolvers that reach upstreams
  // (unchanged when tracing is off); the cache learns which of its fields are private, and the
  // trusted documents are read again.
  const compose = async (current: TesseraConfig) => {
    const documents = await trustedDocuments.load(current.trustedDocuments);
    const composed = await composeGateway(current, { upstreams, onWarning: (warning) => logger.warn(formatWarning(warning)) });
    // Field limits inside authorization: a refused caller does not spend the limit.
    const schema = tracing.instrument(authorizeSchema(rateLimits.limitSchema(composed, current), current.auth));
    privacy.register(schema, composed.schema, current);
    trustedDocuments.register(schema, documents);
    return { ...composed, schema };
  };
  const composed = await compose(config).catch(async (error: unknown) => {
    await release();
    throw error;
  });
  const live = startLiveReload(
    { config, ...composed },
    {
      compose,
      configFile: options.configFile,
      env: options.env,
      logger,
      onSwap: (next) => {
        upstreams.retain(next.sources);
        authentication.update(next.auth);
      },
      onPoll: metrics.recordSpecPoll,
    },
  );
  const status: GatewayStatus = { sources: () => upstreams.status(live.config().sources), schema: live.status };
  metrics.watchUpstreams(status.sources);

  const { graphqlPath } = config.server;
  installSyncPromiseHelpers(); // hooks with nothing to wait for run without promises (shared/sync-promise-helpers)
  const yoga = createYoga({
    schema: live.current(), // and per request, by useLiveSchema below
    graphqlEndpoint: graphqlPath,
    landingPage: false,
    maskedErrors: maskUnexpectedErrors(config.server.maskErrors),
    cors: {
      origin: config.server.cors.origins,
      credentials: config.server.cors.credentials,
      maxAge: config.server.cors.maxAgeSeconds,
      // A browser app may read what the gateway tells it in headers: its request id, the cache's
      // answer and ETag, and the quota it has left (or when to retry).
      exposedHeaders: ['x-request-id', 'x-tessera-cache', 'etag', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
    },
    // Any batch length passes yoga's own check (which answers 413 without saying how many were
    // sent); useOperationLimits enforces limits.maxBatchOperations with a 400 that does.
    batching: { limit: Number.MAX_SAFE_INTEGER },
    // useBodyLimit below is the one body limit (413 naming server.http.maxBodyBytes); yoga's own
    // pipes every body through a TransformStream to count it, ~5% of the CPU of a cache hit.
    maxRequestBodySize: false,
    logging: toYogaLogger(logger),
    graphiql: config.server.graphiql ? { title: 'Tessera', defaultTabs: EXAMPLE_TABS } : false,
    renderGraphiQL: renderLocalGraphiQL(graphqlPath),
    plugins: [
      useLiveSchema(live), // the schema served now: a reload swaps it, requests in flight keep theirs
      useBodyLimit(config.server.http.maxBodyBytes), // request bodies over server.http.maxBodyBytes → 413, read no further
      useQueryStringJson(), // GET `variables`/`extensions` that are not JSON → 400, as a POST body that is not JSON
      useAdminPort(config.server.adminPort !== undefined), // operators' endpoints on the admin port only, when there is one
      useHealthEndpoints({ status, probed: upstreams.ready }), // /healthz, /readyz
      deadline.plugin, // per request: the deadline its upstream calls share
      useMetricsEndpoint(figures.metrics), // /metrics
      ...(config.telemetry.statusPage ? [useStatusPage({ usage: figures.usage, status, instanceId, authorize: adminWhenAuthOn(config, adminOnly) })] : []), // /_tessera, /_tessera/usage
      ...(config.server.graphiql ? [useGraphiQLAssets(graphqlPath)] : []), // GraphiQL's scripts and styles, no CDN
      tracing.plugin, // spans: request, parse, validate, execute (no hooks when tracing is off)
      observability.plugin, // per request: one log line, request metrics, usage figures
      useHardening(config.server, { isAdmin: adminOnly }), // production: introspection for admins only, no suggestions, CSRF prevention
      rateLimits.plugin, // per-client quota on every operation sent (invalid, unknown id or cached too) → 429 + Retry-After, RateLimit-* headers
      useTrustedDocuments({ documents: () => trustedDocuments.documentsFor(live.current()), authenticate, adminRole: config.auth.adminRole }), // documentId / APQ hash → document; `only`: other queries 403 unless admin
      useOperationLimits(config.limits), // size, batch, tokens, depth, aliases, directives, cost → 400
      useOperationNameCheck(), // an operationName the document lacks, or several operations and none named → 400 naming them
      useVariableErrorCodes(), // variables that do not fit their types → BAD_USER_INPUT
      useErrorLocations(), // errors of delegated fields get the locations of the client's fields at their path
      useAuthentication(authentication.verdictOf), // bearer JWT or API key → context.identity, else 401
      // (authorization: graphql-shield rules wrap the schema itself, see `compose` above → FORBIDDEN fields)
      // (field limits: rateLimits.fields wrap the resolvers, see `compose` above → null + RATE_LIMITED, no upstream call)
      // (input constraints: each OpenAPI source's fields check their arguments, see compose/openapi-subgraph.ts → BAD_USER_INPUT, no upstream call)
      ...cache.plugins, // POST /_tessera/cache/purge; whole responses keyed by identity, grants and private fields; repeated queries answered in onParams
      ...(usageRecording ? [usageRecording.plugin] : []), // operations served, for `tessera check --usage`
      ...(config.server.http.compression.enabled ? [useCompression(config.server.http.compression)] : []), // br/gzip replies; last, so the other hooks see the plain one
    ],
  });
  return {
    yoga,
    get schema() {
      return live.current();
    },
    warnings: composed.warnings,
    metrics,
    usage,
    status,
    instanceId,
    logger,
    authenticate,
    reload: live.reload,
    async close() {
      live.stop();
      await live.settle(); // a reload still composing finishes before its pools are closed
      await yoga.dispose(); // the plugins' onDispose: the usage record's last flush
      await release();
    },
  };
}
