/**
 * "Cold start to first answered query for the demo": `npm run bench:start [-- --repeat 5]`, also
 * printed by `npm run bench:peer`.
 *
 * Spawns `tessera demo` (the README's `npm start`, without npm's own start-up) in a fresh process
 * each time and polls a public query until it is answered: the time from spawn to that answer.
 * The compiled gateway and the demo's V8 code cache (bin/compiled.cjs) are made by one start
 * before the first measured run, as after any first start; the compile itself is measured apart.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, freePort, waitFor } from './children';

const PROBE = JSON.stringify({ query: '{ products(limit: 1) { id price } }' });

async function answered(url: string): Promise<boolean> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: PROBE, signal: AbortSignal.timeout(2_000) });
  const body = (await response.json()) as { data?: { products?: unknown[] }; errors?: unknown };
  return response.ok && body.errors === undefined && (body.data?.products?.length ?? 0) > 0;
}

async function startOnce(timeoutMs = 30_000): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/tessera.cjs', 'demo', '--port', String(port)], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'ignore',
  });
  try {
    // Polled often: the figure is under a second.
    return await waitFor('tessera demo', child, started, () => answered(`http://127.0.0.1:${port}/graphql`), { timeoutMs, intervalMs: 5 });
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

/**
 * The first start after a source change: compiling the TypeScript into an empty cache. The cache
 * sits where the real one does, under the project's node_modules: the bundle step resolves the
 * libraries from the build's folder (in the system's temp folder it could not, and the figure left
 * the bundle out).
 */
function compileOnce(): number {
  const cache = mkdtempSync(join(REPO_ROOT, 'node_modules', '.cache', 'tessera-compile-'));
  try {
    const script = `void require('./bin/compiled.cjs').compiledGateway({ cache: ${JSON.stringify(join(cache, 'c'))} })`;
    const started = performance.now();
    spawnSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, stdio: 'inherit' });
    return performance.now() - started;
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

export async function coldStartRows({ repeat = 5 } = {}): Promise<string> {
  await startOnce(); // the first start after a change: it compiles, and leaves the demo's code cache
  const runs: number[] = [];
  for (let i = 0; i < repeat; i++) runs.push(await startOnce());
  return [
    `\`tessera demo\` spawned with NODE_ENV=production, to its first answered query; median of ${repeat}`,
    '',
    '| demo cold start ms | all runs ms | compile after a source change ms |',
    '|---:|:---|---:|',
    `| ${median(runs).toFixed(0)} | ${runs.map((ms) => ms.toFixed(0)).join(', ')} | ${compileOnce().toFixed(0)} |`,
  ].join('\n');
}

if (require.main === module) {
  const { values } = parseArgs({ options: { repeat: { type: 'string', default: '5' } }, strict: true });
  coldStartRows({ repeat: Number(values.repeat) })
    .then((rows) => console.log(rows))
    .catch((error: unknown) => {
      console.error(`bench:start failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    });
}
