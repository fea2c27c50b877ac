import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import { Registry } from 'prom-client';
import { createMemoryBackend } from '../../gateway/cache/memory';
import { createCacheMetrics } from '../../gateway/cache/metrics';
import { useResponseCaching } from '../../gateway/cache/plugin';
import { createResponseStore, type ResponseStore } from '../../gateway/cache/store';
import { createUpstreamTtlBounds } from '../../gateway/cache/upstream-ttl';
import type { ServedOperation } from '../../gateway/shared/served-operation';
import { cacheSchema } from '../../gateway/config/schema';
import type { Identity, IdentityContext } from '../../gateway/auth/identity';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturedLogger } from '../ratelimit/support';
import { asUser } from '../support/identity';
import { metricValue, startCachedGateway } from './support';

// The early lane in a bare yoga server, with hooks and resolvers that count what runs.
function setUp() {
  const counts = { resolved: 0, parsed: 0, validated: 0, executed: 0, storeReads: 0 };
  const makeSchema = () =>
    createSchema({
      typeDefs: 'type Query { greeting(name: String): String, secret: String }',
      resolvers: { Query: { greeting: (_: unknown, { name }: { name?: string }) => (counts.resolved++, `hello ${name ?? 'world'}`), secret: () => 's' } },
    });
  let schema: GraphQLSchema = makeSchema();
  const backend = createMemoryBackend({ maxEntries: 100, maxBytes: 1_000_000, onEvict: () => {} });
  const inner = createResponseStore(backend, { timeoutMs: 1000, metrics: createCacheMetrics(new Registry()), onError: () => {} });
  const store: ResponseStore = { ...inner, get: (key) => (counts.storeReads++, inner.get(key)) };
  const served: ServedOperation[] = [];
  const counting: Plugin = {
    onParse: () => void counts.parsed++,
    onValidate: () => void counts.validated++,
    onExecute: () => void counts.executed++,
  };
  // Bearer <subject>:<role>; "Bearer broken" is refused, as a bad token is.
  const callerOf = async (request: Request): Promise<Identity | null> => {
    const authorization = request.headers.get('authorization');
    if (authorization === null) return null;
    if (authorization === 'Bearer broken') throw new Error('invalid token');
    const [subject, role] = authorization.slice('Bearer '.length).split(':');
    return { subject, kind: 'jwt', roles: [role], scopes: [], claims: {} };
  };
  // What useAuthentication does on the gateway: the identity on the context.
  const authentication: Plugin = {
    async onContextBuilding({ context, extendContext }) {
      const extend = extendContext as (extension: IdentityContext) => void;
      extend({ identity: await callerOf((context as { request: Request }).request) });
    },
  };
  const yoga = createYoga({
    schema: () => schema,
    plugins: [
      counting,
      authentication,
      useResponseCaching({
        config: cacheSchema.parse({ enabled: true, private: ['Query.secret'] }),
        store,
        metrics: createCacheMetrics(new Registry()),
        upstreamBounds: createUpstreamTtlBounds(),
        early: { currentSchema: () => schema, callerOf, onServed: (operation) => served.push(operation) },
      }),
    ],
  });
  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: response.status, cache: response.headers.get('x-tessera-cache'), text: await response.text() };
  };
  return { counts, served, post, backend, swapSchema: () => (schema = makeSchema()) };
}

const QUERY = 'query Greet($name: String) { greeting(name: $name) }';

test('a repeated query is answered before parsing, validation and execution, with the same bytes', async () => {
  const { counts, served, post } = setUp();
  const miss = await post({ query: QUERY, variables: { name: 'a' } });
  expect(miss.cache).toBe('MISS');
  const executedHit = await post({ query: `${QUERY} # another text, the same document`, variables: { name: 'a' } });
  expect(executedHit.cache).toBe('HIT');
  expect(counts).toMatchObject({ resolved: 1, parsed: 2, validated: 2, executed: 2 });

  const early = await post({ query: QUERY, variables: { name: 'a' } });
  expect(early.cache).toBe('HIT');
  expect(early.text).toBe(executedHit.text);
  expect(counts).toMatchObject({ resolved: 1, parsed: 2, validated: 2, executed: 2 });
  // What the request log and usage record would have seen in onExecute.
  expect(served).toHaveLength(1);
  expect(served[0]).toMatchObject({ operationName: undefined, contextValue: expect.objectContaining({ params: expect.objectContaining({ query: QUERY }) }) });
  expect(served[0].document.definitions[0]).toMatchObject({ name: { value: 'Greet' } });
});

