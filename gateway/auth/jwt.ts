import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config/schema';
import { AuthenticationError } from './errors';
import type { Identity } from './identity';

type JwtConfig = NonNullable<AuthConfig['jwt']>;

/** Verifies a bearer token and turns its claims into an Identity; throws AuthenticationError. */
export type JwtVerifier = (token: string) => Promise<Identity>;

/**
 * Signature, algorithm, `exp`/`nbf` (with the configured leeway), issuer and audience are all
 * checked by jose; this module only chooses the key and says, in the error, which check failed.
 */
export function createJwtVerifier(config: JwtConfig): JwtVerifier {
  const { key, algorithms } = keyOf(config);
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as JWTVerifyGetKey, {
        algorithms,
        issuer: config.issuer,
        audience: config.audience,
        clockTolerance: config.clockSkewSeconds,
        requiredClaims: config.requireExp ? ['sub', 'exp'] : ['sub'],
      }));
    } catch (error) {
      throw new AuthenticationError(describeFailure(error, algorithms));
    }
    // An empty or non-string subject would make every such token one anonymous-looking "user" (and one rate-limit key).
    if (typeof payload.sub !== 'string' || payload.sub.trim() === '') throw new AuthenticationError('claim "sub" must be a non-empty string');
    return {
      subject: payload.sub,
      kind: 'jwt',
      roles: listClaim(payload[config.rolesClaim]),
      scopes: listClaim(payload[config.scopesClaim]),
      claims: payload,
    };
  };
}

function keyOf(config: JwtConfig): { key: KeyObject | JWTVerifyGetKey; algorithms: string[] } {
  if (config.secret !== undefined) {
    return { key: createSecretKey(Buffer.from(config.secret, 'utf8')), algorithms: config.algorithms ?? ['HS256'] };
  }
  if (config.publicKey !== undefined) {
    const pem = config.publicKey.includes('-----BEGIN') ? config.publicKey : readFileSync(config.publicKey, 'utf8');
    const key = createPublicKey(pem);
    const byType: Record<string, string[]> = { rsa: ['RS256'], 'rsa-pss': ['PS256'], ec: ['ES256'], ed25519: ['EdDSA'] };
    return { key, algorithms: config.algorithms ?? byType[key.asymmetricKeyType ?? ''] ?? ['RS256', 'ES256'] };
  }
  // jose caches the key set, re-fetches it when a token names a `kid` it lacks (at most once per
  // cooldown), and times the fetch out.
  const jwks = createRemoteJWKSet(new URL(config.jwksUrl!), {
    cooldownDuration: config.jwksCooldownSeconds * 1000,
    cacheMaxAge: 10 * 60_000,
    timeoutDuration: 5_000,
  });
  return { key: jwks, algorithms: config.algorithms ?? ['RS256', 'ES256'] };
}

/** jose's errors, as a sentence naming the check that failed (no token contents are echoed). */
function describeFailure(error: unknown, algorithms: string[]): string {
  if (error instanceof errors.JWTExpired) return 'token expired (exp is in the past)';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'token not yet valid (nbf is in the future)';
    if (error.claim === 'iss') return 'wrong issuer (iss)';
    if (error.claim === 'aud') return 'wrong audience (aud)';
    if (error.reason === 'missing') return `token lacks the required "${error.claim}" claim`;
    return `claim "${error.claim}" is invalid`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return `algorithm not allowed (expected ${algorithms.join(' or ')}; "none" is never accepted)`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof errors.JWKSNoMatchingKey) return 'unknown signing key (kid not in the JWKS)';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return 'signing keys could not be fetched';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'malformed token';
  if (error instanceof TypeError) return 'key does not match the token algorithm';
  return 'token rejected';
}

function listClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  return [];
}

