// The gateway's TypeScript, compiled once to CommonJS with esbuild and kept under
// node_modules/.cache/tessera/<stamp>, the stamp being a hash of every file's path, size and
// mtime (plus esbuild's version). Why not tsx's require hook, which the bin used before: the hook
// stays in the path of every require of the process, the libraries' too, and was ~400 ms of a
// 1.25 s demo cold start (spawn to first answered query: 1.25 s through tsx, 0.85 s compiled).
// A change to any file gives a new stamp, so a stale build is never run; concurrent first starts
// (jest workers, cluster workers) each build aside and the first rename wins.
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const { join, relative, dirname } = require('node:path');

const ROOT = join(__dirname, '..');
/** What the bin runs: the gateway and the demo services, TypeScript and the files they read beside them. */
const SOURCE_DIRS = ['gateway', 'sources'];

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
  for (const file of files) {
    const { size, mtimeMs } = fs.statSync(file);
    hash.update(`${relative(root, file)}\0${size}\0${mtimeMs}\0`);
  }
  return hash.digest('hex').slice(0, 24);
}

function build(root, files, outdir) {
  const esbuild = require('esbuild');
  esbuild.buildSync({
    entryPoints: files.filter((file) => file.endsWith('.ts')),
    outdir,
    outbase: root,
    format: 'cjs',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
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
  fs.writeFileSync(join(outdir, '.complete'), '');
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
function compiledGateway({ root = ROOT, cache = join(root, 'node_modules', '.cache', 'tessera') } = {}) {
  try {
    const files = SOURCE_DIRS.flatMap((dir) => listFiles(join(root, dir))).sort();
    const dir = join(cache, stampOf(root, files, require('esbuild/package.json').version));
    if (fs.existsSync(join(dir, '.complete'))) {
      const now = new Date();
      fs.utimesSync(dir, now, now); // marks it in use, for the sweep below
      return dir;
    }
    const aside = `${dir}.${process.pid}.tmp`;
    build(root, files, aside);
    try {
      fs.renameSync(aside, dir);
    } catch {
      fs.rmSync(aside, { recursive: true, force: true }); // another process renamed its build first
    }
    if (!fs.existsSync(join(dir, '.complete'))) return undefined;
    sweepUnused(cache, dir);
    return dir;
  } catch {
    return undefined;
  }
}

module.exports = { compiledGateway };
