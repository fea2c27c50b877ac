import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SourceConfig, TesseraConfig } from '../../gateway/config/schema';
import { startDemoGateway, type RunningGateway } from '../support/harness';
import { startFlakyProxy, type FlakyProxy } from '../support/flaky-proxy';

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

async function until(condition: () => Promise<boolean>, tries = 100): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await condition()) return true;
    await sleep(100);
  }
  return false;
}

describe('start-up with a source down', () => {
  let proxy: FlakyProxy | undefined;
  let gw: RunningGateway | undefined;
  afterEach(async () => {
    await gw?.close();
    await proxy?.close();
    gw = proxy = undefined;
  });
  const start = (whenDown: SourceConfig['resilience']['whenDown'], specCache: string) =>
    startDemoGateway({
      urls: async (services) => {
        proxy = await startFlakyProxy(services.users.url);
        return {};
      },
      configure: (config) => usersSpecFromUrl(config, proxy!, whenDown, specCache),
    });

  test('last-known-good: starts on the spec saved by an earlier run, then recovers when the source is back', async () => {
    const specCache = mkdtempSync(join(tmpdir(), 'tessera-spec-cache-'));
    gw = await start('last-known-good', specCache); // a good run: the spec is saved
    await gw.close();
    await proxy!.close();
    gw = undefined;

    gw = await startDemoGateway({
      urls: async (services) => {
        proxy = await startFlakyProxy(services.users.url);
        proxy.mode = 'fail'; // down before the gateway starts
        return {};
      },
      configure: (config) => usersSpecFromUrl(config, proxy!, 'last-known-good', specCache),
    });
    const down = await gw.query<{ user: null; products: unknown[] }>('{ user(id: "1") { name } products(limit: 1) { title } }');
    expect(down.body.data!.products).toHaveLength(1);
    expect(down.body.errors?.[0]).toMatchObject({ path: ['user'], extensions: { source: 'users' } });
    const readyz = (await (await fetch(`${gw.base}/readyz`)).json()) as { degradedSources?: Array<{ source: string; how: string }> };
    expect(readyz.degradedSources).toEqual([expect.objectContaining({ source: 'users', how: 'last-known-good' })]);

    proxy!.mode = 'ok';
    expect(await until(async () => (await gw!.query('{ user(id: "1") { name } }')).body.errors === undefined)).toBe(true);
    expect(await until(async () => gw!.gateway.status.schema().degradedSources === undefined)).toBe(true);
  });

  test('skip: starts without the source and the links that need it, and adds them when it comes up', async () => {
    gw = await startDemoGateway({
      urls: async (services) => {
        proxy = await startFlakyProxy(services.users.url);
        proxy.mode = 'fail';
        return {};
      },
      configure: (config) => usersSpecFromUrl(config, proxy!, 'skip', mkdtempSync(join(tmpdir(), 'tessera-spec-cache-'))),
    });
    const without = await gw.query('{ orders(limit: 1) { id } }');
    expect(without.body.errors).toBeUndefined();
    const missing = await gw.query('{ orders(limit: 1) { customer { name } } }');
    expect(missing.status).toBe(400); // Order.customer is not in the schema while users is out
    expect(gw.gateway.status.schema().degradedSources).toEqual([expect.objectContaining({ source: 'users', how: 'skipped' })]);

    proxy!.mode = 'ok';
    expect(await until(async () => (await gw!.query('{ orders(limit: 1) { customer { name } } }')).body.errors === undefined)).toBe(true);
    const { body } = await gw.query<{ user: { name: string } }>('{ user(id: "1") { name } }');
    expect(body.data!.user.name).toEqual(expect.any(String));
  });
});
