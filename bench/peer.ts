/**
 * `npm run bench:peer [-- --duration 10 --connections 50 --warmup 3 --repeat 1 --only Q1,Q2 --json out.json]`
 *
 * Tessera against the peer (Hive Gateway) on the shared bench's REST fixture, measured by the
 * shared bench's own driver (run.mjs) with the same settings, one gateway process each, one after
 * the other: the fixture, then Tessera (bench/fixture.config.yaml, no auth, no cache), Tessera with
 * the response cache on (Q4 only), then the peer. Prints one table with both and the ratios.
 *
 * The shared bench is driven, never copied into this repository. Its folder is read-only for us,
 * so on first use it is copied (without node_modules) to a scratch folder outside the repository
 * (TESSERA_PEER_BENCH_DIR, default ~/.cache/tessera-bench) where the peer's own setup script
 * installs it (~500 MB). No test depends on any of this.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, existsSync, openSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GATEWAY_NODE_FLAGS, REPO_ROOT, answers, freePort, processTree, stop, stopAll, track, waitFor } from './children';
import { coldStartRows } from './cold-start';
import { largeSpecRows } from './large-spec';
import { largeSpecServeRows } from './large-spec-serve';

const SHARED_BENCH = resolve(process.env.TESSERA_SHARED_BENCH ?? join(REPO_ROOT, '..', 'shared', 'bench'));
const SCRATCH = resolve(process.env.TESSERA_PEER_BENCH_DIR ?? join(homedir(), '.cache', 'tessera-bench'));
const QUERIES = join(REPO_ROOT, 'bench', 'fixture.queries.json');
const CONFIG = join(REPO_ROOT, 'bench', 'fixture.config.yaml');
const SERVICES = ['users', 'products', 'orders', 'reviews'] as const;

interface Settings {
  duration: string;
  connections: string;
  warmup: string;
  repeat: string;
  only?: string;
  fixturePort: number;
  json?: string;
}

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      warmup: { type: 'string', default: '3' },
      repeat: { type: 'string', default: '1' },
      only: { type: 'string' },
      // Away from 4101, the default of both the fixture and the demo services.
      'fixture-base-port': { type: 'string', default: '4601' },
      json: { type: 'string' },
    },
    strict: true,
  });
  for (const flag of ['duration', 'connections', 'warmup', 'repeat'] as const) {
    if (!/^\d+$/.test(values[flag])) throw new Error(`--${flag} must be a whole number (got '${values[flag]}')`);
  }
  return { ...values, fixturePort: Number(values['fixture-base-port']), json: values.json };
}

// ---- the shared bench, in a writable place -------------------------------------------------------

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed with ${result.status ?? result.signal}`);
}

/** The shared bench itself when it is writable, else a scratch copy of it (made once). */
function benchFolder(): string {
  if (!existsSync(join(SHARED_BENCH, 'run.mjs'))) throw new Error(`the shared bench is not at ${SHARED_BENCH} (set TESSERA_SHARED_BENCH)`);
  // Mode bits, not access(2): as root every folder passes access(), yet the shared one is meant read-only.
  const writable = (statSync(SHARED_BENCH).mode & 0o200) !== 0;
  const folder = writable ? SHARED_BENCH : SCRATCH;
  if (!writable && !existsSync(join(SCRATCH, 'run.mjs'))) {
    console.error(`copying ${SHARED_BENCH} to ${SCRATCH} (it is read-only here)`);
    mkdirSync(SCRATCH, { recursive: true });
    cpSync(SHARED_BENCH, SCRATCH, { recursive: true, filter: (source) => !source.split('/').includes('node_modules') });
    spawnSync('chmod', ['-R', 'u+w', SCRATCH]);
  }
  if (!existsSync(join(folder, 'node_modules', 'autocannon'))) run('npm', ['install', '--no-audit', '--no-fund'], folder);
  return folder;
}

// ---- processes -----------------------------------------------------------------------------------

function startChild(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const log = openSync(logFile, 'w');
  const child = track(spawn(command, args, { cwd, env, stdio: ['ignore', log, log] }));
  closeSync(log); // the child holds its own copy
  return child;
}



const { query, variables } = (JSON.parse(readFileSync(QUERIES, 'utf8')) as { queries: Array<{ query: string; variables: unknown }> }).queries[0];
const Q1 = { query, variables };
const PEER_Q1 = { query: 'query Q1($id: Int!) { getUser(id: $id) { id name email role } }', variables: { id: 1 } };

// ---- one gateway under the driver ----------------------------------------------------------------

