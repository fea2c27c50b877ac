import { asUser } from '../support/identity';
import type { RunningGateway } from '../support/harness';
import { capturedLogger, metricLines, startLimitedGateway } from './support';

const QUERY = '{ product(id: 1) { id } }';

/** POST a query with extra headers; the harness's query() cannot send X-Forwarded-For. */
async function post(gw: RunningGateway, headers: Record<string, string> = {}) {
  const response = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: QUERY }) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } };
}

const rateHeaders = (headers: Headers) => ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after'].map((name) => headers.get(name));

describe('client quotas', () => {
  const log = capturedLogger();
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startLimitedGateway({ quotas: { anonymous: { max: 3, window: '1m' }, authenticated: { max: 5, window: '1m' } } }, { logger: log.logger });
  });
  afterAll(() => gw?.close());

  test('RateLimit headers count down on every response; over the quota, 429 with Retry-After and nothing executed', async () => {
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const { status, headers, body } = await post(gw);
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      seen.push(rateHeaders(headers));
    }
    expect(seen.map(([limit, remaining, , retry]) => [limit, remaining, retry])).toEqual([
      ['3', '2', null],
      ['3', '1', null],
      ['3', '0', null],
    ]);
    for (const [, , reset] of seen) expect(Number(reset)).toBeGreaterThanOrEqual(1);
    for (const [, , reset] of seen) expect(Number(reset)).toBeLessThanOrEqual(60);

    gw.resetUpstreamCalls();
    const refused = await post(gw);
    expect(refused.status).toBe(429);
    const [limit, remaining, reset, retryAfter] = rateHeaders(refused.headers);
    expect([limit, remaining]).toEqual(['3', '0']);
    expect(retryAfter).toBe(reset);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors).toEqual([
      {
        message: `Rate limit exceeded for quota.anonymous: 3 requests per 1m per ip; retry in ${retryAfter} s`,
        extensions: { code: 'RATE_LIMITED', limit: { name: 'quota.anonymous', max: 3, window: '1m', per: 'ip' }, retryAfter: Number(retryAfter) },
      },
    ]);
    expect(gw.upstreamCalls().total).toBe(0);
  });

  test('a spoofed X-Forwarded-For (no trusted proxy) does not change who is counted', async () => {
    const { status, headers } = await post(gw, { 'x-forwarded-for': '203.0.113.9' });
    expect(status).toBe(429);
    expect(headers.get('ratelimit-remaining')).toBe('0');
  });

  test('signed-in callers have a quota of their own each, whatever the address', async () => {
    const alice = await asUser('alice', ['customer']);
    const first = await post(gw, alice);
    expect(first.status).toBe(200);
    expect(rateHeaders(first.headers).slice(0, 2)).toEqual(['5', '4']);
    expect(rateHeaders((await post(gw, await asUser('bob'))).headers).slice(0, 2)).toEqual(['5', '4']);
  });

  test('refused requests are counted on /metrics and named in their log line', async () => {
    expect(await metricLines(gw, 'tessera_rate_limited_total')).toEqual(['tessera_rate_limited_total{kind="quota",limit="quota.anonymous",client_class="anonymous"} 2']);
    const refused = log.requestLines().filter((line) => line.status === 429);
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatchObject({ rateLimited: ['quota.anonymous'], errorCodes: ['RATE_LIMITED'], client: null });
  });
});

describe('client IP behind trusted proxies', () => {
  test('X-Forwarded-For names the client when the socket peer is a trusted proxy; its left part cannot be spoofed', async () => {
    const gw = await startLimitedGateway({ quotas: { anonymous: { max: 1, window: '1m' } } }, { trustedProxies: ['127.0.0.0/8'] });
    try {
      expect((await post(gw, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
      expect((await post(gw, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(200);
      expect((await post(gw, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(429);
      // The client wrote the left entry itself; the proxy appended the address it saw (198.51.100.1).
      expect((await post(gw, { 'x-forwarded-for': '10.9.9.9, 198.51.100.1' })).status).toBe(429);
      // Without the header, the proxy's own address.
      expect((await post(gw)).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});

describe('quota and response cache', () => {
  test('a response served from the cache counts against the quota', async () => {
    const gw = await startLimitedGateway(
      { quotas: { anonymous: { max: 2, window: '1m' } } },
      { configure: (config) => ({ ...config, cache: { ...config.cache, enabled: true } }) },
    );
    try {
      const first = await post(gw);
      const second = await post(gw);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.headers.get('x-tessera-cache')).toBe('HIT');
      expect((await post(gw)).status).toBe(429);
    } finally {
      await gw.close();
    }
  });
});

describe('client quotas count whatever a client sends', () => {
  test('invalid queries, unknown document ids and bad tokens spend the quota of their IP: a runaway script is throttled too', async () => {
    const gw = await startLimitedGateway({ quotas: { anonymous: { max: 3, window: '1m' }, authenticated: { max: 100, window: '1m' } } });
    try {
      const send = (body: unknown, headers: Record<string, string> = {}) =>
        fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers }, body: JSON.stringify(body) });
      const invalid = await send({ query: '{ nosuchfield }' });
      expect([invalid.status, invalid.headers.get('ratelimit-remaining')]).toEqual([400, '2']);
      const unknownId = await send({ documentId: 'sha256:' + '0'.repeat(64) });
      expect(unknownId.headers.get('ratelimit-remaining')).toBe('1');
      const badToken = await send({ query: QUERY }, { authorization: 'Bearer forged' });
      expect([badToken.status, badToken.headers.get('ratelimit-remaining')]).toEqual([401, '0']);
      const refused = await send({ query: QUERY });
      expect(refused.status).toBe(429);
      // A signed-in caller has a quota of its own, and the one verification its token gets serves both.
      const signedIn = await send({ query: QUERY }, await asUser('9'));
      expect([signedIn.status, signedIn.headers.get('ratelimit-limit')]).toEqual([200, '100']);
    } finally {
      await gw.close();
    }
  });
});
