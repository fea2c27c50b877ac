import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDemoGateway, type RunningGateway } from '../support/harness';
import { startDemoGatewayBehindProxy, type FlakyProxy } from '../support/flaky-proxy';
import { withInstances } from '../support/instances';

describe('the client request deadline bounds every upstream call', () => {
  let slow: Server;
  let gw: RunningGateway;
  beforeAll(async () => {
    // Answers after 8 s: far beyond the 1.5 s request deadline, well within the source's own 10 s.
    slow = createServer((_req, res) => setTimeout(() => res.end('{}'), 8_000).unref());
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    gw = await startDemoGateway({
      urls: async () => ({ users: `http://127.0.0.1:${(slow.address() as AddressInfo).port}` }),
      configure: (config) => ({ ...config, resilience: { ...config.resilience, requestTimeoutMs: 1_500 } }),
    });
  });
  afterAll(async () => {
    await gw?.close();
    slow.closeAllConnections();
    await new Promise((resolve) => slow.close(resolve));
  });

  test('a slow upstream hits the deadline: that field errors with UPSTREAM_TIMEOUT, the rest answers, within the deadline', async () => {
    const started = Date.now();
    const { status, body } = await gw.query<{ user: null; products: unknown[] }>('{ user(id: "1") { name } products(limit: 2) { title } }');
    const elapsed = Date.now() - started;
    expect(status).toBe(200);
    expect(body.data!.user).toBeNull();
    expect(body.data!.products).toHaveLength(2);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ path: ['user'], extensions: { code: 'UPSTREAM_TIMEOUT', source: 'users', status: 504 } });
    // The deadline is 1.5 s and the source timeout 10 s: well under 8 s shows the deadline cut it
    // (generous: the machine is shared).
    expect(elapsed).toBeLessThan(6_000);
  });
});

describe('replies the gateway will not read', () => {
  let proxy: FlakyProxy;
  let gw: RunningGateway;
  beforeAll(async () => {
    ({ gw, proxy } = await startDemoGatewayBehindProxy('users', {
      configure: (config, proxy) =>
        withInstances(withInstances(config, 'users', [proxy.url], { maxResponseBytes: 2_000 }), 'products', [config.sources.find((s) => s.name === 'products')!.url!], {
          maxResponseBytes: 2_000,
        }),
    }));
  });
  afterAll(() => gw?.close());

  test('a 200 in HTML becomes UPSTREAM_BAD_RESPONSE naming the source and the content type', async () => {
    proxy.mode = 'html';
    const { body } = await gw.query<{ user: null; orders: unknown[] }>('{ user(id: "1") { name } orders(limit: 1) { id } }');
    expect(body.data!.user).toBeNull();
    expect(body.data!.orders).toHaveLength(1);
    expect(body.errors).toEqual([
      {
        message: 'users answered 200 with content type "text/html; charset=utf-8" where JSON was expected',
        locations: [{ line: 1, column: 3 }],
        path: ['user'],
        extensions: { code: 'UPSTREAM_BAD_RESPONSE', source: 'users', status: 502 },
      },
    ]);
  });

  test('malformed JSON becomes UPSTREAM_BAD_RESPONSE naming the source and the content type', async () => {
    proxy.mode = 'truncated';
    const { body } = await gw.query<{ user: null; orders: unknown[] }>('{ user(id: "1") { name } orders(limit: 1) { id } }');
    expect(body.data!.user).toBeNull();
    expect(body.data!.orders).toHaveLength(1);
    expect(body.errors).toEqual([
      {
        message: 'users answered 200 with content type "application/json" and a body that is not valid JSON',
        locations: [{ line: 1, column: 3 }],
        path: ['user'],
        extensions: { code: 'UPSTREAM_BAD_RESPONSE', source: 'users', status: 502 },
      },
    ]);
  });

  test('a reply over maxResponseBytes fails its field, with or without a declared length; a small one still answers', async () => {
    proxy.mode = 'ok'; // users through the proxy: chunked, no content-length
    const ids = Array.from({ length: 40 }, (_, i) => `"${i + 1}"`).join(', ');
    const chunked = await gw.query<{ big: null; small: { name: string } }>(`{ big: users(ids: [${ids}]) { name } small: user(id: "1") { name } }`);
    expect(chunked.body.data).toEqual({ big: null, small: { name: expect.any(String) } });
    expect(chunked.body.errors).toEqual([
      { message: 'users answered with more than 2000 bytes, over the limit', locations: [{ line: 1, column: 3 }], path: ['big'], extensions: { code: 'UPSTREAM_BAD_RESPONSE', source: 'users', status: 502 } },
    ]);

    const { body } = await gw.query<{ big: null; small: unknown[] }>('{ big: products(limit: 100) { title } small: products(limit: 1) { title } }');
    expect(body.data!.big).toBeNull();
    expect(body.data!.small).toHaveLength(1);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ path: ['big'], extensions: { code: 'UPSTREAM_BAD_RESPONSE', source: 'products', status: 502 } });
    expect(body.errors![0].message).toContain('2000-byte limit');
  });
});
