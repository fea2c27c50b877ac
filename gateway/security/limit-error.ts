import { GraphQLError } from 'graphql';
import type { LimitsConfig } from '../config/schema';

/**
 * A request over one of `limits`: HTTP 400, code OPERATION_LIMIT, and a message that names the
 * config key, the limit and what was found, so the client knows what to change.
 */
export function limitError(limit: keyof LimitsConfig, max: number, found: number, what: string): GraphQLError {
  return new GraphQLError(`${what} limit of ${max} exceeded, found ${found} (limits.${limit}).`, {
    // `spec: false`: yoga answers validation errors to `accept: application/json` clients with
    // 200 (the legacy GraphQL-over-HTTP rule) unless told this error means 400 whatever they accept.
    extensions: { code: 'OPERATION_LIMIT', limit, max, found, http: { status: 400, spec: false } },
  });
}
