/**
 * Who is calling. Authentication (gateway/auth) puts it on the GraphQL context as `identity`
 * before anything executes; every other capability (authorization, cache scope, rate-limit keys,
 * logs, identity headers to upstreams) reads it from there through `identityOf`, never from
 * request headers, so there is one answer to "who is this" per request.
 */
export interface Identity {
  /** Stable id of the caller: the token's `sub`, or the API key's client name. */
  subject: string;
  /** How the caller proved it: a bearer JWT or an API key. */
  kind: 'jwt' | 'api-key';
  roles: string[];
  scopes: string[];
  /** Verified token claims (empty for API keys); rules may compare parent fields with them. */
  claims: Readonly<Record<string, unknown>>;
}

/** The slice of the GraphQL context this module owns. `null`: anonymous. */
export interface IdentityContext {
  identity: Identity | null;
}

export function identityOf(context: unknown): Identity | null {
  if (typeof context !== 'object' || context === null || !('identity' in context)) return null;
  const identity = (context as { identity?: unknown }).identity;
  return isIdentity(identity) ? identity : null;
}

function isIdentity(value: unknown): value is Identity {
  return typeof value === 'object' && value !== null && typeof (value as Identity).subject === 'string';
}
