import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSecretKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { exportJWK, SignJWT, type JWK } from 'jose';
import { sha256 } from '../../gateway/shared/hash';
import type { TesseraConfig } from '../../gateway/config/schema';
import { startDemoGateway, type RunningGateway } from '../support/harness';

const SECRET = 'tessera-demo-secret-for-development-only';
const PUBLIC_QUERY = '{ products(limit: 1) { title } }';

function sign(claims: Record<string, unknown>, key: KeyObject | Uint8Array, header: { alg: string; kid?: string } = { alg: 'HS256' }) {
  return new SignJWT(claims).setProtectedHeader(header).sign(key);
}

const demoClaims = (overrides: Record<string, unknown> = {}) => ({
  sub: '1',
  roles: ['customer'],
  iss: 'tessera-demo',
  aud: 'tessera',
  exp: Math.floor(Date.now() / 1000) + 600,
  ...overrides,
});

/** A token with `alg: none`: header and payload, no signature (jose refuses to make one). */
function unsignedToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

async function expectRejected(gw: RunningGateway, authorization: string, reason: RegExp) {
  const { status, headers, body } = await gw.query(PUBLIC_QUERY, undefined, { authorization });
  expect(status).toBe(401);
  expect(body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  expect(body.errors?.[0].message).toMatch(reason);
  expect(body.data).toBeUndefined();
  expect(headers.get('www-authenticate')).toMatch(/^Bearer realm="tessera"/);
  // The gateway answers the next, normal request as usual.
  const next = await gw.query(PUBLIC_QUERY);
  expect(next.status).toBe(200);
  expect(next.body.errors).toBeUndefined();
}

describe('HS256 bearer tokens (the demo config)', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startDemoGateway();
  });
  afterAll(() => gw.close());

  const key = createSecretKey(Buffer.from(SECRET));

  test('a valid token is accepted and its subject owns its own private fields', async () => {
    const { status, body } = await gw.query('{ user(id: "1") { email } }', undefined, { authorization: `Bearer ${await sign(demoClaims(), key)}` });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ user: { email: expect.stringContaining('@') } });
  });

  test.each([
    ['a forged signature', async () => sign(demoClaims(), createSecretKey(Buffer.from('not-the-secret-not-the-secret-xx'))), /bad signature/],
    ['an expired token', async () => sign(demoClaims({ exp: Math.floor(Date.now() / 1000) - 120 }), key), /token expired/],
    ['a token not valid yet', async () => sign(demoClaims({ nbf: Math.floor(Date.now() / 1000) + 600 }), key), /not yet valid/],
    ['a wrong issuer', async () => sign(demoClaims({ iss: 'someone-else' }), key), /wrong issuer/],
    ['a wrong audience', async () => sign(demoClaims({ aud: 'another-api' }), key), /wrong audience/],
    ['alg none', async () => unsignedToken(demoClaims()), /algorithm not allowed.*"none" is never accepted/],
    ['a token without a subject', async () => sign(demoClaims({ sub: undefined }), key), /"sub" claim/],
    ['an empty subject', async () => sign(demoClaims({ sub: ' ' }), key), /claim "sub" must be a non-empty string/],
    ['a token that never expires (no exp)', async () => sign(demoClaims({ exp: undefined }), key), /lacks the required "exp" claim/],
    ['garbage', async () => 'not.a.jwt', /malformed token/],
  ])('%s is refused with 401, the failed check named, and a challenge', async (_name, token, reason) => {
    await expectRejected(gw, `Bearer ${await token()}`, reason);
  });

  test('an expired token within the configured clock skew (30 s) still passes', async () => {
    const token = await sign(demoClaims({ exp: Math.floor(Date.now() / 1000) - 5 }), key);
    expect((await gw.query(PUBLIC_QUERY, undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
  });

  test('a scheme other than Bearer is refused as a malformed request', async () => {
    await expectRejected(gw, 'Basic dXNlcjpwYXNz', /expected "Authorization: Bearer <token>"/);
  });
});

describe('RS256/ES256 keys: a PEM public key, a JWKS endpoint', () => {
  const es = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsaOld = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaNew = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwks: { keys: JWK[] } = { keys: [] };
  let jwksServer: Server;
  let jwksUrl: string;
  let jwksFetches = 0;

  beforeAll(async () => {
    jwks.keys.push({ ...(await exportJWK(rsaOld.publicKey)), kid: 'old', alg: 'RS256', use: 'sig' });
    jwksServer = createServer((_req, res) => {
      jwksFetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise((resolve) => jwksServer.close(resolve)));

  const withJwt = (jwt: NonNullable<TesseraConfig['auth']['jwt']>) => (config: TesseraConfig) => ({ ...config, auth: { ...config.auth, jwt } });
  const base = { issuer: 'tessera-demo', audience: 'tessera', clockSkewSeconds: 30, requireExp: true, rolesClaim: 'roles', scopesClaim: 'scope', jwksCooldownSeconds: 0 };

  test('ES256 with a PEM key; an HS256 token "signed" with the public key (algorithm confusion) is refused', async () => {
    const publicKey = es.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const gw = await startDemoGateway({ configure: withJwt({ ...base, publicKey }) });
    try {
      const good = await sign(demoClaims(), es.privateKey, { alg: 'ES256' });
      expect((await gw.query(PUBLIC_QUERY, undefined, { authorization: `Bearer ${good}` })).status).toBe(200);
      const confused = await sign(demoClaims(), createSecretKey(Buffer.from(publicKey)));
      await expectRejected(gw, `Bearer ${confused}`, /algorithm not allowed \(expected ES256/);
    } finally {
      await gw.close();
    }
  });

  test('JWKS: known kid accepted, unknown kid refused, a rotated-in key found by re-fetching the set', async () => {
    const gw = await startDemoGateway({ configure: withJwt({ ...base, jwksUrl }) });
    try {
      const old = await sign(demoClaims(), rsaOld.privateKey, { alg: 'RS256', kid: 'old' });
      expect((await gw.query(PUBLIC_QUERY, undefined, { authorization: `Bearer ${old}` })).status).toBe(200);
      const fetchesAfterFirst = jwksFetches;
      expect((await gw.query(PUBLIC_QUERY, undefined, { authorization: `Bearer ${old}` })).status).toBe(200);
      expect(jwksFetches).toBe(fetchesAfterFirst); // cached

      const unknown = await sign(demoClaims(), rsaNew.privateKey, { alg: 'RS256', kid: 'new' });
      await expectRejected(gw, `Bearer ${unknown}`, /unknown signing key/);

      jwks.keys.push({ ...(await exportJWK(rsaNew.publicKey)), kid: 'new', alg: 'RS256', use: 'sig' });
      expect((await gw.query(PUBLIC_QUERY, undefined, { authorization: `Bearer ${unknown}` })).status).toBe(200);
      expect(jwksFetches).toBeGreaterThan(fetchesAfterFirst);
    } finally {
      await gw.close();
    }
  });
});

describe('API keys and anonymous access', () => {
  const adminKey = 'ops-key-0123456789abcdef';
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startDemoGateway({
      configure: (config) => ({
        ...config,
        auth: {
          ...config.auth,
          anonymous: false,
          apiKeys: { header: 'x-api-key', keys: [{ client: 'ops-console', sha256: sha256(adminKey), roles: ['admin'], scopes: [] }] },
        },
      }),
    });
  });
  afterAll(() => gw.close());

  test('a key stored as a hash maps to its client and roles (an admin reads private fields)', async () => {
    const { status, body } = await gw.query('{ user(id: "2") { email } }', undefined, { 'x-api-key': adminKey });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ user: { email: expect.stringContaining('@') } });
  });

  test('an unknown key is refused, naming the header', async () => {
    await expectRejectedWith(gw, { 'x-api-key': 'guess-guess-guess-guess' }, /unknown API key in x-api-key/);
  });

  test('with anonymous access off, a request without credentials is refused', async () => {
    const { status, headers, body } = await gw.query(PUBLIC_QUERY);
    expect(status).toBe(401);
    expect(body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/credentials required/), extensions: { code: 'UNAUTHENTICATED' } });
    expect(headers.get('www-authenticate')).toBe('Bearer realm="tessera"');
  });
});

async function expectRejectedWith(gw: RunningGateway, headers: Record<string, string>, reason: RegExp) {
  const { status, body } = await gw.query(PUBLIC_QUERY, undefined, headers);
  expect(status).toBe(401);
  expect(body.errors?.[0]).toMatchObject({ message: expect.stringMatching(reason), extensions: { code: 'UNAUTHENTICATED' } });
}
