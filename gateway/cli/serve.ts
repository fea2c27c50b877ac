import cluster from 'node:cluster';
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { answerClusterRequests, clusterFigures } from '../cluster/worker';
import { runPrimary } from '../cluster/primary';
import { loadConfig } from '../config/load';
import { createGateway } from '../gateway';
import { createLogger } from '../observability/logger';
import type { ServerTlsConfig } from '../config/schema';
import { listen } from '../server/listen';
import { readServerTls } from '../server/tls';
import { choosePort } from './port';
import { closeOnSignals, reloadOnHangup, reportFatal, StartupError } from './report';

export interface ServeOptions {
  config: string;
  port?: number;
  host?: string;
  /** Worker processes (node:cluster): a number, or `auto` for one per CPU. Default 1: no cluster. */
  workers?: number | 'auto';
  /** Override server.tls.cert / server.tls.key (both needed when the config has no server.tls). */
  tlsCert?: string;
  tlsKey?: string;
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
    const host = options.host ?? config.server.host;
    const tls = serverTls(config.server.tls, options);
    if (tls) readServerTls(tls); // a missing or mismatched file fails now, not after composing
    const gateway = await createGateway(config, { configFile: options.config, env, figures: clusterFigures() });
    answerClusterRequests(gateway);
    const port = choosePort(options.port, env, config.server.port);
    const running = await listen(gateway, port, host, {
      adminPort: config.server.adminPort,
      drainMs: config.resilience.shutdownGraceMs,
      tls,
      http: config.server.http,
    });
    gateway.logger.info({ url: `${running.url}${config.server.graphqlPath}`, adminUrl: running.adminUrl }, `Tessera serving ${running.url}${config.server.graphqlPath}`);
    if (config.profile === 'production' && !tls && !isLoopback(host)) {
      gateway.logger.warn(`serving plain HTTP on ${host} in production: set server.tls (or --tls-cert/--tls-key), unless TLS ends in front of the gateway`);
    }
    reloadOnHangup(gateway.reload);
    closeOnSignals(running.close);
  } catch (error) {
    reportFatal(error, options.config);
  }
}

/** server.tls with --tls-cert/--tls-key applied (paths from the command line are relative to the working folder). */
function serverTls(configured: ServerTlsConfig | undefined, { tlsCert, tlsKey }: ServeOptions): ServerTlsConfig | undefined {
  if (tlsCert === undefined && tlsKey === undefined) return configured;
  const cert = tlsCert ?? configured?.cert;
  const key = tlsKey ?? configured?.key;
  if (!cert || !key) throw new StartupError(`--tls-cert and --tls-key go together (or with server.tls in the config): got only ${tlsCert ? '--tls-cert' : '--tls-key'}`);
  return { requestClientCert: false, ...configured, cert: resolve(cert), key: resolve(key) };
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');
