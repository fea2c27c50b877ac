import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UpstreamCall } from '../upstream/fetch';

/**
 * The gateway's Prometheus metrics, in a registry of its own (not prom-client's global one) so
 * several gateways in one process, as in tests, never share or clash over counters.
 */
export interface GatewayMetrics {
  registry: Registry;
  recordUpstream(call: UpstreamCall): void;
  recordRequest(request: { operation: string; outcome: 'ok' | 'error'; seconds: number; errorCodes: readonly string[]; cacheStatus?: string }): void;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// Process metrics (GC, event loop, memory) describe the process, not a gateway: collected once, in a
// registry every gateway's /metrics merges in, so gateways made in one process (tests) add no
// collectors each.
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'tessera_' });
  }
  return processRegistry;
}

/** At most this many distinct operation names become label values; the rest count as "other". */
const MAX_OPERATION_LABELS = 200;

/** Error codes and cache statuses: ours are few, but a GraphQL source may send any code. */
const MAX_CODE_LABELS = 50;

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
/** Codes and statuses: names that may also hold dashes (`no-store`). */
const CODE = /^[_A-Za-z][_0-9A-Za-z-]{0,63}$/;

/** Admits the first `max` distinct well-formed values as labels, `other` beyond, `invalid` for malformed ones. */
function boundedLabel(max: number, wellFormed: RegExp) {
  const seen = new Set<string>();
  return (name: string) => {
    if (!wellFormed.test(name)) return 'invalid';
    if (seen.has(name)) return name;
    if (seen.size >= max) return 'other';
    seen.add(name);
    return name;
  };
}

export function createMetrics(): GatewayMetrics {
  const own = new Registry();
  // Operation names and error codes come from clients and upstreams: bounded, so none of them can
  // create unlimited series.
  const operationLabel = boundedLabel(MAX_OPERATION_LABELS, GRAPHQL_NAME);
  const codeLabel = boundedLabel(MAX_CODE_LABELS, CODE);
  const cacheLabel = boundedLabel(MAX_CODE_LABELS, CODE);
  const upstreamRequests = new Counter({
    name: 'tessera_upstream_requests_total',
    help: 'Upstream calls made for client requests, by source, instance, operation and HTTP status (or timeout / network_error).',
    labelNames: ['source', 'instance', 'operation', 'status'] as const,
    registers: [own],
  });
  const upstreamDuration = new Histogram({
    name: 'tessera_upstream_request_duration_seconds',
    help: 'Upstream call latency, by source, instance and operation.',
    labelNames: ['source', 'instance', 'operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [own],
  });
  const requestDuration = new Histogram({
    name: 'tessera_graphql_request_duration_seconds',
    help: 'GraphQL request duration (parse to result), by operation name and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [own],
  });
  const requests = new Counter({
    name: 'tessera_graphql_requests_total',
    help: 'GraphQL requests, by operation name and outcome (error: the response carried errors or an HTTP error status).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [own],
  });
  const errors = new Counter({
    name: 'tessera_graphql_errors_total',
    help: 'GraphQL errors in responses, by extensions.code (UNKNOWN when an error has none).',
    labelNames: ['code'] as const,
    registers: [own],
  });
  const cache = new Counter({
    name: 'tessera_cache_requests_total',
    help: 'GraphQL requests by response-cache status, as the cache plugin reports it on the context (`cacheStatus`).',
    labelNames: ['status'] as const,
    registers: [own],
  });
  return {
    registry: Registry.merge([processMetrics(), own]),
    recordUpstream(call) {
      const { source, instance, operation, status } = call;
      upstreamRequests.inc({ source, instance, operation, status });
      upstreamDuration.observe({ source, instance, operation }, call.durationMs / 1000);
    },
    recordRequest({ operation, outcome, seconds, errorCodes, cacheStatus }) {
      const labels = { operation: operationLabel(operation), outcome };
      requestDuration.observe(labels, seconds);
      requests.inc(labels);
      for (const code of errorCodes) errors.inc({ code: codeLabel(code) });
      if (cacheStatus) cache.inc({ status: cacheLabel(cacheStatus) });
    },
  };
}
