import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed identity headers: how an upstream learns who the gateway's caller is without parsing
 * the caller's token, and can check that the gateway (holder of the shared secret) said so, for
 * this very method and path, moments ago. The upstream side uses `verifyIdentityHeaders`.
 */
export const IDENTITY_HEADERS = {
  subject: 'x-user-id',
  roles: 'x-user-roles',
  scopes: 'x-user-scopes',
  timestamp: 'x-identity-timestamp',
  signature: 'x-identity-signature',
} as const;

/** Never forwarded from a client: only the gateway may set them, signed. */
export const IDENTITY_HEADER_NAMES: ReadonlySet<string> = new Set(Object.values(IDENTITY_HEADERS));

export interface SignedIdentity {
  subject: string;
  roles: string[];
  scopes: string[];
}

function signature(secret: string, method: string, path: string, timestamp: string, identity: SignedIdentity): string {
  // Newline-separated: none of the parts may contain one (header values cannot).
  const canonical = [method.toUpperCase(), path, timestamp, identity.subject, identity.roles.join(','), identity.scopes.join(',')].join('\n');
  return createHmac('sha256', secret).update(canonical).digest('base64url');
}

/** Headers for one upstream call; `path` is the request target (path and query). */
export function signIdentityHeaders(secret: string, method: string, path: string, identity: SignedIdentity, now = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(now / 1000));
  return {
    [IDENTITY_HEADERS.subject]: identity.subject,
    [IDENTITY_HEADERS.roles]: identity.roles.join(','),
    [IDENTITY_HEADERS.scopes]: identity.scopes.join(','),
    [IDENTITY_HEADERS.timestamp]: timestamp,
    [IDENTITY_HEADERS.signature]: signature(secret, method, path, timestamp, identity),
  };
}

export type VerifiedIdentity = { ok: true; identity: SignedIdentity } | { ok: false; reason: string };

export interface VerifyOptions {
  secret: string;
  method: string;
  /** The request target as received (path and query). */
  path: string;
  /** Oldest (and furthest in the future) a signature may be: replays outside it are refused. */
  maxAgeSeconds?: number;
  now?: number;
}

/** For upstream services: the caller's identity if the gateway signed it for this request. */
export function verifyIdentityHeaders(headers: Record<string, string | string[] | undefined>, options: VerifyOptions): VerifiedIdentity {
  const read = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const subject = read(IDENTITY_HEADERS.subject);
  const timestamp = read(IDENTITY_HEADERS.timestamp);
  const given = read(IDENTITY_HEADERS.signature);
  if (subject === undefined || timestamp === undefined || given === undefined) return { ok: false, reason: 'no signed identity' };
  const age = Math.abs((options.now ?? Date.now()) / 1000 - Number(timestamp));
  if (!Number.isFinite(age) || age > (options.maxAgeSeconds ?? 30)) return { ok: false, reason: 'identity signature expired (replay window)' };
  const list = (name: string) => (read(name) ?? '').split(',').filter(Boolean);
  const identity = { subject, roles: list(IDENTITY_HEADERS.roles), scopes: list(IDENTITY_HEADERS.scopes) };
  const expected = Buffer.from(signature(options.secret, options.method, options.path, timestamp, identity));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: 'bad identity signature' };
  return { ok: true, identity };
}
