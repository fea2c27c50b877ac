import type { ResilienceConfig, SourceConfig } from '../config/schema';
import { createUpstreamClient, type ContextualFetch, type UpstreamObserver } from './fetch';
import type { HealthProbe } from './health';
import { createUpstreamPool, type UpstreamPool } from './pool';
import type { SourceStatus } from './status';

export interface UpstreamsOptions {
  observe?: UpstreamObserver;
  remainingMs?: (context: unknown) => number | undefined;
  onRetry?: (source: string, reason: string) => void;
  /** Given: active health checks run (a gateway); absent: no background probes (`tessera compose`). */
  onProbe?: (probe: HealthProbe) => void;
  retryBudget?: ResilienceConfig['retryBudget'];
  /** How long a replaced pool stays open for requests still running on the old schema. */
  retireAfterMs?: number;
}

/**
 * Every source's pool of instances, kept across schema reloads (so circuits, health and keep-alive
 * connections survive a recomposition); a source whose instances or settings change gets a new pool.
 */
export interface Upstreams {
  /** The fetch a source's loader or executor calls. */
  client(source: SourceConfig, operationOf: (method: string, url: URL) => string, adaptBody?: (body: string, status: number) => string): ContextualFetch;
  /** Settles when the first health probes of the current pools are done. */
  ready(): Promise<void>;
  /** Retires the pools not used by `sources` (after a reload). */
  retain(sources: readonly SourceConfig[]): void;
  /** The pools of `sources`, in their order (a source left out of the schema has none). */
  status(sources: readonly SourceConfig[]): SourceStatus[];
  close(): Promise<void>;
}

export function createUpstreams(options: UpstreamsOptions = {}): Upstreams {
  const pools = new Map<string, { key: string; pool: UpstreamPool; firstRound: Promise<void> }>();
  const retryBudget = options.retryBudget ?? { ratio: 0.2, minPerSecond: 10 };
  const retired = new Set<UpstreamPool>();
  const retire = (pool: UpstreamPool) => {
    retired.add(pool);
    const timer = setTimeout(() => {
      retired.delete(pool);
      void pool.close();
    }, options.retireAfterMs ?? 30_000);
    timer.unref();
  };
  const poolFor = (source: SourceConfig): UpstreamPool => {
    const key = JSON.stringify([source.url, source.urls, source.resilience]);
    const existing = pools.get(source.name);
    if (existing?.key === key) return existing.pool;
    // Requests still running on the old schema may call the old pool again (a link one level down).
    if (existing) retire(existing.pool);
    const pool = createUpstreamPool(source, retryBudget);
    const firstRound = options.onProbe ? pool.startHealthChecks(options.onProbe).firstRound : Promise.resolve();
    pools.set(source.name, { key, pool, firstRound });
    return pool;
  };
  return {
    client: (source, operationOf, adaptBody) =>
      createUpstreamClient({
        source,
        pool: poolFor(source),
        operationOf,
        observe: options.observe ?? (() => {}),
        remainingMs: options.remainingMs,
        onRetry: options.onRetry,
        adaptBody,
      }),
    ready: async () => {
      await Promise.all([...pools.values()].map((entry) => entry.firstRound));
    },
    retain(sources) {
      const names = new Set(sources.map((source) => source.name));
      const gone = [...pools.entries()].filter(([name]) => !names.has(name));
      for (const [name, entry] of gone) {
        pools.delete(name);
        retire(entry.pool);
      }
    },
    status: (sources) => sources.flatMap((source) => pools.get(source.name)?.pool.status() ?? []),
    async close() {
      const all = [...[...pools.values()].map((entry) => entry.pool), ...retired];
      pools.clear();
      retired.clear();
      await Promise.all(all.map((pool) => pool.close()));
    },
  };
}
