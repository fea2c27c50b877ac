import { GraphQLError } from 'graphql';

/**
 * A credential was presented and failed a check (or none was presented where one is required).
 * `reason` says which check, for the client; the request is answered 401 with a `WWW-Authenticate`
 * challenge (RFC 6750), never executed.
 */
export class AuthenticationError extends Error {
  constructor(
    readonly reason: string,
    /** RFC 6750 error code for the challenge: a bad token, or no token where one is required. */
    readonly challenge: 'invalid_token' | 'invalid_request' | 'none' = 'invalid_token',
  ) {
    super(reason);
    this.name = 'AuthenticationError';
  }

  toGraphQLError(): GraphQLError {
    const header =
      this.challenge === 'none'
        ? 'Bearer realm="tessera"'
        : `Bearer realm="tessera", error="${this.challenge}", error_description="${this.reason.replace(/["\\]/g, "'")}"`;
    return new GraphQLError(`Unauthenticated: ${this.reason}`, {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'WWW-Authenticate': header } } },
    });
  }
}
