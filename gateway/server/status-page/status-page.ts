import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Plugin } from 'graphql-yoga';
import type { UsageSnapshot } from '../../observability/usage';
import type { GatewayStatus } from '../../upstream/status';

export interface StatusPageOptions {
  /** The usage figures (this process's, or the whole cluster's). */
  usage: () => Promise<UsageSnapshot>;
  status: GatewayStatus;
  /** Says whether a request may see the page and the figures (admin-only when auth is on). */
  authorize: (request: Request) => Promise<boolean>;
  /** Names this gateway process among several behind a load balancer. */
  instanceId: string;
  /** Default `/_tessera`; the figures are at `${path}/usage`. */
  path?: string;
}

/** What `GET /_tessera/usage` returns: the rolling usage figures plus the upstream and schema state. */
export interface UsageReport extends UsageSnapshot {
  instance: string;
  startedAt: string;
  generatedAt: string;
  schema: { version: string; loadedAt: string; lastReloadError?: string; restartRequired?: string[] };
  sources: Array<{
    source: string;
    instances: Array<{ url: string; healthy: boolean; circuit: string; inFlight: number; calls: number; errors: number; p50Ms: number; p99Ms: number }>;
  }>;
}

/**
 * The instance id: `TESSERA_INSTANCE_ID` when set (containers name themselves), else host and pid;
 * the workers of `serve --workers N` are one instance, named after their primary's pid.
 */
export function defaultInstanceId(env: NodeJS.ProcessEnv = process.env): string {
  return env.TESSERA_INSTANCE_ID || `${hostname()}-${cluster.isWorker ? process.ppid : process.pid}`;
}

/**
 * `GET /_tessera`: a self-refreshing status page (one static HTML file with inline script and SVG
 * charts: no framework, no CDN), and `GET /_tessera/usage`: the figures it draws, as JSON.
 */
export function useStatusPage({ usage, status, authorize, instanceId, path = '/_tessera' }: StatusPageOptions): Plugin {
  const html = readFileSync(join(__dirname, 'status-page.html'), 'utf8').replaceAll('__USAGE_URL__', `${path}/usage`);
  const startedAt = new Date().toISOString();
  const report = async (): Promise<UsageReport> => {
    const snapshot = await usage();
    const schema = status.schema();
    return {
      instance: instanceId,
      startedAt,
      generatedAt: new Date().toISOString(),
      schema: {
        version: schema.version,
        loadedAt: schema.loadedAt.toISOString(),
        ...(schema.lastReloadError ? { lastReloadError: schema.lastReloadError } : {}),
        ...(schema.restartRequired ? { restartRequired: schema.restartRequired } : {}),
      },
      sources: status.sources().map(({ source, instances }) => ({
        source,
        instances: instances.map((instance) => {
          const origin = new URL(instance.url).origin;
          const seen = snapshot.upstreams.find((u) => u.source === source && u.instance === origin);
          return { ...instance, calls: seen?.count ?? 0, errors: seen?.errors ?? 0, p50Ms: seen?.p50Ms ?? 0, p99Ms: seen?.p99Ms ?? 0 };
        }),
      })),
      ...snapshot,
    };
  };
  return {
    // A promise only for its own path (why: shared/sync-promise-helpers).
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname === path || url.pathname === `${path}/usage`) return serve(request, url, endResponse, fetchAPI);
    },
  };

  async function serve(request: Request, url: URL, endResponse: (response: Response) => void, fetchAPI: { Response: typeof Response }): Promise<void> {
    const headers = { 'cache-control': 'no-store', 'x-tessera-instance': instanceId };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      endResponse(new fetchAPI.Response(null, { status: 405, headers: { ...headers, allow: 'GET, HEAD' } }));
      return;
    }
    // The page itself holds no figures: anyone may load it; the figures need `authorize`.
    if (url.pathname !== path && !(await authorize(request))) {
      const body = { errors: [{ message: 'The usage figures need an admin credential (the page reads a token from #token=…).', extensions: { code: 'FORBIDDEN' } }] };
      endResponse(new fetchAPI.Response(JSON.stringify(body), { status: 403, headers: { ...headers, 'content-type': 'application/json; charset=utf-8' } }));
      return;
    }
    endResponse(
      url.pathname === path
        ? new fetchAPI.Response(html, { headers: { ...headers, 'content-type': 'text/html; charset=utf-8' } })
        : new fetchAPI.Response(JSON.stringify(await report()), { headers: { ...headers, 'content-type': 'application/json; charset=utf-8' } }),
    );
  }
}
