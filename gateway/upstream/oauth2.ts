/** A client-credentials access token, fetched once and reused until shortly before it expires. */
export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
}

export type TokenSource = () => Promise<string>;

/** Refresh this long before `expires_in` runs out, so no call leaves with a token about to die. */
const EARLY_REFRESH_MS = 30_000;

/**
 * OAuth2 client credentials (RFC 6749 §4.4): concurrent calls share one token request, the token
 * is cached until `expires_in` (less a margin), and a failed request is not cached.
 */
export function createClientCredentialsSource(credentials: ClientCredentials, now = () => Date.now()): TokenSource {
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const fetchToken = async (): Promise<string> => {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (credentials.scopes.length) body.set('scope', credentials.scopes.join(' '));
    const basic = Buffer.from(`${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`).toString('base64');
    const response = await fetch(credentials.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const payload = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
    if (!response.ok || typeof payload.access_token !== 'string') {
      throw new Error(`token endpoint answered ${response.status}${payload.error ? ` (${String(payload.error)})` : ''}`);
    }
    const lifetimeMs = (typeof payload.expires_in === 'number' ? payload.expires_in : 300) * 1000;
    cached = { token: payload.access_token, expiresAt: now() + Math.max(0, lifetimeMs - EARLY_REFRESH_MS) };
    return payload.access_token;
  };
  return async () => {
    if (cached && cached.expiresAt > now()) return cached.token;
    pending ??= fetchToken().finally(() => (pending = undefined));
    return pending;
  };
}
