import { createHash } from 'node:crypto';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import type { TesseraConfig } from './config/schema';
import { composeGateway } from './compose/compose';
import { printComposedSchema } from './compose/print';
import { formatWarning, type CompositionWarning } from './compose/warnings';
import { createLogger, type Logger } from './observability/logger';
import { localFigures, type FiguresSource } from './observability/figures';
import { createMetrics, type GatewayMetrics } from './observability/metrics';
import { useRequestObservability } from './observability/request-log';
import { createTracing } from './observability/tracing';
import { createUsageStats, type UsageStats } from './observability/usage';
import { EXAMPLE_TABS } from './server/example-queries';
import { renderLocalGraphiQL, useGraphiQLAssets } from './server/graphiql';
import { useAdminPort } from './server/admin-port';
import { useHealthEndpoints } from './server/health';
import { useMetricsEndpoint } from './server/metrics-endpoint';
import { defaultInstanceId, useStatusPage } from './server/status-page/status-page';
import type { GatewayStatus } from './upstream/status';

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
  /** Releases upstream connections; call after the HTTP server stopped. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  logger?: Logger;
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

  const { schema, warnings, close } = await composeGateway(config, {
    observe: observability.observeUpstream,
    trace: tracing.traceUpstream,
    onWarning: (warning) => logger.warn(formatWarning(warning)),
  });
  const status = staticStatus(config, schema);

  const { graphqlPath } = config.server;
  const yoga = createYoga({
    schema: tracing.instrument(schema), // resolvers that reach upstreams get spans (unchanged when tracing is off)
    graphqlEndpoint: graphqlPath,
    landingPage: false,
    maskedErrors: config.server.maskErrors,
    logging: yogaLogger(logger),
    graphiql: config.server.graphiql ? { title: 'Tessera', defaultTabs: EXAMPLE_TABS } : false,
    renderGraphiQL: renderLocalGraphiQL(graphqlPath),
    plugins: [
      useAdminPort(config.server.adminPort !== undefined), // operators' endpoints on the admin port only, when there is one
      useHealthEndpoints(config.sources), // /healthz, /readyz
      useMetricsEndpoint(figures.metrics), // /metrics
      ...(config.telemetry.statusPage ? [useStatusPage({ usage: figures.usage, status, instanceId, authorize: async () => true })] : []), // /_tessera, /_tessera/usage; authorize: wired to auth by the security work
      ...(config.server.graphiql ? [useGraphiQLAssets(graphqlPath)] : []), // GraphiQL's scripts and styles, no CDN
      tracing.plugin, // spans: request, parse, validate, execute (no hooks when tracing is off)
      observability.plugin, // per request: one log line, request metrics, usage figures
    ],
  });
  const closeAll = async () => {
    await close();
    await tracing.shutdown();
  };
  return { yoga, schema, warnings, metrics, usage, status, instanceId, logger, close: closeAll };
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

/** yoga logs through pino: errors keep their stack (`err`), other values stay structured. */
function yogaLogger(logger: Logger) {
  const log =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const err = args.find((a): a is Error => a instanceof Error);
      const text = args.filter((a) => !(a instanceof Error)).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      if (err) logger[level]({ err }, text || err.message);
      else logger[level](text);
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
