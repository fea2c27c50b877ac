/**
 * "Compose time and peak RSS for a large spec": `npm run bench:compose [-- --mib 12 --repeat 3]`,
 * also printed by `npm run bench:peer`; `--spec FILE` composes a given JSON spec instead (e.g. GitHub's
 * REST description, `api.github.com.json` in the @octokit/openapi package, 12.4 MiB).
 *
 * Generates a deterministic OpenAPI document of about `--mib` MiB (resources with CRUD operations,
 * nested objects, enums, arrays and references, like big public API descriptions) and runs
 * `tessera compose` on it in a fresh process each time, with the node flags the `tessera` bin's
 * shebang gives it: wall time from spawn to exit and the process's peak RSS (VmHWM, via
 * /usr/bin/time's max resident size). Cold runs start with an empty
 * converted-schema cache (`resilience.specCache`), cached runs with the one the first run wrote.
 * A third row is the floor under the cached one: graphql-js alone building that cached SDL and
 * printing it sorted (bench/graphql-floor.cjs), in a process of its own with the same flags.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GATEWAY_NODE_FLAGS, REPO_ROOT } from './children';

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

function resourceSchemas(i: number, count: number): Record<string, unknown> {
  const name = `Resource${i}`;
  const properties: Record<string, unknown> = {
    id: { type: 'integer', format: 'int64', description: `Identifier of the ${name}.` },
    name: { type: 'string', description: `Human readable name of the ${name}, shown in listings and search results.` },
    status: { type: 'string', enum: ['draft', 'active', 'suspended', 'archived'], description: 'Lifecycle state.' },
    createdAt: { type: 'string', format: 'date-time', description: 'When it was created.' },
    owner: { $ref: `#/components/schemas/Resource${(i + 1) % count}Summary` },
    tags: { type: 'array', items: { type: 'string' }, description: 'Free-form labels.' },
    settings: {
      type: 'object',
      description: 'Settings, nested as real APIs nest them.',
      properties: Object.fromEntries(
        WORDS.map((word, w) => [`${word}Setting`, { type: w % 3 === 0 ? 'boolean' : w % 3 === 1 ? 'integer' : 'string', description: `The ${word} setting of ${name}; changing it takes effect on the next request.` }]),
      ),
    },
  };
  for (let p = 0; p < 24; p++) {
    properties[`${WORDS[p % WORDS.length]}Field${p}`] = {
      type: p % 4 === 0 ? 'number' : 'string',
      description: `Field ${p} of ${name}. Documentation for generated fields is long on purpose, as it is in public API descriptions that explain every property at length.`,
      ...(p % 5 === 0 ? { nullable: true } : {}),
    };
  }
  return {
    [name]: { type: 'object', required: ['id', 'name', 'status'], properties },
    [`${name}Summary`]: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, url: { type: 'string', format: 'uri' } } },
    [`${name}Input`]: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } }, settings: properties.settings } },
  };
}

function resourcePaths(i: number): Record<string, unknown> {
  const ref = (schema: string) => ({ $ref: `#/components/schemas/${schema}` });
  const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
  const error = { description: 'Not found', ...json({ type: 'object', properties: { message: { type: 'string' } } }) };
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'integer' }, description: 'Resource id.' };
  return {
    [`/resource${i}`]: {
      get: {
        operationId: `listResource${i}`,
        summary: `List Resource${i} page by page`,
        description: `Returns Resource${i} entries sorted by id. Use limit and offset to page; filters combine with AND.`,
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', default: 20 } },
          { name: 'offset', in: 'query', schema: { type: 'integer' } },
          { name: 'status', in: 'query', schema: { type: 'string', enum: ['draft', 'active', 'suspended', 'archived'] } },
        ],
        responses: { 200: { description: 'A page', ...json({ type: 'array', items: ref(`Resource${i}`) }) } },
      },
      post: {
        operationId: `createResource${i}`,
        requestBody: { required: true, ...json(ref(`Resource${i}Input`)) },
        responses: { 201: { description: 'Created', ...json(ref(`Resource${i}`)) }, 400: error },
      },
    },
    [`/resource${i}/{id}`]: {
      get: { operationId: `getResource${i}`, parameters: [id], responses: { 200: { description: 'One', ...json(ref(`Resource${i}`)) }, 404: error } },
      patch: {
        operationId: `updateResource${i}`,
        parameters: [id],
        requestBody: { required: true, ...json(ref(`Resource${i}Input`)) },
        responses: { 200: { description: 'Updated', ...json(ref(`Resource${i}`)) }, 404: error },
      },
      delete: { operationId: `deleteResource${i}`, parameters: [id], responses: { 204: { description: 'Deleted' }, 404: error } },
    },
  };
}

/** A spec of about `mib` MiB (pretty-printed JSON, as published descriptions are). */
export function generateSpec(mib: number): string {
  const resources = Math.max(1, Math.round(mib * 56)); // ~18 KiB of JSON per resource
  const spec = {
    openapi: '3.0.3',
    info: { title: 'Large generated API', version: '1.0.0' },
    paths: Object.assign({}, ...Array.from({ length: resources }, (_, i) => resourcePaths(i))),
    components: { schemas: Object.assign({}, ...Array.from({ length: resources }, (_, i) => resourceSchemas(i, resources))) },
  };
  return JSON.stringify(spec, null, 2);
}

