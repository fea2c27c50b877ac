import { GraphQLError } from 'graphql';
import type { Decision } from './store';

/**
 * One limit as it is enforced: a field's (`Mutation.createOrder`) or a quota
 * (`quota.anonymous`), with whom it counts together.
 */
export interface Limit {
  name: string;
  max: number;
  /** As written, e.g. "60s". */
  window: string;
  windowSeconds: number;
  per: 'user' | 'ip' | 'all';
  /** Template of the error message (see MESSAGE_PLACEHOLDERS). */
  message?: string;
}

/**
 * Names a message template may use. @envelop/rate-limiter fills only `{{id}}`, which leaves a
 * client told "too many requests" without the limit or when to come back.
 */
export const MESSAGE_PLACEHOLDERS = ['field', 'max', 'window', 'per', 'retryAfter', 'id'];

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

/** Placeholders of a message template that no limit fills (a typo would show as an empty gap). */
export function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map(([, name]) => name).filter((name) => !MESSAGE_PLACEHOLDERS.includes(name));
}

/** For error messages: the placeholders a template may use. */
export const PLACEHOLDERS_EXPECTED = `expected placeholders among ${MESSAGE_PLACEHOLDERS.map((name) => `{{${name}}}`).join(', ')}`;

const DEFAULT_MESSAGE = 'Rate limit exceeded for {{field}}: {{max}} requests per {{window}} per {{per}}; retry in {{retryAfter}} s';

/** What a client sees of a limit: enough to back off correctly. */
export function describeLimit(limit: Limit) {
  return { name: limit.name, max: limit.max, window: limit.window, per: limit.per };
}

/**
 * The error of a request over `limit`: `extensions.code` RATE_LIMITED, the limit, and `retryAfter`
 * in seconds. A field's error carries no HTTP status (the rest of the response is served with
 * 200); a quota's is a 429 (`http`).
 */
export function rateLimitedError(limit: Limit, decision: Decision, clientKey: string, http?: { status: number; headers: Record<string, string> }): GraphQLError {
  const values: Record<string, string> = {
    field: limit.name,
    max: String(limit.max),
    window: limit.window,
    per: limit.per,
    retryAfter: String(decision.resetSeconds),
    id: clientKey,
  };
  const message = (limit.message ?? DEFAULT_MESSAGE).replace(PLACEHOLDER, (_, name: string) => values[name] ?? '');
  return new GraphQLError(message, {
    extensions: { code: 'RATE_LIMITED', limit: describeLimit(limit), retryAfter: decision.resetSeconds, ...(http ? { http } : {}) },
  });
}

/** Fail closed (`onStoreError: reject`): the limit could not be counted, so the request is not served. */
export function storeUnavailableError(limit: Limit, http?: { status: number }): GraphQLError {
  return new GraphQLError(
    `Rate limit ${limit.name} could not be checked (the rate-limit store is unreachable) and rateLimits.onStoreError is "reject"; retry shortly`,
    { extensions: { code: 'RATE_LIMIT_UNAVAILABLE', limit: describeLimit(limit), ...(http ? { http } : {}) } },
  );
}
