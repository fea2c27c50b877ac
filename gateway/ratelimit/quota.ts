import type { Plugin } from 'graphql-yoga';
import type { RateLimitsConfig } from '../config/schema';
import type { ClientOf } from './client-identity';
import { rateLimitedError, storeUnavailableError, type Limit } from './errors';
import type { Check } from './limiter';
import type { Decision } from './store';
import { windowSeconds } from './window';

export interface ClientQuotaOptions {
  /** `rateLimits.quotas`; a class without one is not counted (none: the plugin has no hooks). */
  quotas: RateLimitsConfig['quotas'];
  /** Counts one request under the store-error policy (limiter.ts). */
  check: Check;
  /** Who a request counts against (client-identity.ts). */
  clientOf: ClientOf;
}

/**
 * Per-client request quotas, at the HTTP level: each GraphQL operation of a client counts once
 * (each operation of a batch too), whether it is executed or served from the response cache, so it
 * runs after authentication (it needs the caller) and before the cache. Over the quota: HTTP 429
 * with Retry-After, nothing executed.
 *
 * Every response to a request that passed authentication carries RateLimit-Limit, -Remaining and
 * -Reset (seconds; IETF draft "RateLimit header fields for HTTP"), the 429 included. Requests
 * refused before it (401 from authentication, 400 from parsing, validation and operation limits)
 * are not counted and carry none.
 */
export function useClientQuota({ quotas, check, clientOf }: ClientQuotaOptions): Plugin {
  const limits = {
    authenticated: quotas.authenticated && quotaLimit('quota.authenticated', quotas.authenticated, 'user'),
    anonymous: quotas.anonymous && quotaLimit('quota.anonymous', quotas.anonymous, 'ip'),
  };
  if (!limits.authenticated && !limits.anonymous) return {};
  const counted = new WeakMap<Request, { limit: Limit; decision: Decision }>();
  return {
    async onContextBuilding({ context }) {
      const client = clientOf(context);
      const limit = client.class === 'anonymous' ? limits.anonymous : limits.authenticated;
      if (!limit) return;
      const outcome = await check(limit, client, 'quota');
      if ('unavailable' in outcome) throw storeUnavailableError(limit, { status: 503 });
      if (!('decision' in outcome)) return;
      const { decision } = outcome;
      counted.set(context.request, { limit, decision });
      if (!decision.allowed) {
        // RateLimit-* are added in onResponse, as on every response.
        throw rateLimitedError(limit, decision, client.key, { status: 429, headers: { 'Retry-After': String(decision.resetSeconds) } });
      }
    },
    onResponse({ request, response }) {
      const state = counted.get(request);
      if (!state) return;
      for (const [name, value] of Object.entries(headersOf(state.limit, state.decision))) response.headers.set(name, value);
    },
  };
}

function quotaLimit(name: string, quota: { max: number; window: string }, per: Limit['per']): Limit {
  return { name, max: quota.max, window: quota.window, windowSeconds: windowSeconds(quota.window)!, per };
}

function headersOf(limit: Limit, decision: Decision): Record<string, string> {
  return { 'RateLimit-Limit': String(limit.max), 'RateLimit-Remaining': String(decision.remaining), 'RateLimit-Reset': String(decision.resetSeconds) };
}