test('other variables, operation name or language are other parameters: the full path answers them', async () => {
  const { counts, post } = setUp();
  await post({ query: QUERY, variables: { name: 'a' } });
  await post({ query: QUERY, variables: { name: 'b' } });
  await post({ query: QUERY, variables: { name: 'a' }, operationName: 'Greet' });
  await post({ query: QUERY, variables: { name: 'a' } }, { 'accept-language': 'de' });
  expect(counts.executed).toBe(4);
  expect((await post({ query: QUERY, variables: { name: 'b' } })).cache).toBe('HIT');
  expect(counts.executed).toBe(4);
});

test("a signed-in caller's repeat is answered early from the entry of its own scope; a refused credential takes the full path", async () => {
  const { counts, post } = setUp();
  await post({ query: QUERY });
  expect((await post({ query: QUERY }, { authorization: 'Bearer ann:customer' })).cache).toBe('MISS');
  expect(counts.executed).toBe(2);
  // Same grants, another user: a public document's entry is shared, as the full path shares it.
  expect((await post({ query: QUERY }, { authorization: 'Bearer bob:customer' })).cache).toBe('HIT');
  expect(counts.executed).toBe(2);
  expect((await post({ query: QUERY }, { authorization: 'Bearer cid:admin' })).cache).toBe('MISS');
  expect(counts.executed).toBe(3);
  // Refused by the full path's authentication, as it would be without an entry.
  const refused = await post({ query: QUERY }, { authorization: 'Bearer broken' });
  expect([refused.status, refused.cache]).toEqual([500, null]);
  expect(counts.executed).toBe(3);
});

test("private selections: per user, never another's; anonymous callers' are never cached", async () => {
  const { counts, post } = setUp();
  for (let i = 0; i < 2; i++) expect((await post({ query: '{ secret }' })).cache).toBe('BYPASS');
  expect(counts.executed).toBe(2);
  expect((await post({ query: '{ secret }' }, { authorization: 'Bearer ann:customer' })).cache).toBe('MISS');
  expect((await post({ query: '{ secret }' }, { authorization: 'Bearer ann:customer' })).cache).toBe('HIT');
  expect(counts.executed).toBe(3);
  expect((await post({ query: '{ secret }' }, { authorization: 'Bearer bob:customer' })).cache).toBe('MISS');
  expect(counts.executed).toBe(4);
});

test('an entry gone from the store (expired, invalidated, purged) is executed again, with one store read', async () => {
  const { counts, post, backend } = setUp();
  await post({ query: QUERY });
  await backend.entries.clear();
  const reads = counts.storeReads;
  const again = await post({ query: QUERY });
  expect(again.cache).toBe('MISS');
  expect(counts.resolved).toBe(2);
  expect(counts.storeReads - reads).toBe(1);
  expect((await post({ query: QUERY })).cache).toBe('HIT');
  expect(counts.resolved).toBe(2);
});

test('a new schema (a reload) remembers nothing: its first repeat takes the full path', async () => {
  const { counts, post, swapSchema } = setUp();
  await post({ query: QUERY });
  await post({ query: QUERY });
  expect(counts.executed).toBe(1);
  swapSchema();
  await post({ query: QUERY });
  expect(counts.executed).toBe(2);
  await post({ query: QUERY });
  expect(counts.executed).toBe(2);
});

