import type { Plugin } from 'graphql-yoga';
import type { Authenticator } from '../auth/authenticate';
import { callerOrAnonymous } from '../auth/admin';
import type { RateLimitsConfig } from '../config/schema';
import { createRequestState } from '../shared/request-state';
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
  /** Who sent the request (the gateway's authenticator: one verification per request). */
  authenticate: Authenticator;
}

/**
 * Per-client request quotas, at the HTTP level: each GraphQL operation a client sends counts once
 * (each operation of a batch too), as soon as its parameters are read: before parsing, validation,
 * trusted documents and the response cache, so a runaway script is throttled whatever it sends
 * (invalid queries, unknown document ids, cache hits, a bad token). Over the quota: HTTP 429 with
 * Retry-After, nothing parsed or executed.
 *
 * The caller is asked of the authenticator here (it keeps one verdict per request, so
 * useAuthentication does not verify again); a credential that fails counts against its IP as an
 * anonymous caller, and then gets its 401 from useAuthentication.
 *
 * Every response to a counted request carries RateLimit-Limit, -Remaining and -Reset (seconds;
 * IETF draft "RateLimit header fields for HTTP"), the 429 included.
 */
export function useClientQuota({ quotas, check, clientOf, authenticate }: ClientQuotaOptions): Plugin {
  const limits = {
    authenticated: quotas.authenticated && quotaLimit('quota.authenticated', quotas.authenticated, 'user'),
    anonymous: quotas.anonymous && quotaLimit('quota.anonymous', quotas.anonymous, 'ip'),
  };
  if (!limits.authenticated && !limits.anonymous) return {};
  const counted = createRequestState<Request, { limit: Limit; decision: Decision }>('tessera.quota');
  return {
    async onParams({ request, context }) {
      const client = clientOf({ identity: await callerOrAnonymous(authenticate, request), req: (context as { req?: unknown }).req });
      const limit = client.class === 'anonymous' ? limits.anonymous : limits.authenticated;
      if (!limit) return;
      const outcome = await check(limit, client, 'quota');
      if ('unavailable' in outcome) throw storeUnavailableError(limit, { status: 503 });
      if (!('decision' in outcome)) return;
      const { decision } = outcome;
      counted.set(request, { limit, decision });
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
