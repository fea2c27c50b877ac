import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The bin's compile cache (bin/compiled.cjs), on a small tree of its own: a stale build must
// never run, a fresh one must not be rebuilt, and concurrent first starts must agree on one build.
const compiledModule = join(__dirname, '../../bin/compiled.cjs');
const { compiledGateway, loadCli } = require(compiledModule) as {
  compiledGateway: (options: { root: string; cache: string }) => Promise<string | undefined>;
  loadCli: (dir: string) => { message: string; spec: string };
};

let root: string;
let cache: string;

// main.ts imports a module of another folder that reads a file beside itself: in the bundle,
// where every module shares one file, its __dirname must still be its own folder.
function writeMain(message: string): void {
  writeFileSync(join(root, 'gateway/cli/main.ts'), `export const message: string = ${JSON.stringify(message)};\nexport { spec } from '../../sources/users/spec';\n`);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tessera-compiled-'));
  cache = join(root, 'cache');
  mkdirSync(join(root, 'gateway/cli'), { recursive: true });
  mkdirSync(join(root, 'sources/users'), { recursive: true });
  writeMain('first');
  writeFileSync(join(root, 'sources/users/openapi.yaml'), 'openapi: 3.0.3\n');
  writeFileSync(
    join(root, 'sources/users/spec.ts'),
    "import { readFileSync } from 'node:fs';\nimport { join } from 'node:path';\nexport const spec = readFileSync(join(__dirname, 'openapi.yaml'), 'utf8');\n",
  );
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const load = (dir: string) => {
  const file = join(dir, 'gateway/cli/main.js');
  delete require.cache[file];
  return (require(file) as { message: string }).message;
};

test('compiles the TypeScript once, copies the files read beside it, and reuses the build', async () => {
  const dir = await compiledGateway({ root, cache });
  expect(dir).toBeDefined();
  expect(load(dir!)).toBe('first');
  expect(readFileSync(join(dir!, 'sources/users/openapi.yaml'), 'utf8')).toBe('openapi: 3.0.3\n');
  const builtAt = statSync(join(dir!, 'gateway/cli/main.js')).mtimeMs;

  expect(await compiledGateway({ root, cache })).toBe(dir);
  expect(statSync(join(dir!, 'gateway/cli/main.js')).mtimeMs).toBe(builtAt);
});

/** Loads the CLI the way the bin does, in a process of its own run as `command`; its exports as JSON. */
function runCli(dir: string, command: string): { message: string; spec: string } {
  const script = join(root, 'run-cli.js');
  writeFileSync(script, `process.stdout.write(JSON.stringify(require(${JSON.stringify(compiledModule)}).loadCli(${JSON.stringify(dir)})));`);
  const result = spawnSync(process.execPath, [script, command], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as { message: string; spec: string };
}

test('the CLI runs from one bundle with the files its modules read beside them, and keeps V8 code per command', async () => {
  const dir = (await compiledGateway({ root, cache }))!;
  expect(existsSync(join(dir, 'gateway/cli/bundle.cjs'))).toBe(true);
  expect(loadCli(dir)).toMatchObject({ message: 'first', spec: 'openapi: 3.0.3\n' });

  const cacheOf = (command: string) => join(dir, `gateway/cli/bundle.${command}.v8cache`);
  expect(runCli(dir, 'serve')).toEqual({ message: 'first', spec: 'openapi: 3.0.3\n' });
  const written = readFileSync(cacheOf('serve'));
  expect(written.length).toBeGreaterThan(0);
  expect(existsSync(cacheOf('check'))).toBe(false); // each command its own

  // Accepted by V8: the next start leaves it as it is.
  runCli(dir, 'serve');
  expect(readFileSync(cacheOf('serve')).equals(written)).toBe(true);

  // Rejected (corrupt, or made by another node): replaced on exit, and the start still works.
  writeFileSync(cacheOf('serve'), 'not V8 code');
  expect(runCli(dir, 'serve').message).toBe('first');
  const replaced = readFileSync(cacheOf('serve'));
  expect(replaced.toString('latin1')).not.toBe('not V8 code');
  runCli(dir, 'serve');
  expect(readFileSync(cacheOf('serve')).equals(replaced)).toBe(true);
});

test('the bundle is ASCII (V8 keeps it one byte per character) and its strings and regular expressions keep their characters', async () => {
  writeFileSync(
    join(root, 'gateway/cli/main.ts'),
    "// a comment with ‘curly’ quotes\nexport const message: string = 'Wärting ‘x’ 😀';\nexport const spec = String(/^[‘“]x°$/.test('“x°'));\n",
  );
  const dir = (await compiledGateway({ root, cache }))!;
  expect(readFileSync(join(dir, 'gateway/cli/bundle.cjs'), 'utf8')).toMatch(/^[\x00-\x7f]*$/);
  expect(runCli(dir, 'serve')).toEqual({ message: 'Wärting ‘x’ 😀', spec: 'true' });
});

test('the bundle finds the files beside its modules when the cache is reached through a symlink (a linked node_modules)', async () => {
  mkdirSync(join(root, 'real-cache'));
  symlinkSync(join(root, 'real-cache'), cache);
  const dir = (await compiledGateway({ root, cache }))!;
  expect(runCli(dir, 'serve')).toEqual({ message: 'first', spec: 'openapi: 3.0.3\n' });
});

test('without a bundle (it could not be built) the CLI runs from the files one by one', async () => {
  const dir = (await compiledGateway({ root, cache }))!;
  rmSync(join(dir, 'gateway/cli/bundle.cjs'));
  expect(loadCli(dir)).toMatchObject({ message: 'first', spec: 'openapi: 3.0.3\n' });
});

test('an edited source gives a new build; the old one is kept until unused for a day', async () => {
  const first = (await compiledGateway({ root, cache }))!;
  writeMain('second');
  const later = new Date(Date.now() + 5000); // the same size and an mtime in the same ms must not hide an edit
  utimesSync(join(root, 'gateway/cli/main.ts'), later, later);
  const second = (await compiledGateway({ root, cache }))!;
  expect(second).not.toBe(first);
  expect(load(second)).toBe('second');
  expect(existsSync(first)).toBe(true);

  const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
  utimesSync(first, twoDaysAgo, twoDaysAgo);
  writeMain('third');
  utimesSync(join(root, 'gateway/cli/main.ts'), new Date(Date.now() + 10000), new Date(Date.now() + 10000));
  const third = (await compiledGateway({ root, cache }))!;
  expect(load(third)).toBe('third');
  expect(existsSync(first)).toBe(false); // unused for two days
  expect(existsSync(second)).toBe(true); // used a moment ago
});

test('concurrent first starts agree on one complete build and leave nothing half-written', async () => {
  const script = `require(${JSON.stringify(compiledModule)}).compiledGateway({ root: ${JSON.stringify(root)}, cache: ${JSON.stringify(cache)} }).then((dir) => process.stdout.write(dir ?? 'none'))`;
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

test('a cache that cannot be written falls back (undefined) instead of failing the start, and says so', async () => {
  writeFileSync(cache, 'a file where the cache folder should be');
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await compiledGateway({ root, cache })).toBeUndefined();
    expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/^tessera: warning: could not compile the gateway into .*cache \(.+\); the TypeScript runs through tsx, which starts slower\n$/));
  } finally {
    stderr.mockRestore();
  }
});

test('a bundle that cannot be built leaves the files one by one, and says why', async () => {
  // Transpiled file by file this is fine; bundled, the module it requires cannot be found.
  writeFileSync(join(root, 'gateway/cli/main.ts'), "export const message: string = 'unbundled';\nexport const later = () => require('./not-there');\n");
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const dir = (await compiledGateway({ root, cache }))!;
    expect(existsSync(join(dir, 'gateway/cli/bundle.cjs'))).toBe(false);
    expect(load(dir)).toBe('unbundled');
    expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/^tessera: warning: could not bundle the CLI \(.*not-there.*\); it runs from its files one by one, which starts slower\n$/));
  } finally {
    stderr.mockRestore();
  }
});
