/**
 * Converted schemas kept by spec hash (resilience.specCache/converted): a second start reads them
 * instead of converting the specs again, and serves the same schema and the same answers.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printComposedSchema } from '../../gateway/compose/print';
import { startDemoGateway, type RunningGateway } from '../support/harness';

jest.setTimeout(90_000);

const QUERIES = [
  '{ orders(limit: 5) { id quantity status customer { name } product { title price } } }',
  '{ products(limit: 3) { id title reviews { rating author { name } } } }',
  '{ user(id: "999999") { name } }', // an upstream 404: the same field error either way
];

let specCache: string;
beforeEach(() => {
  specCache = mkdtempSync(join(tmpdir(), 'tessera-converted-'));
});
afterEach(() => rmSync(specCache, { recursive: true, force: true }));

// Each start runs its own services on new ports: the key does not depend on where a source runs.
const start = () =>
  startDemoGateway({
    configure: (config) => ({ ...config, auth: { ...config.auth, rules: {} }, cache: { ...config.cache, enabled: false }, resilience: { ...config.resilience, specCache } }),
  });
const converted = () => readdirSync(join(specCache, 'converted')).sort();

async function answers(gw: RunningGateway): Promise<unknown[]> {
  return Promise.all(QUERIES.map(async (query) => (await gw.query(query)).body));
}

test('the second start reads the converted schemas and serves the same schema and answers', async () => {
  let gw = await start();
  let cold: { schema: string; answers: unknown[] };
  try {
    cold = { schema: printComposedSchema(gw.gateway.schema), answers: await answers(gw) };
  } finally {
    await gw.close();
  }
  const files = converted();
  expect(files.map((f) => f.split('-')[0])).toEqual(['orders', 'products', 'reviews', 'users']);

  gw = await start();
  try {
    expect(converted()).toEqual(files); // nothing converted again
    expect(printComposedSchema(gw.gateway.schema)).toBe(cold.schema);
    expect(await answers(gw)).toEqual(cold.answers);
  } finally {
    await gw.close();
  }
});

test('a cached conversion is what the gateway serves (it is read, not converted again)', async () => {
  await (await start()).close();
  const users = join(specCache, 'converted', converted().find((f) => f.startsWith('users-'))!);
  const entry = JSON.parse(readFileSync(users, 'utf8')) as { sdl: string };
  expect(entry.sdl).toContain('type User');
  writeFileSync(users, JSON.stringify({ ...entry, sdl: entry.sdl.replace(/type User (@\w+[^{]*)?\{/, (head) => `"marked by the test" ${head}`) }));

  const gw = await start();
  try {
    expect(gw.gateway.schema.getType('User')?.description).toBe('marked by the test');
    expect((await gw.query<{ user: { name: string } }>('{ user(id: "1") { name } }')).body.data?.user.name).toEqual(expect.any(String));
  } finally {
    await gw.close();
  }
});
