import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The bin's compile cache (bin/compiled.cjs), on a small tree of its own: a stale build must
// never run, a fresh one must not be rebuilt, and concurrent first starts must agree on one build.
const compiledModule = join(__dirname, '../../bin/compiled.cjs');
const { compiledGateway } = require(compiledModule) as { compiledGateway: (options: { root: string; cache: string }) => string | undefined };

let root: string;
let cache: string;

function writeMain(message: string): void {
  writeFileSync(join(root, 'gateway/cli/main.ts'), `export const message: string = ${JSON.stringify(message)};\n`);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tessera-compiled-'));
  cache = join(root, 'cache');
  mkdirSync(join(root, 'gateway/cli'), { recursive: true });
  mkdirSync(join(root, 'sources/users'), { recursive: true });
  writeMain('first');
  writeFileSync(join(root, 'sources/users/openapi.yaml'), 'openapi: 3.0.3\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const load = (dir: string) => {
  const file = join(dir, 'gateway/cli/main.js');
  delete require.cache[file];
  return (require(file) as { message: string }).message;
};

test('compiles the TypeScript once, copies the files read beside it, and reuses the build', () => {
  const dir = compiledGateway({ root, cache });
  expect(dir).toBeDefined();
  expect(load(dir!)).toBe('first');
  expect(readFileSync(join(dir!, 'sources/users/openapi.yaml'), 'utf8')).toBe('openapi: 3.0.3\n');
  const builtAt = statSync(join(dir!, 'gateway/cli/main.js')).mtimeMs;

  expect(compiledGateway({ root, cache })).toBe(dir);
  expect(statSync(join(dir!, 'gateway/cli/main.js')).mtimeMs).toBe(builtAt);
});

test('an edited source gives a new build; the old one is kept until unused for a day', () => {
  const first = compiledGateway({ root, cache })!;
  writeMain('second');
  const later = new Date(Date.now() + 5000); // the same size and an mtime in the same ms must not hide an edit
  utimesSync(join(root, 'gateway/cli/main.ts'), later, later);
  const second = compiledGateway({ root, cache })!;
  expect(second).not.toBe(first);
  expect(load(second)).toBe('second');
  expect(existsSync(first)).toBe(true);

  const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
  utimesSync(first, twoDaysAgo, twoDaysAgo);
  writeMain('third');
  utimesSync(join(root, 'gateway/cli/main.ts'), new Date(Date.now() + 10000), new Date(Date.now() + 10000));
  const third = compiledGateway({ root, cache })!;
  expect(load(third)).toBe('third');
  expect(existsSync(first)).toBe(false); // unused for two days
  expect(existsSync(second)).toBe(true); // used a moment ago
});

test('concurrent first starts agree on one complete build and leave nothing half-written', async () => {
  const script = `process.stdout.write(require(${JSON.stringify(compiledModule)}).compiledGateway({ root: ${JSON.stringify(root)}, cache: ${JSON.stringify(cache)} }) ?? 'none')`;
  const run = () =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script]);
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('error', reject);
      child.on('exit', () => resolve(out));
    });
  const dirs = await Promise.all([run(), run(), run(), run()]);
  expect(new Set(dirs).size).toBe(1);
  expect(dirs[0]).not.toBe('none');
  expect(load(dirs[0])).toBe('first');
  expect(readdirSync(cache)).toEqual([dirs[0].slice(cache.length + 1)]);
});

test('a cache that cannot be written falls back (undefined) instead of failing the start', () => {
  writeFileSync(cache, 'a file where the cache folder should be');
  expect(compiledGateway({ root, cache })).toBeUndefined();
});
