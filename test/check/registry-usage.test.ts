import { execFile } from 'node:child_process';
import { cp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from '@redis/client';
import { redisRegistry } from '../../gateway/check/registry';
import { redisUsageStore, type UsageEntry } from '../../gateway/usage/store';
import { checkWorkspace, runTessera as tessera, type CheckWorkspace } from '../support/check-workspace';
import { REPO_ROOT, startDemoGateway } from '../support/harness';

jest.setTimeout(120_000);
const REDIS_URL = 'redis://127.0.0.1:6379';

const PRODUCTS_SPEC = 'sources/products/openapi.yaml';
const IN_STOCK_OPTIONAL: [string, string] = ['required: [id, title, price, inStock]', 'required: [id, title, price]'];

describe('schema registry and git', () => {
  let ws: CheckWorkspace;
  let dir: string;
  beforeAll(async () => {
    ws = await checkWorkspace();
    dir = ws.dir;
  });
  afterAll(async () => {
    await ws.remove();
  });

  test('publish stores versions with their spec hashes; history lists them; check --against registry compares with the latest', async () => {
    expect((await tessera(dir, 'schema', 'publish')).stderr).toContain('published schema version 1');
    expect((await tessera(dir, 'schema', 'publish')).stderr).toContain('schema unchanged since version 1');
    await ws.edit(PRODUCTS_SPEC, ...IN_STOCK_OPTIONAL);
    const [checked, published] = [await tessera(dir, 'check', '--against', 'registry'), await tessera(dir, 'schema', 'publish')];
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(/^tessera check: compared with registry version 1 \(/);
    expect(checked.stdout).toMatch(/BREAKING\s+Product\.inStock/);
    expect(published.stderr).toContain('published schema version 2');

    const [history, again] = await Promise.all([tessera(dir, 'schema', 'history', '--json'), tessera(dir, 'check', '--against', 'registry')]);
    const versions = JSON.parse(history.stdout) as { version: number; publishedAt: string; schemaHash: string; specHashes: Record<string, string> }[];
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(Object.keys(versions[0].specHashes)).toEqual(['users', 'products', 'orders', 'reviews']);
    expect(versions[1].specHashes.products).not.toBe(versions[0].specHashes.products);
    expect(versions[1].specHashes.users).toBe(versions[0].specHashes.users);
    expect(versions[1]).not.toHaveProperty('sdl');
    expect(again.stdout).toContain('compared with registry version 2');
    expect(again.code).toBe(0);
  });

  test('--against-git compares with the schema committed at a ref, even when the working copy recomposed it', async () => {
    const git = (...args: string[]) => promisify(execFile)('git', args, { cwd: dir });
    await rm(join(dir, PRODUCTS_SPEC));
    await cp(join(REPO_ROOT, PRODUCTS_SPEC), join(dir, PRODUCTS_SPEC));
    await git('init', '-q');
    await git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'base');
    await git('add', '-A');
    await git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'base');
    // A pull request that changes a spec and recomposes the committed schema in the same change.
    await ws.edit(PRODUCTS_SPEC, ...IN_STOCK_OPTIONAL);
    expect((await tessera(dir, 'compose')).stderr).toContain('composed schema written');
    const [againstFile, againstGit, unknownRef] = await Promise.all([
      tessera(dir, 'check'),
      tessera(dir, 'check', '--against-git', 'HEAD'),
      tessera(dir, 'check', '--against-git', 'no-such-ref'),
    ]);
    expect(againstFile.code).toBe(0);
    expect(againstGit.stdout).toContain('compared with schema/schema.graphql at git HEAD');
    expect(againstGit.stdout).toMatch(/BREAKING\s+Product\.inStock/);
    expect(againstGit.code).toBe(1);
    expect(unknownRef.code).toBe(2);
    expect(unknownRef.stderr).toContain('git show no-such-ref:./schema/schema.graphql failed');
  });
});

