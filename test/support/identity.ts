import type { Plugin } from 'graphql-yoga';
import type { Identity, IdentityContext } from '../../gateway/auth/identity';

/**
 * TEST ONLY. Stands in for authentication until the security work lands: reads the caller from a
 * JSON `x-test-identity` header and puts it on the context as `identity`, where authentication
 * will put it. Tests build headers through `asUser`/`anonymous` only, so switching them to real
 * bearer tokens is a change in this file.
 */
const HEADER = 'x-test-identity';

export function useTestIdentity(): Plugin<IdentityContext> {
  return {
    onContextBuilding({ context, extendContext }) {
      const raw = context.request.headers.get(HEADER);
      extendContext({ identity: raw ? (JSON.parse(raw) as Identity) : null });
    },
  };
}

/** Headers of a request made by `subject` with these roles (and scopes). */
export function asUser(subject: string, roles: string[] = [], scopes: string[] = []): Record<string, string> {
  const identity: Identity = { subject, kind: 'jwt', roles, scopes, claims: {} };
  return { [HEADER]: JSON.stringify(identity) };
}

/** Headers of an anonymous request. */
export const anonymous: Record<string, string> = {};