interface Median {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  backendPerReq: number;
  rssPeakMiB: number;
  cpuMsPerReq: number;
  perService: Record<string, number>;
}
type Results = Map<string, Median>;

interface GatewayRun {
  label: string;
  startupMs: number;
  results: Results;
}

async function measureGateway(
  label: string,
  start: (port: number) => ChildProcess,
  probeBody: unknown,
  bench: string,
  settings: Settings,
  only?: string,
): Promise<GatewayRun> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  const started = performance.now();
  const child = start(port);
  try {
    const startupMs = await waitFor(label, child, started, () => answers(url, probeBody));
    const pids = processTree(child.pid ?? 0).join(',');
    const out = join(tmpdir(), `tessera-peer-bench-${label.replace(/\W+/g, '-')}.json`);
    console.error(`\n${label}: first query answered ${startupMs.toFixed(0)} ms after spawn; driver on ${url} (pids ${pids})`);
    const filter = only ?? settings.only;
    run(
      process.execPath,
      [
        'run.mjs',
        ...['--url', url, '--pid', pids, '--label', label, '--json', out],
        ...['--duration', settings.duration, '--connections', settings.connections, '--warmup', settings.warmup, '--repeat', settings.repeat],
        ...['--fixture-base-port', String(settings.fixturePort)],
        ...(label.startsWith('tessera') ? ['--queries', QUERIES] : []),
        ...(filter ? ['--only', filter] : []),
      ],
      bench,
    );
    const document = JSON.parse(readFileSync(out, 'utf8')) as { results: Array<{ name: string; median: Median }> };
    return { label, startupMs, results: new Map(document.results.map((r) => [r.name, r.median])) };
  } finally {
    await stop(child);
  }
}

// ---- table ---------------------------------------------------------------------------------------

