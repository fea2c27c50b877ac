import type { CacheConfig, TesseraConfig } from '../../gateway/config/schema';
import { startDemoGateway, type RunningGateway, type StartOptions } from '../support/harness';

/** The demo gateway with the cache on (the harness turns it off for other tests). */
export function startCachedGateway(cache: Partial<CacheConfig> = {}, options: StartOptions = {}): Promise<RunningGateway> {
  return startDemoGateway({
    ...options,
    configure: (config: TesseraConfig) => {
      const configured = options.configure ? options.configure(config) : config;
      return { ...configured, cache: { ...configured.cache, enabled: true, ...cache } };
    },
  });
}

/** The value of one counter on /metrics (0 when absent). */
export async function metricValue(gw: RunningGateway, name: string): Promise<number> {
  const text = await (await fetch(`${gw.base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : 0;
}

export function getQuery(gw: RunningGateway, query: string, headers: Record<string, string> = {}) {
  const url = new URL(gw.url);
  url.searchParams.set('query', query);
  return fetch(url, { headers: { accept: 'application/json', ...headers } });
}
