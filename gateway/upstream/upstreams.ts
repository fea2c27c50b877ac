import type { ResilienceConfig, SourceConfig } from '../config/schema';
import { createUpstreamClient, type ContextualFetch, type UpstreamFetchOptions, type UpstreamObserver, type UpstreamTrace } from './fetch';
import type { HealthProbe } from './health';
import { createUpstreamPool, type UpstreamPool } from './pool';
import type { SourceStatus } from './status';
import { tlsFilesVersion } from './tls';

export interface UpstreamsOptions {
  observe?: UpstreamObserver;
  /** Traces every upstream call (W3C trace context sent upstream); absent when tracing is off. */
  trace?: UpstreamTrace;
  remainingMs?: (context: unknown) => number | undefined;
  onRetry?: (source: string, reason: string) => void;
  /** Given: active health checks run (a gateway); absent: no background probes (`tessera compose`). */
  onProbe?: (probe: HealthProbe) => void;
  retryBudget?: ResilienceConfig['retryBudget'];
  /** How long a pool no source uses any more stays open for requests still running on the old schema. */
  retireAfterMs?: number;
}

/**
 * Every source's pool of instances, kept across schema reloads (so circuits, health and keep-alive
 * connections survive a recomposition); a source whose instances or settings change gets a new pool.
 */
export interface Upstreams {
  /** The fetch a source's loader or executor calls. */
  client(source: SourceConfig, operationOf: (method: string, url: URL) => string, extras?: Pick<UpstreamFetchOptions, 'adaptBody' | 'authorize'>): ContextualFetch;
  /** Settles when the first health probes of the current pools are done. */
  ready(): Promise<void>;
  /** Retires the pools `sources` do not use (after a reload swapped the schema). */
  retain(sources: readonly SourceConfig[]): void;
  /** The pools of `sources`, in their order (a source left out of the schema has none). */
  status(sources: readonly SourceConfig[]): SourceStatus[];
  close(): Promise<void>;
}

/** Sources with the same name, instances and settings (TLS files included, see tlsFilesVersion) share a pool. */
const poolKey = (source: SourceConfig) => JSON.stringify([source.name, source.url, source.urls, source.resilience, source.tls, tlsFilesVersion(source.tls)]);

export function createUpstreams(options: UpstreamsOptions = {}): Upstreams {
  const pools = new Map<string, { pool: UpstreamPool; firstRound: Promise<void> }>();
  const retired = new Map<UpstreamPool, NodeJS.Timeout>();
  const retryBudget = options.retryBudget ?? { ratio: 0.2, minPerSecond: 10 };
  // The key a source's pool was last given (when a composition asked for its client): status and
  // retain use it, so a TLS file renewed since then does not hide the pool serving now.
  const keys = new WeakMap<SourceConfig, string>();
  const keyOf = (source: SourceConfig) => keys.get(source) ?? poolKey(source);
  const poolFor = (source: SourceConfig): UpstreamPool => {
    const key = poolKey(source);
    keys.set(source, key);
    let entry = pools.get(key);
    if (!entry) {
      const pool = createUpstreamPool(source, retryBudget);
      entry = { pool, firstRound: options.onProbe ? pool.startHealthChecks(options.onProbe).firstRound : Promise.resolve() };
      pools.set(key, entry);
    }
    return entry.pool;
  };
  // Requests still running on the old schema may call a replaced pool again (a link one level down).
  const retire = (pool: UpstreamPool) => {
    const timer = setTimeout(() => {
      retired.delete(pool);
      void pool.close();
    }, options.retireAfterMs ?? 30_000);
    timer.unref();
    retired.set(pool, timer);
  };
  return {
    client: (source, operationOf, extras = {}) =>
      createUpstreamClient({
        source,
        pool: poolFor(source),
        operationOf,
        observe: options.observe ?? (() => {}),
        trace: options.trace,
        remainingMs: options.remainingMs,
        onRetry: options.onRetry,
        ...extras,
      }),
    ready: async () => {
      await Promise.all([...pools.values()].map((entry) => entry.firstRound));
    },
    retain(sources) {
      const used = new Set(sources.map(keyOf));
      for (const [key, entry] of pools) {
        if (used.has(key)) continue;
        pools.delete(key);
        retire(entry.pool);
      }
    },
    status: (sources) => sources.flatMap((source) => pools.get(keyOf(source))?.pool.status() ?? []),
    async close() {
      for (const timer of retired.values()) clearTimeout(timer);
      const all = [...[...pools.values()].map((entry) => entry.pool), ...retired.keys()];
      pools.clear();
      retired.clear();
      await Promise.all(all.map((pool) => pool.close()));
    },
  };
}
