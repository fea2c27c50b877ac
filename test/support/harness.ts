import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { DEMO_IDENTITY_SECRET, DEMO_SERVICE_NAMES, startDemoServices, type DemoServiceName, type RunningService } from '../../sources';
import { loadConfig } from '../../gateway/config/load';
import type { TesseraConfig } from '../../gateway/config/schema';
import { createGateway, type Gateway } from '../../gateway/gateway';
import { listen, type ListenOptions } from '../../gateway/server/listen';

export const REPO_ROOT = join(__dirname, '..', '..');

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>; extensions?: Record<string, unknown> };
}

export interface RunningGateway {
  /** http://127.0.0.1:PORT (no path) */
  base: string;
  /** the GraphQL endpoint */
  url: string;
  /** the admin listener (server.adminPort), when configured */
  adminBase?: string;
  gateway: Gateway;
  services: Record<DemoServiceName, RunningService>;
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** Upstream requests per service since the last reset, from the services' own counters. */
  upstreamCalls(): Record<DemoServiceName, number> & { total: number };
  resetUpstreamCalls(): void;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Edit the demo config (already loaded with the services' URLs) before the gateway starts. */
  configure?: (config: TesseraConfig) => TesseraConfig;
  /** Where the gateway logs (silent by default). */
  logger?: Logger;
  /** Point sources at other URLs, e.g. a misbehaving proxy in front of the started demo service. */
  urls?: (services: Record<DemoServiceName, RunningService>) => Promise<Partial<Record<DemoServiceName, string>>>;
  /** Listener settings beyond the config's (server.tls and server.http are taken from it). */
  listen?: ListenOptions;
}

/** The demo services on free ports and a gateway in front of them, over real HTTP. */
export async function startDemoGateway(options: StartOptions = {}): Promise<RunningGateway> {
  const demo = await startDemoServices({ identitySecret: DEMO_IDENTITY_SECRET });
  try {
    const urls = (await options.urls?.(demo.services)) ?? {};
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of DEMO_SERVICE_NAMES) env[`${name.toUpperCase()}_URL`] = urls[name] ?? demo.services[name].url;
    delete env.REDIS_URL; // tests choose their cache store in the config (test/cache), never by accident
    let { config } = loadConfig(join(REPO_ROOT, 'tessera.config.yaml'), { env });
    // The demo config caches responses; tests of everything else count the upstream calls of
    // every request, so they run uncached and the cache tests turn it on (withCache in test/cache).
    // Likewise the rate limits: test/ratelimit turns them on (startLimitedGateway).
    config = { ...config, cache: { ...config.cache, enabled: false }, rateLimits: { ...config.rateLimits, enabled: false } };
    if (options.configure) config = options.configure(config);
    const gateway = await createGateway(config, { logger: options.logger ?? pino({ level: 'silent' }), env });
    const running = await listen(gateway, 0, '127.0.0.1', { adminPort: config.server.adminPort, tls: config.server.tls, http: config.server.http, ...options.listen });
    const url = `${running.url}${config.server.graphqlPath}`;
    return {
      base: running.url,
      adminBase: running.adminUrl,
      url,
      gateway,
      services: demo.services,
      async query(query, variables, headers) {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
          body: JSON.stringify({ query, variables }),
        });
        return { status: response.status, headers: response.headers, body: await response.json() };
      },
      upstreamCalls() {
        const counts = Object.fromEntries(DEMO_SERVICE_NAMES.map((name) => [name, demo.services[name].stats().total])) as Record<DemoServiceName, number>;
        return { ...counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
      },
      resetUpstreamCalls() {
        for (const name of DEMO_SERVICE_NAMES) demo.services[name].resetStats();
      },
      async close() {
        await running.close();
        await demo.close();
      },
    };
  } catch (error) {
    await demo.close();
    throw error;
  }
}
