import { join } from 'node:path';
import { createAuthenticator } from '../../gateway/auth/authenticate';
import { loadConfig } from '../../gateway/config/load';
import { REPO_ROOT } from '../support/harness';
import { asUser } from '../support/identity';

describe('the authenticator verifies each request once', () => {
  const { auth } = loadConfig(join(REPO_ROOT, 'tessera.config.yaml'), { env: {} }).config;

  test('every plugin asking about the same request gets the one verdict; another request is verified anew', async () => {
    const { authenticate } = createAuthenticator(auth);
    const headers = await asUser('7', ['admin']);
    const request = new Request('http://gateway.test/graphql', { headers });
    const first = await authenticate(request);
    expect(first).toMatchObject({ subject: '7', roles: ['admin'] });
    expect(await authenticate(request)).toBe(first); // the same object: not verified again
    const other = await authenticate(new Request('http://gateway.test/graphql', { headers }));
    expect(other).toEqual(first);
    expect(other).not.toBe(first);
  });

  test('a refused credential is refused the same way each time it is asked about', async () => {
    const { authenticate } = createAuthenticator(auth);
    const request = new Request('http://gateway.test/graphql', { headers: { authorization: 'Bearer not-a-jwt' } });
    await expect(authenticate(request)).rejects.toThrow();
    await expect(authenticate(request)).rejects.toThrow();
  });

  test('the verdict comes without a promise unless a JWT is verified, and agrees with authenticate', async () => {
    const key = 'a-key-of-the-ops-team-0001';
    const { verdictOf, authenticate } = createAuthenticator({ ...auth, apiKeys: { ...auth.apiKeys, keys: [{ client: 'ops', key, roles: [], scopes: [] }] } });
    const anonymous = new Request('http://gateway.test/graphql');
    expect(verdictOf(anonymous)).toBeNull();
    const withKey = new Request('http://gateway.test/graphql', { headers: { 'x-api-key': key } });
    expect(verdictOf(withKey)).toMatchObject({ subject: 'ops' });
    expect(await authenticate(withKey)).toBe(verdictOf(withKey));
    const unknownKey = new Request('http://gateway.test/graphql', { headers: { 'x-api-key': 'not-a-key' } });
    expect(() => verdictOf(unknownKey)).toThrow('unknown API key in x-api-key');
    await expect(authenticate(unknownKey)).rejects.toThrow('unknown API key in x-api-key');
    const withJwt = new Request('http://gateway.test/graphql', { headers: await asUser('7', []) });
    const pending = verdictOf(withJwt);
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toMatchObject({ subject: '7' });
  });
});

describe('the authenticator follows a reloaded config', () => {
  const { auth } = loadConfig(join(REPO_ROOT, 'tessera.config.yaml'), { env: {} }).config;
  const key = 'a-key-of-the-ops-team-0001';
  const withKey = { ...auth, apiKeys: { ...auth.apiKeys, keys: [{ client: 'ops', key, roles: ['admin'], scopes: [] }] } };
  const requestWithKey = () => new Request('http://gateway.test/graphql', { headers: { 'x-api-key': key } });

  test('a key added by a reload is accepted, and refused again once a reload removes it', async () => {
    const authentication = createAuthenticator(auth);
    await expect(authentication.authenticate(requestWithKey())).rejects.toThrow('unknown API key in x-api-key');
    authentication.update(withKey);
    await expect(authentication.authenticate(requestWithKey())).resolves.toMatchObject({ subject: 'ops', roles: ['admin'] });
    authentication.update(auth);
    await expect(authentication.authenticate(requestWithKey())).rejects.toThrow('unknown API key in x-api-key');
  });

  test('a request verified before a reload keeps its verdict; the next one gets the new settings', async () => {
    const authentication = createAuthenticator(withKey);
    const inFlight = requestWithKey();
    const before = await authentication.authenticate(inFlight);
    authentication.update({ ...withKey, anonymous: false, apiKeys: { ...withKey.apiKeys, keys: [] } });
    expect(await authentication.authenticate(inFlight)).toBe(before);
    await expect(authentication.authenticate(requestWithKey())).rejects.toThrow('unknown API key');
    await expect(authentication.authenticate(new Request('http://gateway.test/graphql'))).rejects.toThrow('credentials required');
  });
});
