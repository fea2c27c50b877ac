import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createJwtVerifier } from '../../gateway/auth/jwt';
import { loadConfig } from '../../gateway/config/load';
import { startDemoServices } from '../../sources';
import { REPO_ROOT } from '../support/harness';

const BIN = join(REPO_ROOT, 'bin/tessera.cjs');

/** Resolves with everything the child printed (stdout and stderr) up to a line matching `pattern`. */
function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.split('\n').some((l) => pattern.test(l))) {
        clearTimeout(timer);
        resolve(seen);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing ${pattern}; output:\n${seen}`)));
  });
}

describe('tessera serve', () => {
  test('reaches the sources named by the *_URL variables and listens on PORT', async () => {
    const demo = await startDemoServices();
    const child = spawn(process.execPath, [BIN, 'serve'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: '0',
        USERS_URL: demo.services.users.url,
        PRODUCTS_URL: demo.services.products.url,
        ORDERS_URL: demo.services.orders.url,
        REVIEWS_URL: demo.services.reviews.url,
      },
    });
    try {
      const output = await waitForOutput(child, /Tessera serving/);
      const url = /"url":"([^"]+)"/.exec(output)?.[1];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
      const response = await fetch(url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ orders(limit: 2) { id customer { name } } }' }),
      });
      const body = (await response.json()) as { data: { orders: Array<{ customer: { name: string } }> } };
      expect(body.data.orders).toHaveLength(2);
      expect(demo.services.orders.stats().total).toBe(1);
      expect(demo.services.users.stats().total).toBe(1);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await demo.close();
    }
  });
});

describe('npm start (the README quick start)', () => {
  test('starts the demo services and the gateway, prints the GraphiQL URL, and answers a composed query', async () => {
    const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['start', '--silent'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: '0', CI: 'true' },
      detached: true, // its own process group, so the demo behind npm stops with it
    });
    try {
      const output = await waitForOutput(child, /GraphiQL at http:\/\/\S+/);
      const url = /GraphiQL at (http:\/\/[^\s"]+)/.exec(output)?.[1];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
      const page = await fetch(url!, { headers: { accept: 'text/html' } });
      expect(await page.text()).toContain('YogaGraphiQL');
      const response = await fetch(url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ orders(limit: 1) { customer { name } product { title } } }' }),
      });
      const body = (await response.json()) as { data: { orders: Array<{ customer: { name: string }; product: { title: string } }> } };
      expect(body.data.orders[0].customer.name).toEqual(expect.any(String));
      expect(body.data.orders[0].product.title).toEqual(expect.any(String));

      // The printed customer token, pasted as GraphiQL would send it, reads that user's own email.
      const headers = JSON.parse(/customer \(user 1\): (\{.*\})/.exec(output)![1]) as Record<string, string>;
      const own = await fetch(url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ user(id: "1") { email } }' }),
      });
      expect(await own.json()).toMatchObject({ data: { user: { email: expect.stringContaining('@') } } });
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});

describe('tessera token', () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'token', ...args], { cwd: REPO_ROOT });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });

  test('prints a token the demo config accepts, with the given subject, roles, scopes and lifetime', async () => {
    const { code, stdout } = await run(['--sub', '42', '--role', 'admin', '--role', 'customer', '--scope', 'orders:write', '--ttl', '15m']);
    expect(code).toBe(0);
    const { config } = loadConfig(join(REPO_ROOT, 'tessera.config.yaml'), { env: {} });
    const identity = await createJwtVerifier(config.auth.jwt!)(stdout.trim());
    expect(identity).toMatchObject({ subject: '42', kind: 'jwt', roles: ['admin', 'customer'], scopes: ['orders:write'] });
    const claims = identity.claims as { exp: number; iat: number };
    expect(claims.exp - claims.iat).toBe(900);
  });

  test('a malformed lifetime is refused with exit code 2 and what to write instead', async () => {
    const { code, stderr, stdout } = await run(['--sub', '42', '--ttl', 'forever']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('expected a lifetime like 3600, 15m, 1h or 7d, found "forever"');
  });
});

describe('tessera --version', () => {
  test("prints the package's version and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, '--version'], { cwd: REPO_ROOT });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.once('exit', (exitCode) => resolve({ code: exitCode, stdout: out }));
    });
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(version);
  });
});
