import { DEMO_IDENTITY_SECRET, DEMO_SERVICE_NAMES, startDemoServices } from '../../sources';
import { mintToken } from '../auth/tokens';
import { loadConfig } from '../config/load';
import type { TesseraConfig } from '../config/schema';
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
 * One token per demo role, as plain lines (not log records) so a person can copy one into
 * GraphiQL's Headers tab as it is.
 */
async function printDemoTokens(config: TesseraConfig, baseUrl: string): Promise<void> {
  if (!config.auth.jwt?.secret) return;
  const lines = ['Demo tokens (valid 12 h), for GraphiQL\'s Headers tab; without one you see public data only:'];
  let adminToken = '';
  for (const [who, claims] of DEMO_IDENTITIES) {
    const token = await mintToken(config.auth.jwt, { ...claims, scopes: [], ttl: '12h' });
    if (claims.roles.includes('admin')) adminToken = token;
    lines.push(`  ${who}: {"Authorization": "Bearer ${token}"}`);
  }
  if (config.telemetry.statusPage) lines.push(`Status page (as admin): ${baseUrl}/_tessera#token=${adminToken}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

const DEMO_IDENTITIES: Array<[string, { subject: string; roles: string[] }]> = [
  ['customer (user 1)', { subject: '1', roles: ['customer'] }],
  ['admin', { subject: 'admin', roles: ['admin'] }],
];

/**
 * The demo: the four REST services on free ports (their URLs reach the config through the
 * USERS_URL... variables it reads) and the gateway in front of them, in one process.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  try {
    const demo = await startDemoServices({ basePort: options.servicesPort ?? 0, latencyMs: options.latencyMs, identitySecret: DEMO_IDENTITY_SECRET });
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of DEMO_SERVICE_NAMES) env[`${name.toUpperCase()}_URL`] = demo.services[name].url;
    const { config } = loadConfig(options.config, { env });
    const gateway = await createGateway(config, { configFile: options.config, env });
    const port = choosePort(options.port, process.env, config.server.port);
    const running = await listen(gateway, port, config.server.host, { adminPort: config.server.adminPort, drainMs: config.resilience.shutdownGraceMs, tls: config.server.tls, http: config.server.http });
    for (const name of DEMO_SERVICE_NAMES) gateway.logger.info(`demo service ${name} at ${demo.services[name].url}`);
    await printDemoTokens(config, running.url);
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