describe('usage recording', () => {
  test('the gateway records what clients send; check --usage knows which recorded operations a change breaks', async () => {
    const ws = await checkWorkspace();
    const dir = ws.dir;
    const usageFile = join(dir, 'usage.json');
    const gateway = await startDemoGateway({
      configure: (config) => ({ ...config, usage: { ...config.usage, record: true, file: usageFile, flushIntervalMs: 60_000 } }),
    });
    try {
      const stock = 'query Stock { products(limit: 2) { title inStock } }';
      for (const query of [stock, `# same operation, other spacing\n${stock.replace(/ /g, '  ')}`, '{ user(id: "1") { name } }']) {
        const response = await gateway.query(query);
        expect(response.status).toBe(200);
        expect(response.body.errors).toBeUndefined();
      }
    } finally {
      await gateway.close(); // flushes the record
    }
    try {
      const record = JSON.parse(await readFile(usageFile, 'utf8')) as { operations: Record<string, Omit<UsageEntry, 'hash'>> };
      const entries = Object.values(record.operations).sort((a, b) => a.name.localeCompare(b.name));
      expect(entries).toEqual([
        { name: 'anonymous', count: 1, lastSeen: expect.any(String), document: '{user(id:"1"){name}}' },
        { name: 'Stock', count: 2, lastSeen: expect.any(String), document: 'query Stock{products(limit:2){title inStock}}' },
      ]);

      await ws.edit(PRODUCTS_SPEC, ...IN_STOCK_OPTIONAL);
      const run = await tessera(dir, 'check', '--usage', usageFile, '--allow-unused-breaking');
      // No demo frontend operation reads inStock, but a recorded client operation does.
      expect(run.stdout).toMatch(/BREAKING\s+Product\.inStock[\s\S]*used by: Stock \(usage [0-9a-f]{12}, 2×\)/);
      expect(run.code).toBe(1);
    } finally {
      await ws.remove();
    }
  });
});

describe('Redis stores', () => {
  const prefix = `tessera-test:${process.pid}:${Date.now()}:`;
  let available = true;
  beforeAll(async () => {
    const client = createClient({ url: REDIS_URL });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.close();
    } catch {
      if (process.env.CI === 'true') throw new Error(`Redis is required in CI (${REDIS_URL})`);
      available = false;
      console.warn(`Redis unreachable at ${REDIS_URL}: skipping the Redis store tests`);
    }
  });
  afterAll(async () => {
    if (!available) return;
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    const keys = await client.keys(`${prefix}*`);
    if (keys.length) await client.del(keys);
    await client.close();
  });

  test('registry: versions numbered in order, latest and history', async () => {
    if (!available) return;
    const registry = redisRegistry(REDIS_URL, prefix);
    try {
      expect(await registry.latest()).toBeUndefined();
      const entry = { publishedAt: '2026-11-23T00:00:00.000Z', schemaHash: 'a', specHashes: { users: 'u' }, sdl: 'type Query { a: Int }' };
      expect((await registry.publish(entry)).version).toBe(1);
      expect((await registry.publish({ ...entry, schemaHash: 'b' })).version).toBe(2);
      expect((await registry.history()).map((v) => [v.version, v.schemaHash])).toEqual([
        [1, 'a'],
        [2, 'b'],
      ]);
      expect((await registry.latest())?.schemaHash).toBe('b');
    } finally {
      await registry.close();
    }
  });

  test('usage: counts from several writers add up, lastSeen keeps the latest', async () => {
    if (!available) return;
    const [a, b] = [redisUsageStore(REDIS_URL, prefix), redisUsageStore(REDIS_URL, prefix)];
    try {
      const entry = { hash: 'h1', name: 'Q', count: 2, lastSeen: '2026-11-23T10:00:00.000Z', document: '{a}' };
      // The later sighting is written first: the record must still keep it as lastSeen.
      await b.add([{ ...entry, count: 3, lastSeen: '2026-11-23T11:00:00.000Z' }]);
      await a.add([entry]);
      expect(await a.read()).toEqual([{ ...entry, count: 5, lastSeen: '2026-11-23T11:00:00.000Z' }]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
