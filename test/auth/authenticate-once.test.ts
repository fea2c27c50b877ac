import { join } from 'node:path';
import { createAuthenticator } from '../../gateway/auth/authenticate';
import { loadConfig } from '../../gateway/config/load';
import { REPO_ROOT } from '../support/harness';
import { asUser } from '../support/identity';

describe('the authenticator verifies each request once', () => {
  const { auth } = loadConfig(join(REPO_ROOT, 'tessera.config.yaml'), { env: {} }).config;

  test('every plugin asking about the same request gets the one verdict; another request is verified anew', async () => {
    const authenticate = createAuthenticator(auth);
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
    const authenticate = createAuthenticator(auth);
    const request = new Request('http://gateway.test/graphql', { headers: { authorization: 'Bearer not-a-jwt' } });
    await expect(authenticate(request)).rejects.toThrow();
    await expect(authenticate(request)).rejects.toThrow();
  });
});
