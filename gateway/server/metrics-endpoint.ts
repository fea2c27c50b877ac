import type { Plugin } from 'graphql-yoga';
import { Registry } from 'prom-client';

/** `GET /metrics` in the Prometheus text format (this process's, or a whole cluster's). */
export function useMetricsEndpoint(metrics: () => Promise<string>, path = '/metrics'): Plugin {
  return {
    // A promise only for its own path (why: shared/sync-promise-helpers).
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== path) return;
      return metrics().then((text) => endResponse(new fetchAPI.Response(text, { headers: { 'content-type': Registry.PROMETHEUS_CONTENT_TYPE } })));
    },
  };
}