function markdown(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const ratio = (ours: number | undefined, theirs: number | undefined) =>
  ours === undefined || theirs === undefined || theirs === 0 ? '-' : `${(ours / theirs).toFixed(2)}x`;
const fixed = (value: number | undefined, digits = 0) => (value === undefined ? '-' : value.toFixed(digits));

function comparison(tessera: GatewayRun, peer: GatewayRun, cached?: GatewayRun): string {
  const names = [...new Set([...tessera.results.keys(), ...peer.results.keys()])];
  const rows = names.map((name) => {
    const t = tessera.results.get(name);
    const p = peer.results.get(name);
    return [
      name,
      ...[fixed(t?.rps), fixed(p?.rps), ratio(t?.rps, p?.rps)],
      ...[fixed(t?.p99), fixed(p?.p99), ratio(t?.p99, p?.p99)],
      ...[fixed(t?.rssPeakMiB), fixed(p?.rssPeakMiB), ratio(t?.rssPeakMiB, p?.rssPeakMiB)],
      ...[fixed(t?.backendPerReq, 2), fixed(p?.backendPerReq, 2)],
      ...[fixed(t?.cpuMsPerReq, 2), fixed(p?.cpuMsPerReq, 2)],
      `${fixed(t?.errors)}/${fixed(p?.errors)}`,
    ];
  });
  const q4 = cached?.results.get('Q4');
  if (q4) {
    rows.push(['Q4 cache on', fixed(q4.rps), '-', '-', fixed(q4.p99), '-', '-', fixed(q4.rssPeakMiB), '-', '-', fixed(q4.backendPerReq, 2), '-', fixed(q4.cpuMsPerReq, 2), '-', `${fixed(q4.errors)}/-`]);
  }
  const header = [
    'query',
    'req/s T',
    'req/s P',
    'T/P',
    'p99 ms T',
    'p99 ms P',
    'T/P',
    'peak RSS MiB T',
    'peak RSS MiB P',
    'T/P',
    'backend/req T',
    'backend/req P',
    'CPU ms/req T',
    'CPU ms/req P',
    'errors T/P',
  ];
  const lines = [markdown(header, rows)];
  lines.push(`startup, spawn to first answered query: Tessera ${tessera.startupMs.toFixed(0)} ms, peer ${peer.startupMs.toFixed(0)} ms (${ratio(tessera.startupMs, peer.startupMs)})`);
  const q2 = tessera.results.get('Q2');
  if (q4 && q2) lines.push(`Tessera Q4 with the response cache on / Tessera Q2 uncached: ${ratio(q4.rps, q2.rps)} req/s`);
  return lines.join('\n');
}

// ---- main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const bench = benchFolder();
  const base = settings.fixturePort;
  const fixtureEnv: NodeJS.ProcessEnv = { ...process.env, FIXTURE_HOST: '127.0.0.1', FIXTURE_BASE_PORT: String(base) };
  SERVICES.forEach((name, i) => (fixtureEnv[`FIXTURE_${name.toUpperCase()}_PORT`] = String(base + i)));
  delete fixtureEnv.REDIS_URL;

  const fixtureStarted = performance.now();
  const fixture = startChild(process.execPath, ['fixture/serve.mjs', '--base-port', String(base), '--quiet'], bench, fixtureEnv, join(tmpdir(), 'tessera-peer-fixture.log'));
  await waitFor('the fixture', fixture, fixtureStarted, async () => {
    const all = await Promise.all(SERVICES.map((_, i) => fetch(`http://127.0.0.1:${base + i}/__stats`).then((r) => r.ok)));
    return all.every(Boolean);
  });

  // The peer's supergraph holds the fixture's URLs: compose it again when the port changed.
  const hive = join(bench, 'peers', 'hive');
  const composedFor = join(hive, '.tessera-fixture-port');
  if (!existsSync(join(hive, 'node_modules')) || !existsSync(join(hive, 'supergraph.graphql')) || !existsSync(composedFor) || readFileSync(composedFor, 'utf8') !== String(base)) {
    console.error(`setting up the peer in ${hive} (peers/hive/setup.sh)`);
    run(join(hive, 'setup.sh'), [], hive, fixtureEnv);
    writeFileSync(composedFor, String(base));
  }

  const tesseraEnv = { ...fixtureEnv, NODE_ENV: 'production' };
  const tessera = (config: string) => (port: number) =>
    startChild(process.execPath, [...GATEWAY_NODE_FLAGS, 'bin/tessera.cjs', 'serve', '--config', config, '--port', String(port)], REPO_ROOT, tesseraEnv, join(tmpdir(), 'tessera-peer-gateway.log'));
  // The cached gateway answers the bytes the uncached one does: without the cache's metadata in
  // `extensions` (on by default in the development profile, as a debugging aid; off in production).
  const cachedConfig = join(tmpdir(), 'tessera-peer-bench.cached.config.yaml');
  writeFileSync(cachedConfig, readFileSync(CONFIG, 'utf8').replace(/^cache:\n {2}enabled: false$/m, 'cache:\n  enabled: true\n  exposeMetadata: false'));

  // The first start after a source change compiles the gateway (bin/compiled.cjs), and that process
  // keeps the build's garbage in its heap: measured that way, Q1 ran at 0.57 ms of CPU per request
  // instead of 0.38. Built first, as the Docker image is at build time (Dockerfile), the measured
  // process starts as a deployed one does.
  run(process.execPath, ['bin/tessera.cjs', '--version'], REPO_ROOT, tesseraEnv);
  const ours = await measureGateway('tessera', tessera(CONFIG), Q1, bench, settings);
  const wantsQ4 = !settings.only || settings.only.split(',').includes('Q4');
  const cached = wantsQ4 ? await measureGateway('tessera-cached', tessera(cachedConfig), Q1, bench, settings, 'Q4') : undefined;
  const peer = await measureGateway('peer', (port) => startChild(join(hive, 'start.sh'), [String(port)], hive, fixtureEnv, join(tmpdir(), 'tessera-peer-hive.log')), PEER_Q1, bench, settings);
  await stop(fixture);

  const settingsLine = `driver: ${bench}/run.mjs, ${settings.connections} connections, ${settings.duration} s, warm-up ${settings.warmup} s, median of ${settings.repeat} run(s); fixture on 127.0.0.1:${base}-${base + 3}`;
  console.log(`\nTessera (T, bench/fixture.config.yaml: no auth rules, no cache) vs Hive Gateway 2.15.1 (P, peers/hive)\n${settingsLine}\n`);
  console.log(comparison(ours, peer, cached));
  console.log('\nLarge spec: compose time and peak RSS (bench/large-spec.ts)\n');
  console.log(await largeSpecRows());
  console.log('\nLarge spec: spawn to first answer, Tessera and the peer (bench/large-spec-serve.ts)\n');
  console.log(await largeSpecServeRows(hive));
  console.log('\nDemo cold start (bench/cold-start.ts)\n');
  console.log(await coldStartRows());
  if (settings.json) {
    const file = resolve(process.env.INIT_CWD ?? process.cwd(), settings.json);
    const plain = (r: GatewayRun) => ({ ...r, results: Object.fromEntries(r.results) });
    writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), settings, tessera: plain(ours), cached: cached && plain(cached), peer: plain(peer) }, null, 2)}\n`);
    console.log(`results written to ${file}`);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopAll().finally(() => process.exit(130)));
}

main()
  .catch((error: unknown) => {
    console.error(`bench:peer failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
