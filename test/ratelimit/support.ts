import { PassThrough } from 'node:stream';
import type { RateLimitsConfig, TesseraConfig } from '../../gateway/config/schema';
import { createLogger } from '../../gateway/observability/logger';
import { startDemoGateway, type RunningGateway, type StartOptions } from '../support/harness';

/**
 * The demo gateway with rate limits on (the harness turns them off for other tests): the demo's
 * limits replaced by `rateLimits`, and a key prefix of this test's own when Redis is used.
 */
export function startLimitedGateway(rateLimits: Partial<RateLimitsConfig>, options: StartOptions & { trustedProxies?: string[] } = {}): Promise<RunningGateway> {
  return startDemoGateway({
    ...options,
    configure: (config: TesseraConfig) => {
      const configured = options.configure ? options.configure(config) : config;
      return {
        ...configured,
        server: { ...configured.server, trustedProxies: options.trustedProxies ?? [] },
        rateLimits: { ...configured.rateLimits, enabled: true, fields: {}, quotas: {}, ...rateLimits },
      };
    },
  });
}

/** A JSON logger whose lines are kept, to read the request log. */
export function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { logger: createLogger({ level: 'info', pretty: 'never' }, stream), lines, requestLines: () => lines.filter((line) => line.msg === 'graphql request') };
}

/** Lines of /metrics starting with `name{`, as "labels value". */
export async function metricLines(gw: RunningGateway, name: string): Promise<string[]> {
  const text = await (await fetch(`${gw.base}/metrics`)).text();
  return text.split('\n').filter((line) => line.startsWith(`${name}{`));
}
