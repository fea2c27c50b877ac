import { Counter, type Registry } from 'prom-client';

/** What the response cache reports to /metrics. */
export interface CacheMetrics {
  hit(): void;
  miss(): void;
  evicted(): void;
  invalidated(entries: number): void;
  /** A store operation failed or outlived its wait: the request went on uncached. */
  storeError(operation: string): void;
}

export function createCacheMetrics(registry: Registry): CacheMetrics {
  const counter = (name: string, help: string) => new Counter({ name, help, registers: [registry] });
  const hits = counter('tessera_cache_hits_total', 'Query responses served from the response cache.');
  const misses = counter('tessera_cache_misses_total', 'Cacheable queries executed because no entry was found.');
  const evictions = counter('tessera_cache_evictions_total', 'Entries the in-memory store evicted to stay within maxEntries/maxBytes.');
  const invalidations = counter('tessera_cache_invalidations_total', 'Entries removed by mutations and purges.');
  const storeErrors = new Counter({
    name: 'tessera_cache_store_errors_total',
    help: 'Cache store operations that failed or timed out (the request went on uncached), by operation.',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  return {
    hit: () => hits.inc(),
    miss: () => misses.inc(),
    evicted: () => evictions.inc(),
    invalidated: (entries) => invalidations.inc(entries),
    storeError: (operation) => storeErrors.inc({ operation }),
  };
}