export interface TimedRun {
  ms: number;
  peakRssMiB: number;
}

/** A node script in a fresh process under /usr/bin/time, by default with the node flags the bin's shebang gives the gateway. */
export function timedRun(what: string, args: string[], cwd = REPO_ROOT, nodeFlags = GATEWAY_NODE_FLAGS): TimedRun {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', 'MAXRSS_KIB %M', process.execPath, ...nodeFlags, ...args], {
    cwd,
    env: { ...process.env, NODE_ENV: 'production' },
    encoding: 'utf8',
  });
  const ms = performance.now() - started;
  const kib = /MAXRSS_KIB (\d+)/.exec(result.stderr)?.[1];
  if (result.status !== 0 || !kib) throw new Error(`${what} failed (${result.status}):\n${result.stderr.slice(-2000)}`);
  return { ms, peakRssMiB: Number(kib) / 1024 };
}

const composeOnce = (configFile: string) => timedRun('tessera compose', ['bin/tessera.cjs', 'compose', '--config', configFile, '--out', '/dev/null']);

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** A table row: median ms, median peak RSS, every run's ms. */
export function runsRow(label: string, runs: TimedRun[]): string {
  return `| ${label} | ${median(runs.map((r) => r.ms)).toFixed(0)} | ${median(runs.map((r) => r.peakRssMiB)).toFixed(0)} | ${runs.map((r) => r.ms.toFixed(0)).join(', ')} |`;
}

export async function largeSpecRows({ mib = 12, repeat = 3, specFile: given = '' } = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-large-spec-'));
  try {
    const spec = given ? readFileSync(given, 'utf8') : generateSpec(mib);
    const specFile = join(dir, 'large.json');
    writeFileSync(specFile, spec);
    const cacheDir = join(dir, 'spec-cache');
    const configFile = join(dir, 'tessera.config.yaml');
    writeFileSync(configFile, `sources:\n  - name: large\n    spec: ${specFile}\n    url: http://127.0.0.1:9\nresilience:\n  specCache: ${cacheDir}\n`);
    const cold: TimedRun[] = [];
    const cached: TimedRun[] = [];
    const floor: TimedRun[] = [];
    for (let i = 0; i < repeat; i++) {
      rmSync(cacheDir, { recursive: true, force: true });
      cold.push(composeOnce(configFile));
      cached.push(composeOnce(configFile)); // the run before wrote the cache
      const [converted] = readdirSync(join(cacheDir, 'converted'));
      floor.push(timedRun('bench/graphql-floor.cjs', ['bench/graphql-floor.cjs', join(cacheDir, 'converted', converted)]));
    }
    return [
      `spec: ${given ? `${given}, ` : ''}${(Buffer.byteLength(spec) / 2 ** 20).toFixed(1)} MiB, ${Object.keys(JSON.parse(spec).paths).length} paths; \`tessera compose\` in a fresh process, spawn to exit; median of ${repeat}`,
      '',
      '| run | ms | peak RSS MiB | all runs ms |',
      '|:----|---:|---:|:---|',
      runsRow('cold (empty cache)', cold),
      runsRow('cached (same spec hash)', cached),
      runsRow('floor: graphql-js alone builds the cached SDL and prints it sorted', floor),
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const { values } = parseArgs({ options: { mib: { type: 'string', default: '12' }, repeat: { type: 'string', default: '3' }, spec: { type: 'string', default: '' } }, strict: true });
  largeSpecRows({ mib: Number(values.mib), repeat: Number(values.repeat), specFile: values.spec })
    .then((rows) => console.log(rows))
    .catch((error: unknown) => {
      console.error(`bench:compose failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    });
}
