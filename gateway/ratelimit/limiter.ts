import type { RateLimitsConfig } from '../config/schema';
import { throttledWarning, type Logger } from '../observability/logger';
import type { Client } from './client-identity';
import type { Limit } from './errors';
import type { RateLimitMetrics } from './metrics';
import type { Decision, RateLimitStore } from './store';

/** A counted request: the store's decision, or `unavailable` when it could not count and the policy is to refuse. */
export type Verdict = { decision: Decision } | { unavailable: true } | { uncounted: true };

/** Counts one request of `client` against `limit`, under the store-error policy. */
export type Check = (limit: Limit, client: Client, kind: 'field' | 'quota') => Promise<Verdict>;

export interface LimiterOptions {
  store: RateLimitStore;
  onStoreError: RateLimitsConfig['onStoreError'];
  metrics: RateLimitMetrics;
  logger: Logger;
}

export function createLimiter({ store, onStoreError, metrics, logger }: LimiterOptions): Check {
  const warn = throttledWarning(logger);
  return async (limit, client, kind) => {
    const who = limit.per === 'all' ? 'all' : limit.per === 'ip' ? client.ipKey : client.key;
    try {
      const decision = await store.hit(`${kind}:${limit.name}:${who}`, limit.max, limit.windowSeconds);
      if (!decision.allowed) metrics.rejected(kind, limit.name, client.class);
      return { decision };
    } catch (error) {
      metrics.storeError(onStoreError);
      const reason = error instanceof Error ? error.message : String(error);
      const outcome = onStoreError === 'allow' ? 'serving requests unlimited (onStoreError: allow)' : 'refusing limited requests (onStoreError: reject)';
      warn('store', `rate limits: the ${store.kind} store cannot count (${reason}); ${outcome} until it is back`);
      return onStoreError === 'allow' ? { uncounted: true } : { unavailable: true };
    }
  };
}
