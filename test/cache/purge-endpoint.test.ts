import { createSchema, createYoga } from 'graphql-yoga';
import { Registry } from 'prom-client';
import { createMemoryBackend } from '../../gateway/cache/memory';
import { createCacheMetrics } from '../../gateway/cache/metrics';
import { PURGE_PATH, usePurgeEndpoint } from '../../gateway/cache/purge-endpoint';
import { createResponseStore } from '../../gateway/cache/store';

describe('the purge endpoint is admin-only', () => {
  const schema = createSchema({ typeDefs: 'type Query { ok: Boolean }' });
  const store = createResponseStore(createMemoryBackend({ maxEntries: 10, maxBytes: 10_000, onEvict: () => {} }), {
    timeoutMs: 1000,
    metrics: createCacheMetrics(new Registry()),
    onError: () => {},
  });

  test('a caller the authorize check refuses gets 403 and purges nothing', async () => {
    await store.set('k', { data: { ok: true } }, [{ typename: 'Product', id: 1 }], 60_000);
    const seen: Request[] = [];
    const yoga = createYoga({ schema, plugins: [usePurgeEndpoint({ store, authorize: async (request) => (seen.push(request), false) })] });
    const response = await yoga.fetch(`http://localhost${PURGE_PATH}`, { method: 'POST', body: '{"type":"Product"}' });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN' } }] });
    expect(seen).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(await store.get('k')))).toEqual({ data: { ok: true } }); // as the client gets it
  });

  test('an authorized caller purges by type', async () => {
    await store.set('k', { data: { ok: true } }, [{ typename: 'Product', id: 1 }], 60_000);
    const yoga = createYoga({ schema, plugins: [usePurgeEndpoint({ store, authorize: async () => true })] });
    const response = await yoga.fetch(`http://localhost${PURGE_PATH}?type=Product`, { method: 'POST' });
    expect(await response.json()).toEqual({ purged: 1, scope: 'type' });
    expect(await store.get('k')).toBeUndefined();
  });
});
