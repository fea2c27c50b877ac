import { timingSafeEqual } from 'node:crypto';
import type { AuthConfig } from '../config/schema';
import { sha256 } from '../shared/hash';
import type { Identity } from './identity';

/** Looks an API key up; null when no configured key matches. */
export type ApiKeyLookup = (key: string) => Identity | null;

/**
 * Keys are compared by their SHA-256, so the config may hold only hashes and a lookup takes the
 * same time whichever key (if any) matches.
 */
export function createApiKeyLookup(keys: AuthConfig['apiKeys']['keys']): ApiKeyLookup {
  const entries = keys.map((entry) => ({
    digest: Buffer.from(entry.sha256 ?? sha256(entry.key!), 'hex'),
    identity: { subject: entry.client, kind: 'api-key', roles: entry.roles, scopes: entry.scopes, claims: {} } satisfies Identity,
  }));
  return (key) => {
    const digest = Buffer.from(sha256(key), 'hex');
    let found: Identity | null = null;
    for (const entry of entries) if (timingSafeEqual(entry.digest, digest)) found = entry.identity;
    return found;
  };
}
