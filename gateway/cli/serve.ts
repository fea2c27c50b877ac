import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { answerClusterRequests, clusterFigures } from '../cluster/worker';
import { runPrimary } from '../cluster/primary';
import { loadConfig } from '../config/load';
import { createGateway } from '../gateway';
import { createLogger } from '../observability/logger';
import { listen } from '../server/listen';
import { choosePort } from './port';
import { closeOnSignals, reloadOnHangup, reportFatal } from './report';

export interface ServeOptions {
  config: string;
  port?: number;
  host?: string;
  /** Worker processes (node:cluster): a number, or `auto` for one per CPU. Default 1: no cluster. */
  workers?: number | 'auto';
}

export async function runServe(options: ServeOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const { config } = loadConfig(options.config, { env });
    const workers = options.workers === 'auto' ? availableParallelism() : (options.workers ?? 1);
    if (workers > 1 && cluster.isPrimary) {
      // The config was checked above, so a bad one fails once here rather than in every worker.
      runPrimary({ workers, logger: createLogger(config.logging) });
      return;
    }
    const gateway = await createGateway(config, { configFile: options.config, env, figures: clusterFigures() });
    answerClusterRequests(gateway);
    const port = choosePort(options.port, env, config.server.port);
    const running = await listen(gateway, port, options.host ?? config.server.host, {
      adminPort: config.server.adminPort,
      drainMs: config.resilience.shutdownGraceMs,
    });
    gateway.logger.info({ url: `${running.url}${config.server.graphqlPath}`, adminUrl: running.adminUrl }, `Tessera serving ${running.url}${config.server.graphqlPath}`);
    reloadOnHangup(gateway.reload);
    closeOnSignals(running.close);
  } catch (error) {
    reportFatal(error, options.config);
  }
}
