import { DEMO_SERVICE_NAMES, startDemoServices } from '../../sources';
import { loadConfig } from '../config/load';
import { createGateway } from '../gateway';
import { listen } from '../server/listen';
import { choosePort } from './port';
import { closeOnSignals, reloadOnHangup, reportFatal } from './report';

export interface DemoOptions {
  config: string;
  port?: number;
  servicesPort?: number;
  latencyMs?: number;
}

/**
 * The demo: the four REST services on free ports (their URLs reach the config through the
 * USERS_URL... variables it reads) and the gateway in front of them, in one process.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  try {
    const demo = await startDemoServices({ basePort: options.servicesPort ?? 0, latencyMs: options.latencyMs });
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of DEMO_SERVICE_NAMES) env[`${name.toUpperCase()}_URL`] = demo.services[name].url;
    const { config } = loadConfig(options.config, { env });
    const gateway = await createGateway(config, { configFile: options.config, env });
    const port = choosePort(options.port, process.env, config.server.port);
    const running = await listen(gateway, port, config.server.host, config.resilience.shutdownGraceMs);
    for (const name of DEMO_SERVICE_NAMES) gateway.logger.info(`demo service ${name} at ${demo.services[name].url}`);
    gateway.logger.info(`Tessera demo ready: GraphiQL at ${running.url}${config.server.graphqlPath}`);
    reloadOnHangup(gateway.reload);
    closeOnSignals(async () => {
      await running.close();
      await demo.close();
    });
  } catch (error) {
    reportFatal(error, options.config);
  }
}
