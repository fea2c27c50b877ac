import { createSecretKey } from 'node:crypto';
import { SignJWT } from 'jose';
import type { AuthConfig } from '../config/schema';

export interface TokenClaims {
  subject: string;
  roles: string[];
  scopes: string[];
  /** Lifetime: seconds, or a number with s/m/h/d ("1h"). */
  ttl: string;
}

/**
 * Signs a token the configured verifier accepts (same secret, issuer, audience and claim names).
 * Only for HS256 configs: with a public key or a JWKS the private key lives with the identity
 * provider, not here.
 */
export async function mintToken(jwt: AuthConfig['jwt'], claims: TokenClaims): Promise<string> {
  if (!jwt?.secret) throw new Error('minting a token needs auth.jwt.secret in the config (HS256); with a public key or JWKS, ask the identity provider');
  const ttl = parseTtl(claims.ttl);
  let token = new SignJWT({ [jwt.rolesClaim]: claims.roles, [jwt.scopesClaim]: claims.scopes.join(' ') })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuedAt()
    .setExpirationTime(`${ttl}s`);
  if (jwt.issuer) token = token.setIssuer(jwt.issuer);
  if (jwt.audience) token = token.setAudience(jwt.audience);
  return token.sign(createSecretKey(Buffer.from(jwt.secret, 'utf8')));
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "90" → 90, "15m" → 900, "1h" → 3600; throws on anything else. */
export function parseTtl(ttl: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(ttl.trim());
  if (!match || Number(match[1]) === 0) throw new Error(`expected a lifetime like 3600, 15m, 1h or 7d, found "${ttl}"`);
  return Number(match[1]) * UNIT_SECONDS[match[2] || 's'];
}
