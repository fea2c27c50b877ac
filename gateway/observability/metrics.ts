import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UpstreamCall } from '../upstream/fetch';

/**
 * The gateway's Prometheus metrics, in a registry of its own (not prom-client's global one) so
 * several gateways in one process, as in tests, never share or clash over counters.
 */
export interface GatewayMetrics {
  registry: Registry;
  recordUpstream(call: UpstreamCall): void;
  recordRequest(operation: string, outcome: 'ok' | 'error', seconds: number): void;
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

export function createMetrics(): GatewayMetrics {
  const own = new Registry();
  // The operation name comes from the client: bounded, so no client can create unlimited series.
  const operationLabels = new Set<string>();
  const operationLabel = (name: string) => {
    if (!/^[_A-Za-z][_0-9A-Za-z]{0,63}$/.test(name)) return 'invalid';
    if (operationLabels.has(name)) return name;
    if (operationLabels.size >= MAX_OPERATION_LABELS) return 'other';
    operationLabels.add(name);
    return name;
  };
  const upstreamRequests = new Counter({
    name: 'tessera_upstream_requests_total',
    help: 'Upstream calls made for client requests, by source, operation and HTTP status (or timeout / network_error).',
    labelNames: ['source', 'operation', 'status'] as const,
    registers: [own],
  });
  const upstreamDuration = new Histogram({
    name: 'tessera_upstream_request_duration_seconds',
    help: 'Upstream call latency, by source and operation.',
    labelNames: ['source', 'operation'] as const,
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
  return {
    registry: Registry.merge([processMetrics(), own]),
    recordUpstream(call) {
      upstreamRequests.inc({ source: call.source, operation: call.operation, status: call.status });
      upstreamDuration.observe({ source: call.source, operation: call.operation }, call.durationMs / 1000);
    },
    recordRequest(operation, outcome, seconds) {
      requestDuration.observe({ operation: operationLabel(operation), outcome }, seconds);
    },
  };
}
