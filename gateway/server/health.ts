import type { Plugin } from 'graphql-yoga';
import type { GatewayStatus } from '../upstream/status';

export interface SourceReadiness {
  name: string;
  /** At least one instance is healthy. */
  reachable: boolean;
  healthyInstances: number;
  instances: number;
  detail: string;
}

export interface HealthEndpointOptions {
  status: GatewayStatus;
  /** Settles once the first round of health probes is done, so a fresh gateway does not guess. */
  probed: () => Promise<void>;
}

/**
 * `/healthz`: the process answers. `/readyz`: the schema is composed and every source has a healthy
 * instance, as the upstream health checks (active probes and passive failure counts) see it; it
 * reads their state and sends nothing upstream itself, so polling it never adds upstream traffic.
 * A failed reload and sources served from a saved spec or left out are listed, without making the
 * gateway unready: it still serves what it has.
 */
export function useHealthEndpoints({ status, probed }: HealthEndpointOptions): Plugin {
  return {
    // A promise only for its own path (why: shared/sync-promise-helpers).
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === '/healthz') {
        endResponse(new fetchAPI.Response(JSON.stringify({ status: 'ok' }), { headers: { 'content-type': 'application/json; charset=utf-8' } }));
        return;
      }
      if (url.pathname === '/readyz') return readiness(endResponse, fetchAPI);
    },
  };

  async function readiness(endResponse: (response: Response) => void, fetchAPI: { Response: typeof Response }): Promise<void> {
    await probed();
    const sources: SourceReadiness[] = status.sources().map(({ source, instances }) => {
      const healthyInstances = instances.filter((instance) => instance.healthy && instance.circuit !== 'open').length;
      return {
        name: source,
        reachable: healthyInstances > 0,
        healthyInstances,
        instances: instances.length,
        detail: `${healthyInstances} of ${instances.length} instances healthy`,
      };
    });
    const schema = status.schema();
    const ready = sources.every((source) => source.reachable);
    const body = {
      status: ready ? 'ready' : 'not_ready',
      schema: 'composed',
      schemaVersion: schema.version,
      ...(schema.lastReloadError ? { lastReloadError: schema.lastReloadError } : {}),
      ...(schema.restartRequired ? { restartRequired: schema.restartRequired } : {}),
      ...(schema.degradedSources ? { degradedSources: schema.degradedSources } : {}),
      sources,
    };
    endResponse(
      new fetchAPI.Response(JSON.stringify(body), {
        status: ready ? 200 : 503,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      }),
    );
  }
}
