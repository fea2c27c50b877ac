import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningGateway } from '../support/harness';
import { ttlBoundOf } from '../../gateway/cache/upstream-ttl';
import { startCachedGateway } from './support';

/** A proxy in front of a demo service that adds the Cache-Control header the test chooses. */
async function cacheControlProxy(target: string, header: () => string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const upstream = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, { ...reply.headers, 'cache-control': header() });
      reply.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('upstream Cache-Control bounds the TTL of responses using that upstream', () => {
  let gw: RunningGateway;
  let proxy: Server | undefined;
  let productsCacheControl = 'max-age=7';
  beforeAll(async () => {
    gw = await startCachedGateway(
      { defaultTtlSeconds: 60 },
      {
        urls: async (services) => {
          const started = await cacheControlProxy(services.products.url, () => productsCacheControl);
          proxy = started.server;
          return { products: started.url };
        },
      },
    );
  });
  afterAll(async () => {
    await gw.close();
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  });

  test('max-age=7 upstream: the response lives 7 s, not the 60 s default', async () => {
    productsCacheControl = 'public, max-age=7';
    const response = await gw.query('{ product(id: 11) { id } }');
    expect(response.body.extensions).toMatchObject({ responseCache: { didCache: true, ttl: 7000 } });
  });

  test('no-store upstream: the response is not cached; other upstreams are unaffected', async () => {
    productsCacheControl = 'no-store';
    await gw.query('{ product(id: 12) { id } }');
    const again = await gw.query('{ product(id: 12) { id } }');
    expect(again.headers.get('x-tessera-cache')).toBe('MISS');
    await gw.query('{ user(id: 12) { id } }');
    expect((await gw.query('{ user(id: 12) { id } }')).headers.get('x-tessera-cache')).toBe('HIT');
  });

  test('header parsing: s-maxage wins for a shared cache; private and no-cache forbid caching', () => {
    expect(ttlBoundOf('max-age=30, s-maxage=5')).toBe(5000);
    expect(ttlBoundOf('private, max-age=30')).toBe(0);
    expect(ttlBoundOf('no-cache')).toBe(0);
    expect(ttlBoundOf('public')).toBeUndefined();
  });
});
