import type { Plugin } from 'graphql-yoga';
import type { SourceConfig } from '../config/schema';

export interface SourceReadiness {
  name: string;
  reachable: boolean;
  detail: string;
}

/**
 * `/healthz`: the process answers. `/readyz`: the schema is composed (true once the gateway exists)
 * and every upstream answers HTTP at all (any status counts: a 404 on the base URL still proves
 * the service is up). These probes bypass the upstream fetch, so they never count as client traffic.
 */
export function useHealthEndpoints(sources: SourceConfig[], probeTimeoutMs = 2_000, reuseMs = 1_000): Plugin {
  // Probes are shared: concurrent /readyz hits and those within `reuseMs` reuse one round of probes,
  // so polling /readyz never multiplies into upstream traffic.
  let latest: { at: number; checks: Promise<SourceReadiness[]> } | undefined;
  const readiness = () => {
    if (!latest || performance.now() - latest.at > reuseMs) {
      latest = { at: performance.now(), checks: Promise.all(sources.map((source) => probe(source, probeTimeoutMs))) };
    }
    return latest.checks;
  };
  return {
    async onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === '/healthz') {
        endResponse(new fetchAPI.Response(JSON.stringify({ status: 'ok' }), { headers: { 'content-type': 'application/json; charset=utf-8' } }));
        return;
      }
      if (url.pathname !== '/readyz') return;
      const checks = await readiness();
      const ready = checks.every((c) => c.reachable);
      endResponse(
        new fetchAPI.Response(JSON.stringify({ status: ready ? 'ready' : 'not_ready', schema: 'composed', sources: checks }), {
          status: ready ? 200 : 503,
          headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        }),
      );
    },
  };
}

async function probe(source: SourceConfig, timeoutMs: number): Promise<SourceReadiness> {
  try {
    const response = await fetch(source.url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return { name: source.name, reachable: true, detail: `HTTP ${response.status}` };
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'connection failed';
    return { name: source.name, reachable: false, detail: reason };
  }
}
