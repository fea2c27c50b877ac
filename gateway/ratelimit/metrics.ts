import { Counter, type Registry } from 'prom-client';
import type { ClientClass } from './client-identity';

export interface RateLimitMetrics {
  /** A request (quota) or a field refused by `limit` (a field coordinate, or quota.authenticated / quota.anonymous). */
  rejected(kind: 'field' | 'quota', limit: string, clientClass: ClientClass): void;
  /** The store could not count; `policy` says what was done (allow: served, reject: refused). */
  storeError(policy: 'allow' | 'reject'): void;
}

/**
 * Label values are bounded: limits come from the config (a few), classes are three; the client
 * itself is never a label.
 */
export function createRateLimitMetrics(registry: Registry): RateLimitMetrics {
  const rejections = new Counter({
    name: 'tessera_rate_limited_total',
    help: 'Requests (kind="quota", HTTP 429) and fields (kind="field", RATE_LIMITED) refused by a rate limit, by limit and client class (user, api_key, anonymous).',
    labelNames: ['kind', 'limit', 'client_class'] as const,
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'tessera_rate_limit_store_errors_total',
    help: 'Counts the rate-limit store could not make (Redis unreachable or slow), by the policy applied: allow (fail open) or reject (fail closed).',
    labelNames: ['policy'] as const,
    registers: [registry],
  });
  return {
    rejected: (kind, limit, clientClass) => rejections.inc({ kind, limit, client_class: clientClass }),
    storeError: (policy) => storeErrors.inc({ policy }),
  };
}
