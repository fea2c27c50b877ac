import type { TesseraConfig } from '../config/schema';
import { AuthenticationError } from './errors';
import type { Authenticator } from './authenticate';
import type { Identity } from './identity';

/** Does this request's caller have the role? Throws the AuthenticationError of a bad credential. */
export async function callerHasRole(authenticate: Authenticator, request: Request, role: string): Promise<boolean> {
  return (await authenticate(request))?.roles.includes(role) ?? false;
}

/** The caller, or null (anonymous) when its credential is bad: for checks that refuse or count rather than answer 401. */
export function callerOrAnonymous(authenticate: Authenticator, request: Request): Promise<Identity | null> {
  return authenticate(request).catch((error: unknown) => {
    if (error instanceof AuthenticationError) return null;
    throw error;
  });
}

/** For admin endpoints outside GraphQL (cache purge, usage): does this request come from an admin? */
export function isAdmin(authenticate: Authenticator, role: string): (request: Request) => Promise<boolean> {
  return async (request) => (await callerOrAnonymous(authenticate, request))?.roles.includes(role) ?? false;
}

/**
 * The usage figures are for admins once callers authenticate at all (a JWT or API keys configured);
 * on a separate admin port, or without authentication, the network is what protects them.
 */
export function adminWhenAuthOn(config: TesseraConfig, adminOnly: (request: Request) => Promise<boolean>) {
  const authOn = config.auth.jwt !== undefined || config.auth.apiKeys.keys.length > 0;
  return authOn && config.server.adminPort === undefined ? adminOnly : async () => true;
}
