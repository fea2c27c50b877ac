// The gateway's TypeScript, compiled once with esbuild and kept under
// node_modules/.cache/tessera/<stamp>, the stamp being a hash of every file's path, size and
// mtime (plus esbuild's version and the installed dependencies). Why not tsx's require hook, which
// the bin used before: the hook stays in the path of every require of the process, the libraries'
// too, and was ~400 ms of a 1.25 s demo cold start (spawn to first answered query: 1.25 s through
// tsx, 0.85 s compiled).
// Two builds sit in a stamp's folder: the files one by one (CommonJS, beside the specs and pages
// they read), and one bundle of the CLI with its dependencies, which the bin runs. Why a bundle:
// loading ~900 modules one by one was more than half of the demo's start (resolving paths ~150 ms,
// reading and compiling ~300 ms); one file run with V8's code cache (see loadCli) halves it.
// A change to any file gives a new stamp, so a stale build is never run; concurrent first starts
// (jest workers, cluster workers) each build aside and the first rename wins.
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const { join, relative, dirname } = require('node:path');
const vm = require('node:vm');

const ROOT = join(__dirname, '..');
/** What the bin runs: the gateway and the demo services, TypeScript and the files they read beside them. */
const SOURCE_DIRS = ['gateway', 'sources'];
/** The CLI and every module it loads, in one file (see bundle). */
const BUNDLE = 'gateway/cli/bundle.cjs';
/**
 * Packages left out of the bundle, loaded by require as usual: the build tools (the gateway never
 * loads them), GraphiQL's 9 MB of inlined assets (read when the page is first served) and the Redis
 * client (only for a Redis store). None of them use graphql-js, whose classes must come from one
 * copy: a package outside the bundle that did would see types it does not recognise.
 */
const EXTERNAL = ['esbuild', 'tsx', '@graphql-yoga/render-graphiql', '@redis/client'];
const TARGET = `node${process.versions.node.split('.')[0]}`;

