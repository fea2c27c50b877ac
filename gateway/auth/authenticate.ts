import { isDeepStrictEqual } from 'node:util';
import type { Plugin } from 'graphql-yoga';
import type { AuthConfig } from '../config/schema';
import { createRequestState } from '../shared/request-state';
import { createApiKeyLookup } from './api-keys';
import { AuthenticationError } from './errors';
import type { Identity, IdentityContext } from './identity';
import { createJwtVerifier } from './jwt';

/** Who sent this HTTP request: an Identity, null for anonymous, or an AuthenticationError thrown. */
export type Authenticator = (request: Request) => Promise<Identity | null>;

/** The same answer, synchronous unless a JWT is being verified (an AuthenticationError is thrown). */
export type Verdict = (request: Request) => Identity | null | Promise<Identity | null>;

export interface ReloadableAuthenticator {
  /** Who sent this request (verified once per request). */
  authenticate: Authenticator;
  /** Who sent it, as the verdict authenticate gives, without a promise when there is nothing to wait for. */
  verdictOf: Verdict;
  /** Follows a reloaded config: requests that arrive after it are verified with these settings. */
  update(config: AuthConfig): void;
}

/**
 * A bearer JWT (Authorization header) or an API key (configured header), in that order. A
 * credential that is present but wrong is always an error, never a fall-back to anonymous: a
 * client with an expired token must learn so rather than silently see less data.
 *
 * One verification per request: several plugins ask who sent it before the context exists
 * (introspection for admins, the trusted-documents exception) and useAuthentication asks again.
 *
 * It follows the config on reload, so that a revoked API key or a rotated JWT secret takes effect
 * without a restart. The verifier is rebuilt only when the credentials' settings change: a JWKS
 * verifier keeps the keys it fetched across reloads that change only rules or sources.
 */
export function createAuthenticator(config: AuthConfig): ReloadableAuthenticator {
  const settingsOf = ({ anonymous, jwt, apiKeys }: AuthConfig) => ({ anonymous, jwt, apiKeys });
  let settings = settingsOf(config);
  let verify = createVerifier(config);
  // A request keeps the verdict it got first, whichever settings a reload brings meanwhile.
  const verdicts = createRequestState<Request, Promise<Identity | null> | { identity: Identity | null } | { error: unknown }>('tessera.authenticated');
  const verdictOf: Verdict = (request) => {
    let verdict = verdicts.get(request);
    if (!verdict) {
      try {
        const answer = verify(request);
        verdict = answer instanceof Promise ? answer : { identity: answer };
      } catch (error) {
        verdict = { error };
      }
      verdicts.set(request, verdict);
    }
    if (verdict instanceof Promise) return verdict;
    if ('error' in verdict) throw verdict.error;
    return verdict.identity;
  };
  return {
    verdictOf,
    authenticate: async (request) => verdictOf(request),
    update(next) {
      if (isDeepStrictEqual(settingsOf(next), settings)) return;
      settings = settingsOf(next);
      verify = createVerifier(next);
    },
  };
}

/** Synchronous but for a JWT's verification, so that most requests build their context without a promise. */
function createVerifier(config: AuthConfig): Verdict {
  const verifyJwt = config.jwt ? createJwtVerifier(config.jwt) : undefined;
  const lookupApiKey = createApiKeyLookup(config.apiKeys.keys);
  const keyHeader = config.apiKeys.header;
  return (request) => {
    const authorization = request.headers.get('authorization');
    if (authorization) {
      const [scheme, token, extra] = authorization.trim().split(/\s+/);
      if (scheme?.toLowerCase() !== 'bearer' || !token || extra) {
        throw new AuthenticationError('expected "Authorization: Bearer <token>"', 'invalid_request');
      }
      if (!verifyJwt) throw new AuthenticationError('bearer tokens are not accepted here (no auth.jwt configured)');
      return verifyJwt(token);
    }
    const key = request.headers.get(keyHeader);
    if (key) {
      const identity = lookupApiKey(key);
      if (!identity) throw new AuthenticationError(`unknown API key in ${keyHeader}`);
      return identity;
    }
    if (!config.anonymous) throw new AuthenticationError('credentials required: send a bearer token or an API key', 'none');
    return null;
  };
}

/**
 * Authenticates each GraphQL request once, before parsing and execution, and puts the result on
 * the context as `identity` (see identity.ts) for every later plugin and rule. A failure answers
 * 401 with a `WWW-Authenticate` challenge; nothing is executed.
 */
export function useAuthentication(verdictOf: Verdict): Plugin<IdentityContext> {
  const refuse = (error: unknown): never => {
    throw error instanceof AuthenticationError ? error.toGraphQLError() : error;
  };
  return {
    // Synchronous unless a JWT is being verified: a promise here would make every request's
    // context, and the execution after it, wait for a later tick.
    onContextBuilding({ context, extendContext }) {
      let verdict: ReturnType<Verdict>;
      try {
        verdict = verdictOf(context.request);
      } catch (error) {
        return refuse(error);
      }
      if (verdict instanceof Promise) return verdict.then((identity) => extendContext({ identity }), refuse);
      extendContext({ identity: verdict });
    },
  };
}
