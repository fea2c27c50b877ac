import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UpstreamCall } from '../upstream/fetch';
import type { HealthProbe } from '../upstream/health';
import type { SourceStatus } from '../upstream/status';

/**
 * The gateway's Prometheus metrics, in a registry of its own (not prom-client's global one) so
 * several gateways in one process, as in tests, never share or clash over counters.
 */
export interface GatewayMetrics {
  registry: Registry;
  recordUpstream(call: UpstreamCall): void;
  recordRequest(request: { operation: string; outcome: 'ok' | 'error'; seconds: number; errorCodes: readonly string[]; cacheStatus?: string }): void;
  /** Health probes and spec polls have counters of their own: they are not client traffic. */
  recordHealthProbe(probe: HealthProbe): void;
  recordSpecPoll(source: string, result: 'unchanged' | 'changed' | 'failed'): void;
  recordRetry(source: string, reason: string): void;
  /** Instance health, circuit state and calls in flight are read from here at each scrape. */
  watchUpstreams(status: () => SourceStatus[]): void;
}

const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const;

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
  const healthProbes = new Counter({
    name: 'tessera_upstream_health_checks_total',
    help: 'Active health probes, by source, instance and result (not counted in tessera_upstream_requests_total).',
    labelNames: ['source', 'instance', 'result'] as const,
    registers: [own],
  });
  const specPolls = new Counter({
    name: 'tessera_spec_polls_total',
    help: 'Fetches of specs given as URLs, for live reload, by source and result.',
    labelNames: ['source', 'result'] as const,
    registers: [own],
  });
  const retries = new Counter({
    name: 'tessera_upstream_retries_total',
    help: 'Upstream calls retried, by source and reason (timeout, network_error, circuit_open, 502/503/504).',
    labelNames: ['source', 'reason'] as const,
    registers: [own],
  });
  let upstreamStatus: () => SourceStatus[] = () => [];
  const eachInstance = (visit: (source: string, instance: SourceStatus['instances'][number]) => void) => {
    for (const { source, instances } of upstreamStatus()) for (const instance of instances) visit(source, instance);
  };
  new Gauge({
    name: 'tessera_upstream_instance_healthy',
    help: '1 when the instance is in rotation (health checks pass), 0 when it is taken out.',
    labelNames: ['source', 'instance'] as const,
    registers: [own],
    collect() {
      this.reset();
      eachInstance((source, instance) => this.set({ source, instance: instance.url }, instance.healthy ? 1 : 0));
    },
  });
  new Gauge({
    name: 'tessera_upstream_instance_circuit',
    help: 'Circuit breaker state of the instance: 1 on the current state (closed, open, half-open), 0 on the others.',
    labelNames: ['source', 'instance', 'state'] as const,
    registers: [own],
    collect() {
      this.reset();
      eachInstance((source, instance) => {
        for (const state of CIRCUIT_STATES) this.set({ source, instance: instance.url, state }, instance.circuit === state ? 1 : 0);
      });
    },
  });
  new Gauge({
    name: 'tessera_upstream_instance_in_flight',
    help: 'Calls to the instance in flight.',
    labelNames: ['source', 'instance'] as const,
    registers: [own],
    collect() {
      this.reset();
      eachInstance((source, instance) => this.set({ source, instance: instance.url }, instance.inFlight));
    },
  });
  return {
    registry: Registry.merge([processMetrics(), own]),
    recordHealthProbe(probe) {
      healthProbes.inc({ source: probe.source, instance: probe.instance, result: probe.healthy ? 'healthy' : 'unhealthy' });
    },
    recordSpecPoll(source, result) {
      specPolls.inc({ source, result });
    },
    recordRetry(source, reason) {
      retries.inc({ source, reason });
    },
    watchUpstreams(status) {
      upstreamStatus = status;
    },
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
