import { PassThrough } from 'node:stream';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { createLogger } from '../../gateway/observability/logger';
import { createMetrics } from '../../gateway/observability/metrics';
import { useRequestObservability } from '../../gateway/observability/request-log';
import { createUsageStats } from '../../gateway/observability/usage';
import { startDemoGateway, type RunningGateway } from '../support/harness';
import { asUser } from '../support/identity';

describe('one structured log line per GraphQL request', () => {
  const lines: Array<Record<string, unknown>> = [];
  let gw: RunningGateway;
  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    });
    // Not a TTY, so `pretty: auto` must give JSON lines.
    gw = await startDemoGateway({ logger: createLogger({ level: 'info', pretty: 'auto' }, stream) });
  });
  afterAll(() => gw.close());

  test('names the operation, its duration, upstream calls and the request id; echoes the id', async () => {
    lines.length = 0;
    const auth = await asUser('1', ['customer']);
    const { headers } = await gw.query('query OrdersPage { orders(limit: 5) { customer { name } product { title } } }', undefined, {
      'x-request-id': 'req-42',
      ...auth,
    });
    await new Promise((resolve) => setImmediate(resolve));
    const requestLines = lines.filter((l) => l.msg === 'graphql request');
    expect(requestLines).toEqual([
      expect.objectContaining({ requestId: 'req-42', operation: 'OrdersPage', status: 200, outcome: 'ok', upstreamCalls: 3, errors: 0, durationMs: expect.any(Number) }),
    ]);
    expect(headers.get('x-request-id')).toBe('req-42');
    expect(JSON.stringify(lines)).not.toContain(auth.authorization.slice('Bearer '.length));
  });

  test('a request with an upstream error is logged as such, with a generated id', async () => {
    lines.length = 0;
    const { headers } = await gw.query('{ user(id: "999999") { name } }');
    await new Promise((resolve) => setImmediate(resolve));
    const [line] = lines.filter((l) => l.msg === 'graphql request');
    expect(line).toMatchObject({ operation: 'anonymous', outcome: 'error', errors: 1, upstreamCalls: 1 });
    expect(line.requestId).toBe(headers.get('x-request-id'));
    expect(line.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('requests refused before their parameters are read are logged as "invalid"; GraphiQL and preflights are not', async () => {
    lines.length = 0;
    await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'bad-body' }, body: '{bad' });
    await fetch(`${gw.url}?query=%7B__typename%7D&variables=%7Bbad`, { headers: { 'x-request-id': 'bad-get' } });
    await fetch(gw.url, { headers: { accept: 'text/html' } });
    await fetch(gw.url, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    await new Promise((resolve) => setImmediate(resolve));
    const requestLines = lines.filter((l) => l.msg === 'graphql request');
    expect(requestLines).toEqual([
      expect.objectContaining({ requestId: 'bad-body', operation: 'invalid', status: 400, outcome: 'error' }),
      expect.objectContaining({ requestId: 'bad-get', operation: 'invalid', status: 400, outcome: 'error', errorCodes: ['BAD_REQUEST'] }),
    ]);
  });
});

describe('log line fields filled by other capabilities', () => {
  test('client identity (subject and kind only), cache status from the context, trace id from the client', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)));
    const metrics = createMetrics();
    const observability = useRequestObservability({ logger: createLogger({ level: 'info', pretty: 'never' }, stream), metrics, usage: createUsageStats() });
    // Stand-ins for authentication and the response cache: they put their findings on the context.
    const identity = { subject: 'client-7', kind: 'jwt', roles: ['admin'], scopes: ['read'], claims: { email: 'secret@example.com' } };
    const findings: Plugin<{ identity?: unknown; cacheStatus?: string }> = { onContextBuilding: ({ extendContext }) => extendContext({ identity, cacheStatus: 'hit' }) };
    const yoga = createYoga({
      schema: createSchema({ typeDefs: 'type Query { ok: Boolean }', resolvers: { Query: { ok: () => true } } }),
      logging: false,
      plugins: [findings, observability.plugin],
    });
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', authorization: 'Bearer secret-token' },
      body: JSON.stringify({ query: 'query Ok { ok }' }),
    });
    expect(await response.json()).toEqual({ data: { ok: true } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.filter((l) => l.msg === 'graphql request')).toEqual([
      expect.objectContaining({ operation: 'Ok', traceId: '0af7651916cd43dd8448eb211c80319c', client: { subject: 'client-7', kind: 'jwt' }, cacheStatus: 'hit' }),
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/secret-token|secret@example\.com|admin/);
    expect(await metrics.registry.metrics()).toMatch(/^tessera_cache_requests_total\{status="hit"\} 1$/m);
  });
});