describe('the demo gateway answering repeated queries early', () => {
  const ORDERS = 'query Orders { orders(limit: 3) { id customer { name } product { title } } }';

  test('the headers and bytes are those of a hit the full path answers', async () => {
    const gw = await startCachedGateway();
    try {
      const post = async (query: string) => {
        const response = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
        const headers = Object.fromEntries([...response.headers].filter(([name]) => !['date', 'x-request-id'].includes(name)));
        return { status: response.status, headers, text: await response.text() };
      };
      await post(ORDERS);
      const executedHit = await post(`${ORDERS} # another text: not remembered, so executed`);
      const early = await post(ORDERS);
      expect(executedHit.headers['x-tessera-cache']).toBe('HIT');
      expect(early).toEqual(executedHit);
    } finally {
      await gw.close();
    }
  });

  test('the request log, /metrics, the usage figures and the usage record count them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-early-'));
    const usageFile = join(dir, 'usage.json');
    const { logger, requestLines } = capturedLogger();
    const gw = await startCachedGateway({}, { logger, configure: (config) => ({ ...config, usage: { ...config.usage, record: true, file: usageFile, flushIntervalMs: 60_000 } }) });
    try {
      for (let i = 0; i < 3; i++) expect((await gw.query(ORDERS)).status).toBe(200);
      const logged = requestLines();
      expect(logged.map((line) => [line.operation, line.cacheStatus, line.status, line.outcome])).toEqual([
        ['Orders', 'miss', 200, 'ok'],
        ['Orders', 'hit', 200, 'ok'],
        ['Orders', 'hit', 200, 'ok'],
      ]);
      expect(await metricValue(gw, 'tessera_cache_hits_total')).toBe(2);
      const usage = gw.gateway.usage.snapshot();
      expect(usage.operations.map(({ operation, count }) => ({ operation, count }))).toEqual([{ operation: 'Orders', count: 3 }]);
      expect(usage.fields).toContainEqual({ field: 'Product.title', count: 3 });
    } finally {
      await gw.close(); // flushes the usage record
    }
    try {
      const record = JSON.parse(readFileSync(usageFile, 'utf8')) as { operations: Record<string, { name: string; count: number }> };
      expect(Object.values(record.operations).map(({ name, count }) => ({ name, count }))).toEqual([{ name: 'Orders', count: 3 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the per-client quota counts them: past it, 429 even for a cached query', async () => {
    const gw = await startCachedGateway({}, { configure: (config) => ({ ...config, rateLimits: { ...config.rateLimits, enabled: true, fields: {}, quotas: { anonymous: { max: 3, window: '1m' } } } }) });
    try {
      const answers = [];
      for (let i = 0; i < 4; i++) {
        const { status, headers } = await gw.query(ORDERS);
        answers.push([status, headers.get('x-tessera-cache'), headers.get('ratelimit-remaining')]);
      }
      expect(answers).toEqual([
        [200, 'MISS', '2'],
        [200, 'HIT', '1'],
        [200, 'HIT', '0'],
        [429, null, '0'],
      ]);
    } finally {
      await gw.close();
    }
  });

  test("signed-in callers' repeats are hits of their own scope, never another user's private entry; a wrong token gets its 401", async () => {
    const { logger, requestLines } = capturedLogger();
    const gw = await startCachedGateway({}, { logger });
    try {
      const PRIVATE = 'query Me { user(id: "7") { name email } }';
      const ann = await asUser('7', ['customer']);
      const bob = await asUser('8', ['customer']);
      const sent: Array<[string, Record<string, string>]> = [[ORDERS, ann], [ORDERS, ann], [ORDERS, bob], [PRIVATE, ann], [PRIVATE, ann], [PRIVATE, bob]];
      const answers = [];
      for (const [query, headers] of sent) answers.push(await gw.query<{ user?: { email?: string | null } }>(query, undefined, headers));
      expect(answers.map((answer) => answer.headers.get('x-tessera-cache'))).toEqual(['MISS', 'HIT', 'HIT', 'MISS', 'HIT', 'MISS']);
      const annEmail = answers[3].body.data?.user?.email;
      expect(annEmail).toEqual(expect.stringContaining('@'));
      expect(answers[4].body.data?.user?.email).toBe(annEmail);
      expect(JSON.stringify(answers[5].body)).not.toContain(annEmail);
      // The log line of a hit names its caller, whichever path answered it.
      expect(requestLines().map((line) => (line.client as { subject: string } | null)?.subject)).toEqual(['7', '7', '8', '7', '7', '8']);
      const wrong = await gw.query(ORDERS, undefined, { authorization: 'Bearer not-a-token' });
      expect(wrong.status).toBe(401);
    } finally {
      await gw.close();
    }
  });
});
