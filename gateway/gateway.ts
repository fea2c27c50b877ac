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
import { startLiveReload } from './reload/live-reload';
import { useRequestDeadline } from './upstream/deadline';
import type { GatewayStatus } from './upstream/status';
import { createUpstreams } from './upstream/upstreams';

export interface Gateway {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- yoga's own defaults: no server or user context
  yoga: YogaServerInstance<{}, {}>;
  /** The schema served now (it changes on reload). */
  readonly schema: GraphQLSchema;
  /** Warnings of the first composition. */
  warnings: CompositionWarning[];
  metrics: GatewayMetrics;
  logger: Logger;
  /** Upstream pools and schema version, for /readyz, /metrics and the status page. */
  status: GatewayStatus;
  /** Recomposes (re-reading the config file, if any) and swaps the schema; keeps the last good one on failure. */
  reload(reason: string): Promise<void>;
  /** Stops watching, releases upstream connections; call after the HTTP server stopped. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  logger?: Logger;
  /** The file the config came from: watched, and read again on reload. */
  configFile?: string;
  /** Environment for re-reading the config file. */
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
  const deadline = useRequestDeadline(config.resilience.requestTimeoutMs);
  const upstreams = createUpstreams({
    observe: observability.observeUpstream,
    remainingMs: deadline.remainingMs,
    onRetry: metrics.recordRetry,
    onProbe: metrics.recordHealthProbe,
    retryBudget: config.resilience.retryBudget,
    retireAfterMs: config.resilience.requestTimeoutMs,
  });
  const compose = (current: TesseraConfig) => composeGateway(current, { upstreams, onWarning: (warning) => logger.warn(formatWarning(warning)) });
  const composed = await compose(config).catch(async (error: unknown) => {
    await upstreams.close();
    throw error;
  });
  const live = startLiveReload(
    { config, ...composed },
    { compose, configFile: options.configFile, env: options.env, logger, onSwap: (next) => upstreams.retain(next.sources), onPoll: metrics.recordSpecPoll },
  );
  const status: GatewayStatus = { sources: () => upstreams.status(live.config().sources), schema: live.status };
  metrics.watchUpstreams(status.sources);

  const { graphqlPath } = config.server;
  const yoga = createYoga({
    schema: () => live.current(), // read per request: a reload swaps it, requests in flight keep theirs
    graphqlEndpoint: graphqlPath,
    landingPage: false,
    maskedErrors: config.server.maskErrors,
    logging: yogaLogger(logger),
    graphiql: config.server.graphiql ? { title: 'Tessera', defaultTabs: EXAMPLE_TABS } : false,
    renderGraphiQL: renderLocalGraphiQL(graphqlPath),
    plugins: [
      useHealthEndpoints({ status, probed: upstreams.ready }), // /healthz, /readyz
      deadline.plugin, // per request: the deadline its upstream calls share
      useMetricsEndpoint(metrics.registry), // /metrics
      ...(config.server.graphiql ? [useGraphiQLAssets(graphqlPath)] : []), // GraphiQL's scripts and styles, no CDN
      observability.plugin, // per request: one log line, duration histogram, upstream call count
    ],
  });
  return {
    yoga,
    get schema() {
      return live.current();
    },
    warnings: composed.warnings,
    metrics,
    logger,
    status,
    reload: live.reload,
    async close() {
      live.stop();
      await upstreams.close();
    },
  };
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
