import { Agent } from 'undici';
import type { SourceConfig } from '../config/schema';
import { createBalancer, type Balancer } from './balancer';
import { startHealthChecks, type HealthChecker, type HealthProbe } from './health';
import { UpstreamInstance } from './instance';
import { upstreamTlsOptions } from './tls';
import { createRetryBudget, type RetryBudget } from './retry-budget';
import type { SourceStatus } from './status';

/** The instances of one source, the keep-alive connections to them and what chooses among them. */
export interface UpstreamPool {
  source: string;
  instances: readonly UpstreamInstance[];
  /** undici keeps a pool of connections per origin: `maxConnections` caps each instance. */
  dispatcher: Agent;
  budget: RetryBudget;
  /**
   * The instance for the next attempt, preferring healthy ones not tried yet for this call, or
   * undefined when every circuit is open.
   */
  pick(tried: ReadonlySet<UpstreamInstance>): UpstreamInstance | undefined;
  startHealthChecks(onProbe: (probe: HealthProbe) => void): HealthChecker;
  status(): SourceStatus;
  close(): Promise<void>;
}

export function instanceUrls(source: SourceConfig): string[] {
  return source.urls ?? [source.url!];
}

export function createUpstreamPool(source: SourceConfig, retryBudget: { ratio: number; minPerSecond: number }): UpstreamPool {
  const { resilience } = source;
  const instances = instanceUrls(source).map((url) => new UpstreamInstance(url, resilience));
  const dispatcher = new Agent({
    keepAliveTimeout: 30_000,
    connections: resilience.maxConnections,
    connect: { timeout: resilience.connectTimeoutMs, ...upstreamTlsOptions(source.tls, source.name) },
  });
  const balance: Balancer = createBalancer(resilience.balancing);
  let health: HealthChecker | undefined;
  return {
    source: source.name,
    instances,
    dispatcher,
    budget: createRetryBudget(retryBudget),
    pick(tried) {
      // One instance, the usual case: the lists below would all hold it or all be empty.
      if (instances.length === 1) return instances[0].acceptsCalls() ? instances[0] : undefined;
      const open = instances.filter((instance) => instance.acceptsCalls());
      // When no instance is known healthy, health may be stale: every instance with a closed circuit
      // is tried rather than failing the call (as Envoy's panic threshold does).
      const preferences = [
        open.filter((instance) => instance.healthy && !tried.has(instance)),
        open.filter((instance) => !tried.has(instance)),
        open.filter((instance) => instance.healthy),
        open,
      ];
      const candidates = preferences.find((list) => list.length > 0);
      return candidates && balance(candidates);
    },
    startHealthChecks(onProbe) {
      health ??= startHealthChecks(source.name, instances, resilience.health, dispatcher, onProbe);
      return health;
    },
    status: () => ({ source: source.name, instances: instances.map((instance) => instance.status()) }),
    async close() {
      health?.stop();
      await dispatcher.close();
    },
  };
}
