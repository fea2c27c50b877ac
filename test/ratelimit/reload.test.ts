import { readFileSync, writeFileSync } from 'node:fs';
import pino from 'pino';
import { startDemoServices } from '../../sources';
import { loadConfig } from '../../gateway/config/load';
import { createGateway } from '../../gateway/gateway';
import { listen } from '../../gateway/server/listen';
import { writeDemoConfig } from '../support/config-file';

/** Writes `section` in place of the config file's rateLimits section (its last). */
function writeRateLimits(file: string, section: string) {
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, `${text.slice(0, text.indexOf('\nrateLimits:'))}\nrateLimits:\n${section}\nresilience: { reload: { watch: false } }\n`);
}

test('field limits follow the config on reload; a reload naming an unknown field keeps the last good limits', async () => {
  const demo = await startDemoServices();
  const config = writeDemoConfig();
  writeRateLimits(config.file, '  fields: { Query.product: 1 per 1m }');
  const env = config.env(demo.services);
  const gateway = await createGateway(loadConfig(config.file, { env }).config, { configFile: config.file, env, logger: pino({ level: 'silent' }) });
  const running = await listen(gateway, 0, '127.0.0.1');
  // The demo config caches responses, and a cache hit executes nothing: each query asks for another id.
  let id = 0;
  const codeOf = async (field: 'product' | 'users') => {
    const query = field === 'product' ? `{ product(id: ${++id}) { id } }` : `{ users(ids: [${++id}]) { id } }`;
    const response = await fetch(`${running.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
    return body.errors?.[0]?.extensions?.code ?? 'ok';
  };
  try {
    expect([await codeOf('product'), await codeOf('product')]).toEqual(['ok', 'RATE_LIMITED']);
    expect([await codeOf('users'), await codeOf('users')]).toEqual(['ok', 'ok']);

    writeRateLimits(config.file, '  fields: { Query.users: 1 per 1m }');
    await gateway.reload('test');
    expect([await codeOf('users'), await codeOf('users')]).toEqual(['ok', 'RATE_LIMITED']);
    expect(await codeOf('product')).toBe('ok');

    writeRateLimits(config.file, '  fields: { Query.prodct: 1 per 1m }');
    await gateway.reload('test').catch(() => {});
    expect(await codeOf('users')).toBe('RATE_LIMITED');
  } finally {
    await running.close();
    await demo.close();
  }
});
