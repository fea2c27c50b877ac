import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startDemoServices } from '../../sources';
import { REPO_ROOT } from '../support/harness';

const BIN = join(REPO_ROOT, 'bin/tessera.cjs');

/** Resolves with the first line matching `pattern` the child prints on stdout or stderr. */
function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split('\n').find((l) => pattern.test(l));
      if (line) {
        clearTimeout(timer);
        resolve(line);
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
      const line = await waitForLine(child, /Tessera serving/);
      const url = /"url":"([^"]+)"/.exec(line)?.[1];
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
      const line = await waitForLine(child, /GraphiQL at http:\/\/\S+/);
      const url = /GraphiQL at (http:\/\/[^\s"]+)/.exec(line)?.[1];
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
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
