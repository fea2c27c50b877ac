import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import type { TesseraConfig } from './config/schema';
import { composeGateway } from './compose/compose';
import { formatWarning, type CompositionWarning } from './compose/warnings';
import { createLogger, type Logger } from './observability/logger';
import { createMetrics, type GatewayMetrics } from './observability/metrics';
import { useRequestObservability } from './observability/request-log';
import { EXAMPLE_TABS } from './server/example-queries';
import { renderLocalGraphiQL, useGraphiQLAssets } from './server/graphiql';
import { useHealthEndpoints } from './server/health';
import { useMetricsEndpoint } from './server/metrics-endpoint';
import { useUsageRecording } from './usage/record';

export interface Gateway {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- yoga's own defaults: no server or user context
  yoga: YogaServerInstance<{}, {}>;
  schema: GraphQLSchema;
  warnings: CompositionWarning[];
  metrics: GatewayMetrics;
  logger: Logger;
  /** Releases upstream connections; call after the HTTP server stopped. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  logger?: Logger;
}

/**
 * The composition root: one config in, one yoga server out. The plugin list below is the whole
 * request path, in order; each capability lives in its own folder and only meets the others here.
 */
export async function createGateway(config: TesseraConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config.logging);
  const metrics = createMetrics();
  const observability = useRequestObservability(logger, metrics);

  const { schema, warnings, close } = await composeGateway(config, {
    observe: observability.observeUpstream,
    onWarning: (warning) => logger.warn(formatWarning(warning)),
  });

  const { graphqlPath } = config.server;
  const yoga = createYoga({
    schema,
    graphqlEndpoint: graphqlPath,
    landingPage: false,
    maskedErrors: config.server.maskErrors,
    logging: yogaLogger(logger),
    graphiql: config.server.graphiql ? { title: 'Tessera', defaultTabs: EXAMPLE_TABS } : false,
    renderGraphiQL: renderLocalGraphiQL(graphqlPath),
    plugins: [
      useHealthEndpoints(config.sources), // /healthz, /readyz
      useMetricsEndpoint(metrics.registry), // /metrics
      ...(config.server.graphiql ? [useGraphiQLAssets(graphqlPath)] : []), // GraphiQL's scripts and styles, no CDN
      observability.plugin, // per request: one log line, duration histogram, upstream call count
      ...(config.usage.record ? [useUsageRecording(config.usage, logger)] : []), // operations served, for `tessera check --usage`
    ],
  });
  const closeGateway = async () => {
    await yoga.dispose(); // the plugins' onDispose: the usage record's last flush
    await close();
  };
  return { yoga, schema, warnings, metrics, logger, close: closeGateway };
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
