import { loadConfig } from '../config/load';
import { createGateway } from '../gateway';
import { listen } from '../server/listen';
import { choosePort } from './port';
import { closeOnSignals, reloadOnHangup, reportFatal } from './report';

export interface ServeOptions {
  config: string;
  port?: number;
  host?: string;
}

export async function runServe(options: ServeOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const { config } = loadConfig(options.config, { env });
    const gateway = await createGateway(config, { configFile: options.config, env });
    const port = choosePort(options.port, env, config.server.port);
    const running = await listen(gateway, port, options.host ?? config.server.host, config.resilience.shutdownGraceMs);
    gateway.logger.info({ url: `${running.url}${config.server.graphqlPath}` }, `Tessera serving ${running.url}${config.server.graphqlPath}`);
    reloadOnHangup(gateway.reload);
    closeOnSignals(running.close);
  } catch (error) {
    reportFatal(error, options.config);
  }
}
