import type { Plugin } from 'graphql-yoga';
import { Registry } from 'prom-client';

/** `GET /metrics` in the Prometheus text format (this process's, or a whole cluster's). */
export function useMetricsEndpoint(metrics: () => Promise<string>, path = '/metrics'): Plugin {
  return {
    async onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== path) return;
      endResponse(new fetchAPI.Response(await metrics(), { headers: { 'content-type': Registry.PROMETHEUS_CONTENT_TYPE } }));
    },
  };
}
