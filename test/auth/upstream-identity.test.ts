import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createGateway } from '../../gateway/gateway';
import { listen } from '../../gateway/server/listen';
import { loadConfig } from '../../gateway/config/load';
import type { TesseraConfig, UpstreamCredentials } from '../../gateway/config/schema';
import { signIdentityHeaders, verifyIdentityHeaders } from '../../gateway/upstream/identity-headers';
import { DEMO_IDENTITY_SECRET } from '../../sources';
import pino from 'pino';
import { REPO_ROOT, startDemoGateway, type RunningGateway } from '../support/harness';
import { asUser } from '../support/identity';

interface Recorder {
  url: string;
  seen: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** A pass-through proxy in front of a demo service that records what reached it. */
async function recordingProxy(target: string): Promise<Recorder> {
  const seen: Recorder['seen'] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (!isHealthProbe(req.url)) seen.push({ method: req.method!, path: req.url!, headers: req.headers });
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<string, string>;
    const reply = await fetch(target + req.url, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    res.writeHead(reply.status, { 'content-type': reply.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await reply.arrayBuffer()));
  });
  return serve(server, seen);
}

/** The gateway's active health checks (GET /, resilience.health.path) are not calls for clients. */
const isHealthProbe = (path: string | undefined) => path === '/';

async function serve(server: Server, seen: Recorder['seen']): Promise<Recorder> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('the caller\'s identity reaches upstreams signed; client copies never do', () => {
  let gw: RunningGateway;
  let orders: Recorder;
  beforeAll(async () => {
    gw = await startDemoGateway({
      urls: async (services) => {
        orders = await recordingProxy(services.orders.url);
        return { orders: orders.url };
      },
      // Even a config that forwards the identity headers by name cannot let a client set them.
      configure: (config) => ({
        ...config,
        sources: config.sources.map((s) => (s.name === 'orders' ? { ...s, forwardHeaders: [...s.forwardHeaders, 'x-user-id', 'x-user-roles', 'x-identity-signature'] } : s)),
      }),
    });
  });
  afterAll(async () => {
    await gw.close();
    await orders.close();
  });

  test('a customer\'s order carries X-User-Id/Roles signed over method and path; the service verifies them', async () => {
    orders.seen.length = 0;
    const headers = { ...(await asUser('3', ['customer'])), 'x-user-id': '1', 'x-user-roles': 'admin' };
    const { body } = await gw.query('mutation { createOrder(input: { userId: "3", productId: "2", quantity: 1 }) { id } }', undefined, headers);
    expect(body.errors).toBeUndefined();
    const [call] = orders.seen;
    expect(call.headers['x-user-id']).toBe('3');
    expect(call.headers['x-user-roles']).toBe('customer');
    const verified = verifyIdentityHeaders(call.headers, { secret: DEMO_IDENTITY_SECRET, method: call.method, path: call.path });
    expect(verified).toEqual({ ok: true, identity: { subject: '3', roles: ['customer'], scopes: [] } });
    // Replayed later, or on another path, the same headers are refused.
    const later = Date.now() + 120_000;
    expect(verifyIdentityHeaders(call.headers, { secret: DEMO_IDENTITY_SECRET, method: 'POST', path: call.path, now: later })).toMatchObject({ ok: false, reason: expect.stringMatching(/replay/) });
    expect(verifyIdentityHeaders(call.headers, { secret: DEMO_IDENTITY_SECRET, method: 'POST', path: '/orders?x=1' })).toEqual({ ok: false, reason: 'bad identity signature' });
    expect(verifyIdentityHeaders(call.headers, { secret: 'another-secret-entirely', method: 'POST', path: call.path })).toMatchObject({ ok: false });
  });

  test('an anonymous client that sends identity headers: none reach the upstream', async () => {
    orders.seen.length = 0;
    const forged = signIdentityHeaders('guessed-secret-guessed', 'GET', '/orders?limit=1', { subject: '1', roles: ['admin'], scopes: [] });
    const { body } = await gw.query('{ orders(limit: 1) { id } }', undefined, forged);
    expect(body.errors).toBeUndefined();
    expect(orders.seen).toHaveLength(1);
    for (const name of Object.keys(forged)) expect(orders.seen[0].headers[name]).toBeUndefined();
  });

  test('the orders service itself refuses a direct call with a forged identity (401) and a mismatched one (403)', async () => {
    const direct = gw.services.orders.url;
    const body = JSON.stringify({ userId: 1, productId: 1, quantity: 1 });
    const forged = signIdentityHeaders('guessed-secret-guessed', 'POST', '/orders', { subject: '1', roles: [], scopes: [] });
    const refused = await fetch(`${direct}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', ...forged }, body });
    expect(refused.status).toBe(401);
    const other = signIdentityHeaders(DEMO_IDENTITY_SECRET, 'POST', '/orders', { subject: '2', roles: ['customer'], scopes: [] });
    const mismatched = await fetch(`${direct}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', ...other }, body });
    expect(mismatched.status).toBe(403);
  });
});

describe('the gateway\'s own upstream credentials, placed where the spec\'s securitySchemes say', () => {
  let echo: Recorder;
  let tokenRequests: Array<{ authorization?: string; body: string }>;
  let tokenServer: Recorder;
  let tokenLifetime = 3600;
  beforeAll(async () => {
    const seen: Recorder['seen'] = [];
    echo = await serve(
      createServer((req, res) => {
        if (!isHealthProbe(req.url)) seen.push({ method: req.method!, path: req.url!, headers: req.headers });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url }));
      }),
      seen,
    );
    tokenRequests = [];
    let issued = 0;
    tokenServer = await serve(
      createServer(async (req, res) => {
        let body = '';
        for await (const chunk of req) body += String(chunk);
        tokenRequests.push({ authorization: req.headers.authorization, body });
        issued++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: `tok-${issued}`, token_type: 'Bearer', expires_in: tokenLifetime }));
      }),
      [],
    );
  });
  afterAll(async () => {
    await echo.close();
    await tokenServer.close();
  });

  async function gatewayWith(credentials: UpstreamCredentials) {
    const base = loadConfig(join(REPO_ROOT, 'tessera.config.yaml'), { env: {} }).config;
    const source = { ...base.sources[0], name: 'secured', spec: join(REPO_ROOT, 'test/fixtures/specs/secured.yaml'), url: echo.url, credentials };
    const config: TesseraConfig = { ...base, sources: [source], links: {}, auth: { ...base.auth, rules: {} }, cache: { ...base.cache, enabled: false, private: [] }, rateLimits: { ...base.rateLimits, fields: {} } };
    const gateway = await createGateway(config, { logger: pino({ level: 'silent' }) });
    const running = await listen(gateway, 0, '127.0.0.1');
    const query = async () => {
      const response = await fetch(`${running.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ echo { path } }' }) });
      return (await response.json()) as { data?: unknown; errors?: unknown };
    };
    return { query, close: () => running.close() };
  }

  test('an API key from the config goes in the header the spec\'s apiKey scheme names', async () => {
    const gw = await gatewayWith({ type: 'apiKey', value: 'key-from-env' });
    try {
      echo.seen.length = 0;
      expect(await gw.query()).toEqual({ data: { echo: { path: '/echo' } } });
      expect(echo.seen[0].headers['x-service-key']).toBe('key-from-env');
    } finally {
      await gw.close();
    }
  });

  test('OAuth2 client credentials: one token request for many calls, refreshed when it expires', async () => {
    tokenLifetime = 31; // refreshed 30 s early: usable for about one second
    const gw = await gatewayWith({ type: 'oauth2', clientId: 'gateway', clientSecret: 's3cret', tokenUrl: `${tokenServer.url}/token`, scopes: ['things:read'] });
    try {
      echo.seen.length = 0;
      tokenRequests.length = 0;
      await Promise.all([gw.query(), gw.query(), gw.query()]);
      expect(tokenRequests).toHaveLength(1);
      expect(tokenRequests[0].authorization).toBe(`Basic ${Buffer.from('gateway:s3cret').toString('base64')}`);
      expect(new URLSearchParams(tokenRequests[0].body).get('scope')).toBe('things:read');
      const first = echo.seen.map((s) => s.headers.authorization);
      expect(new Set(first).size).toBe(1);
      expect(first[0]).toMatch(/^Bearer tok-\d+$/);

      await new Promise((resolve) => setTimeout(resolve, 1_300));
      await gw.query();
      expect(tokenRequests).toHaveLength(2);
      expect(echo.seen.at(-1)!.headers.authorization).not.toBe(first[0]);
    } finally {
      await gw.close();
    }
  });
});