function listFiles(dir, files = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(path, files);
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

function stampOf(root, files, esbuildVersion) {
  const hash = createHash('sha256').update(`${esbuildVersion}\0${fs.readFileSync(__filename, 'utf8')}\0`);
  // The bundle holds the dependencies' code: an install that changes them (npm keeps this file as
  // the record of what node_modules holds) must give a new build.
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (fs.existsSync(installed)) files = [...files, installed];
  for (const file of files) {
    const { size, mtimeMs } = fs.statSync(file);
    hash.update(`${relative(root, file)}\0${size}\0${mtimeMs}\0`);
  }
  return hash.digest('hex').slice(0, 24);
}

async function build(root, files, outdir, finalDir) {
  const esbuild = require('esbuild');
  esbuild.buildSync({
    entryPoints: files.filter((file) => file.endsWith('.ts')),
    outdir,
    outbase: root,
    format: 'cjs',
    platform: 'node',
    target: TARGET,
    // Maps on disk, used when the process runs with --enable-source-maps (see README): reading
    // them eagerly at every start costs more than a readable stack trace is worth by default.
    sourcemap: 'linked',
    logLevel: 'silent',
  });
  // Files the code reads next to itself (__dirname): OpenAPI specs, the status page.
  for (const file of files.filter((file) => !file.endsWith('.ts'))) {
    const target = join(outdir, relative(root, file));
    fs.mkdirSync(dirname(target), { recursive: true });
    fs.copyFileSync(file, target);
  }
  // Without a bundle the bin runs the files one by one: slower to start, the same code.
  await bundle(esbuild, outdir, finalDir)
    .catch((error) => {
      fs.rmSync(join(outdir, BUNDLE), { force: true });
      warn(`could not bundle the CLI (${firstLine(error)}); it runs from its files one by one, which starts slower`);
    })
    // The async API keeps esbuild's service process (a few hundred MiB) alive beside the gateway.
    .finally(() => esbuild.stop());
  fs.writeFileSync(join(outdir, '.complete'), '');
}

/**
 * The CLI and its dependencies in one CommonJS file. In it every module's `__dirname` would be
 * the bundle's own folder, so in the gateway's files it is replaced by where that file sits in
 * the final build, where the files it reads beside itself were copied (the libraries' uses of
 * it are for workers and stack traces the gateway does not use). `import()` becomes require: the
 * bundle runs as a vm.Script (loadCli), which has no ES module loader.
 */
async function bundle(esbuild, outdir, finalDir) {
  // esbuild gives real paths: the cache may be reached through a symlinked node_modules.
  const realOutdir = fs.realpathSync(outdir);
  const fixedDirname = {
    name: 'fixed-dirname',
    setup(build) {
      build.onLoad({ filter: /\.js$/ }, (args) => {
        const own = relative(realOutdir, args.path);
        if (own.startsWith('..')) return undefined;
        const text = fs.readFileSync(args.path, 'utf8');
        return { contents: text.replace(/\b__dirname\b/g, JSON.stringify(join(finalDir, dirname(own)))), loader: 'js' };
      });
    },
  };
  const outfile = join(outdir, BUNDLE);
  await esbuild.build({
    entryPoints: [join(outdir, 'gateway/cli/main.js')],
    outfile,
    bundle: true,
    external: EXTERNAL,
    format: 'cjs',
    platform: 'node',
    target: TARGET,
    supported: { 'dynamic-import': false },
    plugins: [fixedDirname],
    sourcemap: 'linked',
    logLevel: 'silent',
  });
  // V8 holds a script's source in memory, in two bytes per character as soon as one character is
  // outside Latin-1, and esbuild leaves the libraries' comments and regular expression literals
  // as written (a few have curly quotes). Escaped, the 13 MB bundle takes one byte per character:
  // 19 MiB less RSS in every process, same start time. (An escape would change a String.raw
  // template's text; none of the bundled code has non-ASCII in one.)
  const text = fs.readFileSync(outfile, 'utf8');
  fs.writeFileSync(outfile, text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/**
 * The compiled CLI module (exports `main`). The bundle runs as a vm.Script with V8's code cache
 * (Node 20 has no module compile cache): the functions a start compiled are kept as V8 code and
 * the next start skips parsing and compiling them. What a start compiles depends on its command,
 * so each command has its cache, written when the first process of that command exits (it has
 * compiled its start-up and, for serve and demo, its request path) or when V8 rejects the one on
 * disk (another node version or V8 flags). With --enable-source-maps the bundle is required as
 * usual: node applies source maps to modules, not to vm scripts.
 */
function loadCli(dir) {
  const file = join(dir, BUNDLE);
  if (!fs.existsSync(file)) return require(join(dir, 'gateway/cli/main.js'));
  if (process.sourceMapsEnabled) return require(file);
  const command = /^[a-z-]+$/.test(process.argv[2] ?? '') ? process.argv[2] : 'default';
  const cacheFile = join(dir, `gateway/cli/bundle.${command}.v8cache`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // none yet: this process writes it
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${fs.readFileSync(file, 'utf8')}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  if (!cachedData || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        fs.writeFileSync(`${cacheFile}.${process.pid}.tmp`, script.createCachedData());
        fs.renameSync(`${cacheFile}.${process.pid}.tmp`, cacheFile);
      } catch {
        fs.rmSync(`${cacheFile}.${process.pid}.tmp`, { force: true }); // a read-only cache only costs the next start the compile
      }
    });
  }
  const cli = { exports: {} };
  script.runInThisContext()(cli.exports, Module.createRequire(file), cli, file, dirname(file));
  return cli.exports;
}

/**
 * Builds of earlier stamps that no start has used for a day. Not sooner: a gateway still running
 * from one requires some of its modules lazily (the Redis stores, CLI commands).
 */
function sweepUnused(cache, current) {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of fs.readdirSync(cache)) {
    const path = join(cache, name);
    if (path !== current && fs.statSync(path).mtimeMs < dayAgo) fs.rmSync(path, { recursive: true, force: true });
  }
}

/**
 * The folder holding the compiled gateway (gateway/cli/main.js inside), or undefined when it
 * cannot be had (no esbuild, a read-only node_modules): the caller then runs the TypeScript
 * through tsx, slower to start but the same code. `root` and `cache` are for tests.
 */
async function compiledGateway({ root = ROOT, cache = join(root, 'node_modules', '.cache', 'tessera') } = {}) {
  try {
    const files = SOURCE_DIRS.flatMap((dir) => listFiles(join(root, dir))).sort();
    const dir = join(cache, stampOf(root, files, require('esbuild/package.json').version));
    if (fs.existsSync(join(dir, '.complete'))) {
      const now = new Date();
      fs.utimesSync(dir, now, now); // marks it in use, for the sweep below
      return dir;
    }
    const aside = `${dir}.${process.pid}.tmp`;
    await build(root, files, aside, dir);
    try {
      fs.renameSync(aside, dir);
    } catch {
      fs.rmSync(aside, { recursive: true, force: true }); // another process renamed its build first
    }
    if (!fs.existsSync(join(dir, '.complete'))) return undefined;
    sweepUnused(cache, dir);
    return dir;
  } catch (error) {
    warn(`could not compile the gateway into ${cache} (${firstLine(error)}); the TypeScript runs through tsx, which starts slower`);
    return undefined;
  }
}

/** Said once per start, on stderr: a start that falls back works, but an operator should know why it is slow. */
function warn(message) {
  process.stderr.write(`tessera: warning: ${message}\n`);
}

/** esbuild's first error with its file (its message's first line only counts them), else the message's first line. */
function firstLine(error) {
  const first = error && Array.isArray(error.errors) ? error.errors[0] : undefined;
  if (first) return first.location ? `${first.location.file}:${first.location.line}: ${first.text}` : first.text;
  return String(error instanceof Error ? error.message : error).split('\n')[0];
}

module.exports = { compiledGateway, loadCli };
