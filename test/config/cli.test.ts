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
