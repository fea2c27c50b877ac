import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceConfig, TesseraConfig } from '../../gateway/config/schema';
import type { RunningGateway } from '../support/harness';
import { until } from '../support/until';
import { startDemoGatewayBehindProxy, type FlakyProxy } from '../support/flaky-proxy';

/** users: its spec read from its own URL (through the proxy), with the given `whenDown`. */
function usersSpecFromUrl(config: TesseraConfig, proxy: FlakyProxy, whenDown: SourceConfig['resilience']['whenDown'], specCache: string): TesseraConfig {
  return {
    ...config,
    resilience: { ...config.resilience, specCache, reload: { watch: false, pollIntervalMs: 300 } },
    sources: config.sources.map((s): SourceConfig =>
      s.name === 'users' && s.kind === 'openapi' ? { ...s, url: proxy.url, spec: `${proxy.url}/openapi.yaml`, resilience: { ...s.resilience, whenDown } } : s,
    ),
  };
}

// Reloads recompose the schema, which takes seconds on a loaded machine: generous bounds.
jest.setTimeout(90_000);

describe('start-up with a source down', () => {
  let gw: RunningGateway | undefined;
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });
  const start = (whenDown: SourceConfig['resilience']['whenDown'], specCache: string, mode: FlakyProxy['mode']) =>
    startDemoGatewayBehindProxy('users', { mode, configure: (config, proxy) => usersSpecFromUrl(config, proxy, whenDown, specCache) });

  test('last-known-good: starts on the spec saved by an earlier run, then recovers when the source is back', async () => {
    const specCache = mkdtempSync(join(tmpdir(), 'tessera-spec-cache-'));
    await (await start('last-known-good', specCache, 'ok')).gw.close(); // a good run: the spec is saved
    let proxy: FlakyProxy;
    ({ gw, proxy } = await start('last-known-good', specCache, 'fail')); // down before the gateway starts
    const down = await gw.query<{ user: null; products: unknown[] }>('{ user(id: "1") { name } products(limit: 1) { title } }');
    expect(down.body.data!.products).toHaveLength(1);
    expect(down.body.errors?.[0]).toMatchObject({ path: ['user'], extensions: { source: 'users' } });
    const readyz = (await (await fetch(`${gw.base}/readyz`)).json()) as { degradedSources?: Array<{ source: string; how: string }> };
    expect(readyz.degradedSources).toEqual([expect.objectContaining({ source: 'users', how: 'last-known-good' })]);

    proxy.mode = 'ok';
    expect(await until(async () => (await gw!.query('{ user(id: "1") { name } }')).body.errors === undefined, 300)).toBe(true);
    expect(await until(async () => gw!.gateway.status.schema().degradedSources === undefined, 300)).toBe(true);
  });

  test('skip: starts without the source and the links that need it, and adds them when it comes up', async () => {
    let proxy: FlakyProxy;
    ({ gw, proxy } = await start('skip', mkdtempSync(join(tmpdir(), 'tessera-spec-cache-')), 'fail'));
    const without = await gw.query('{ orders(limit: 1) { id } }');
    expect(without.body.errors).toBeUndefined();
    const missing = await gw.query('{ orders(limit: 1) { customer { name } } }');
    expect(missing.status).toBe(400); // Order.customer is not in the schema while users is out
    expect(gw.gateway.status.schema().degradedSources).toEqual([expect.objectContaining({ source: 'users', how: 'skipped' })]);

    proxy.mode = 'ok';
    expect(await until(async () => (await gw!.query('{ orders(limit: 1) { customer { name } } }')).body.errors === undefined, 300)).toBe(true);
    const { body } = await gw.query<{ user: { name: string } }>('{ user(id: "1") { name } }');
    expect(body.data!.user.name).toEqual(expect.any(String));
  });
});
