import { identityOf } from '../auth/identity';
import type { SourceConfig, UpstreamCredentials } from '../config/schema';
import { CompositionError } from '../compose/errors';
import { signIdentityHeaders } from './identity-headers';
import { createClientCredentialsSource } from './oauth2';

/** Headers one upstream call gets for authentication: the gateway's own, the caller's identity. */
export type UpstreamAuthorizer = (method: string, url: URL, context: unknown) => Promise<Record<string, string>>;

/** The parts of an OpenAPI document's `components.securitySchemes` that credentials map onto. */
export interface SecuritySchemes {
  [name: string]: { type?: string; in?: string; name?: string; scheme?: string; flows?: { clientCredentials?: { tokenUrl?: string } } };
}

/**
 * Per source, what the gateway adds to each upstream call: its own credentials (from the
 * config, placed where the spec's security scheme says) and, when configured, the caller's
 * identity as signed headers. Undefined when there is nothing to add, so the hot path pays nothing.
 */
export function createUpstreamAuthorizer(source: SourceConfig, schemes: SecuritySchemes = {}): UpstreamAuthorizer | undefined {
  const credentials = source.credentials ? credentialHeaders(source.name, source.credentials, schemes) : undefined;
  const secret = source.identityHeaders?.secret;
  if (!credentials && !secret) return undefined;
  return async (method, url, context) => {
    const headers = credentials ? await credentials() : {};
    const identity = secret ? identityOf(context) : null;
    if (secret && identity) Object.assign(headers, signIdentityHeaders(secret, method, url.pathname + url.search, identity));
    return headers;
  };
}

function credentialHeaders(source: string, credentials: UpstreamCredentials, schemes: SecuritySchemes): () => Promise<Record<string, string>> {
  const path = `sources[name=${source}].credentials`;
  if (credentials.type === 'bearer') return async () => ({ authorization: `Bearer ${credentials.token}` });
  if (credentials.type === 'apiKey') {
    const header = credentials.header ?? apiKeyHeader(path, schemes);
    return async () => ({ [header.toLowerCase()]: credentials.value });
  }
  const tokenUrl = credentials.tokenUrl ?? Object.values(schemes).find((s) => s.type === 'oauth2')?.flows?.clientCredentials?.tokenUrl;
  if (!tokenUrl) throw new CompositionError(`${path}.tokenUrl`, 'expected a tokenUrl: the spec declares no oauth2 clientCredentials flow');
  const token = createClientCredentialsSource({ ...credentials, tokenUrl });
  return async () => ({ authorization: `Bearer ${await token()}` });
}

function apiKeyHeader(path: string, schemes: SecuritySchemes): string {
  const apiKeys = Object.entries(schemes).filter(([, scheme]) => scheme.type === 'apiKey');
  const inHeader = apiKeys.filter(([, scheme]) => scheme.in === 'header' && scheme.name);
  if (inHeader.length === 1) return inHeader[0][1].name!;
  const found = apiKeys.length ? apiKeys.map(([name, s]) => `${name} (in: ${s.in})`).join(', ') : 'none';
  throw new CompositionError(`${path}.header`, `expected a header name: the spec's apiKey schemes in a header are not exactly one (found: ${found})`);
}
