import { join } from 'node:path';
import { mintToken } from '../../gateway/auth/tokens';
import { loadConfig } from '../../gateway/config/load';
import { REPO_ROOT } from './harness';

const demoJwt = loadConfig(join(REPO_ROOT, 'tessera.config.yaml'), { env: {} }).config.auth.jwt;

/** Headers of a request made by `subject` with these roles and scopes: a real demo bearer token. */
export async function asUser(subject: string, roles: string[] = [], scopes: string[] = []): Promise<Record<string, string>> {
  const token = await mintToken(demoJwt, { subject, roles, scopes, ttl: '10m' });
  return { authorization: `Bearer ${token}` };
}

/** Headers of an anonymous request. */
export const anonymous: Record<string, string> = {};
