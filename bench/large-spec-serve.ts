/**
 * A large spec from spawn to the first answered query, Tessera against the peer (part of
 * `npm run bench:peer`): the generated spec of bench/large-spec.ts served by `tessera serve`,
 * cold (empty converted-schema cache) and cached, and by Hive Gateway from the supergraph its own
 * composer (`mesh-compose`, @omnigraph/openapi) makes of the same file, whose time and peak RSS are
 * measured too. Each process's peak RSS is its VmHWM once it has answered. Only the peer's
 * composition config is written here (a one-subgraph mesh.config.ts, beside its installation so
 * that it resolves the peer's packages); no code of the peer is copied.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATEWAY_NODE_FLAGS, REPO_ROOT, answers, freePort, processTree, statusKiB, stop, track, waitFor } from './children';
import { generateSpec, median, runsRow, timedRun, type TimedRun } from './large-spec';

/** The highest VmHWM in the process's tree (the peer's CLI could fork its server). */
function peakRssMiB(pid: number): number {
  return Math.max(...processTree(pid).map((p) => statusKiB(p, 'VmHWM'))) / 1024;
}

/** Spawns a gateway, polls `{ __typename }` every 20 ms until it answers, reads its peak RSS, stops it. */
async function firstAnswer(label: string, command: string, args: (port: number) => string[], cwd: string, logFile: string): Promise<TimedRun> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  const log = openSync(logFile, 'w');
  const started = performance.now();
  const child = track(spawn(command, args(port), { cwd, env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', log, log] }));
  closeSync(log);
  try {
    const ms = await waitFor(label, child, started, () => answers(url, { query: '{ __typename }' }));
    return { ms, peakRssMiB: peakRssMiB(child.pid ?? 0) };
  } finally {
    await stop(child);
  }
}

const ratio = (ours: TimedRun[], theirs: TimedRun[], key: keyof TimedRun) => `${(median(ours.map((r) => r[key])) / median(theirs.map((r) => r[key]))).toFixed(2)}x`;

/** `hive`: the peer's installed folder (peers/hive of the bench's scratch copy, set up). */
export async function largeSpecServeRows(hive: string, { mib = 12, repeat = 3 } = {}): Promise<string> {
  const dir = join(hive, 'tessera-large-spec');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const spec = generateSpec(mib);
    const specFile = join(dir, 'large.json');
    writeFileSync(specFile, spec);
    const cacheDir = join(dir, 'spec-cache');
    const config = join(dir, 'tessera.config.yaml');
    writeFileSync(config, `sources:\n  - name: large\n    spec: ${specFile}\n    url: http://127.0.0.1:9\nresilience:\n  specCache: ${cacheDir}\n`);
    // The peer's composition of the same file: one subgraph, as its shared setup composes each service.
    writeFileSync(
      join(dir, 'mesh.config.ts'),
      [
        "import { defineConfig } from '@graphql-mesh/compose-cli';",
        "import { loadOpenAPISubgraph } from '@omnigraph/openapi';",
        `export const composeConfig = defineConfig({ subgraphs: [{ sourceHandler: loadOpenAPISubgraph('large', { source: ${JSON.stringify(specFile)}, endpoint: 'http://127.0.0.1:9' }) }] });`,
        '',
      ].join('\n'),
    );
    // Without a gateway config of its own, hive-gateway would load mesh.config.ts.
    writeFileSync(join(dir, 'gateway.config.ts'), "import { defineConfig } from '@graphql-hive/gateway';\nexport const gatewayConfig = defineConfig({});\n");

    const tessera = (port: number) => [...GATEWAY_NODE_FLAGS, 'bin/tessera.cjs', 'serve', '--config', config, '--port', String(port)];
    const hiveGateway = join(hive, 'node_modules', '.bin', 'hive-gateway');
    const peer = (port: number) => ['supergraph', 'supergraph.graphql', '--host', '127.0.0.1', '--port', String(port), '--fork', '1'];
    const log = (name: string) => join(tmpdir(), `tessera-large-spec-${name}.log`);
    const runs = { cold: [] as TimedRun[], cached: [] as TimedRun[], peerCompose: [] as TimedRun[], peer: [] as TimedRun[] };
    for (let i = 0; i < repeat; i++) {
      rmSync(cacheDir, { recursive: true, force: true });
      runs.cold.push(await firstAnswer('tessera (cold)', process.execPath, tessera, REPO_ROOT, log('tessera')));
      runs.cached.push(await firstAnswer('tessera (cached)', process.execPath, tessera, REPO_ROOT, log('tessera')));
      runs.peerCompose.push(timedRun('mesh-compose', [join(hive, 'node_modules', '.bin', 'mesh-compose'), '-o', 'supergraph.graphql'], dir, []));
      runs.peer.push(await firstAnswer('the peer', hiveGateway, peer, dir, log('peer')));
    }
    return [
      `spec: ${(Buffer.byteLength(spec) / 2 ** 20).toFixed(1)} MiB, generated (bench/large-spec.ts); spawn to the first answered \`{ __typename }\`, peak RSS = VmHWM then; median of ${repeat}`,
      '',
      '| run | ms | peak RSS MiB | all runs ms |',
      '|:----|---:|---:|:---|',
      runsRow('Tessera `serve`, cold (converts the spec)', runs.cold),
      runsRow('Tessera `serve`, cached (same spec hash)', runs.cached),
      runsRow('peer: `mesh-compose` of the spec to a supergraph', runs.peerCompose),
      runsRow('peer: `hive-gateway supergraph` (composed beforehand)', runs.peer),
      '',
      `Tessera cached / the peer: ${ratio(runs.cached, runs.peer, 'ms')} the time to a first answer, ${ratio(runs.cached, runs.peer, 'peakRssMiB')} the peak RSS`,
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
