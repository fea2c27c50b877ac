/**
 * `npm run bench [-- --duration 10 --connections 50 --warmup 2 --only Q1,Q2 --json results.json]`
 *
 * Starts the demo services and the gateway as two child processes, then for each case: a preflight
 * request (response size, GraphQL errors), a warm-up, and a measured autocannon run from this
 * process. Upstream calls per request come from the services' /__stats counters (reset before each
 * measured run); the gateway's peak RSS and CPU from /proc.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import {
  REPO_ROOT,
  SERVICES,
  sampleProcess,
  startGateway,
  startServices,
  stopAll,
  type ProcessUsage,
  type ServiceName,
  type ServiceUrls,
} from './children';
import { mintToken } from '../gateway/auth/tokens';
import { loadConfig } from '../gateway/config/load';
import { runLoad, type LoadRequest, type LoadResult } from './load';

// ---- settings -------------------------------------------------------------------------------------

interface Settings {
  duration: number;
  connections: number;
  warmup: number;
  only?: string[];
  json?: string;
}

function number(flag: string, raw: string, min: number, integer = false): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new Error(`--${flag} must be ${integer ? 'an integer' : 'a number'} >= ${min} (got '${raw}')`);
  }
  return value;
}

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      warmup: { type: 'string', default: '5' },
      only: { type: 'string' },
      json: { type: 'string' },
    },
    strict: true,
  });
  return {
    duration: number('duration', values.duration, 1),
    connections: number('connections', values.connections, 1, true),
    warmup: number('warmup', values.warmup, 0),
    only: values.only?.split(',').map((name) => name.trim()).filter(Boolean),
    json: values.json,
  };
}

// ---- cases ----------------------------------------------------------------------------------------

interface BenchCase {
  name: string;
  description: string;
  /** The URL autocannon loads. */
  target: (env: Environment) => string;
  /** A fresh autocannon request definition; `onGraphqlError` counts 2xx bodies with "errors". */
  request: (onGraphqlError: () => void) => LoadRequest;
  /** One request as a client would send it, for the preflight. */
  preflight: (env: Environment) => Promise<Response>;
  /** Runs against the gateway with the response cache on; every other case runs uncached. */
  cached?: boolean;
}

interface Environment {
  graphqlUrl: string;
  /** A second gateway with the response cache on (started only for cached cases). */
  cachedGraphqlUrl?: string;
  services: ServiceUrls;
}

const JSON_HEADERS: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };

/** Set in main: a demo token for user 1, so Q1 may read its own private `email` like the peer's Q1. */
const SIGNED_IN: Record<string, string> = { ...JSON_HEADERS };

interface CaseOptions {
  /** Variables per request. */
  variables?: () => Record<string, unknown>;
  /** The variables change per request (the body is rebuilt for each). */
  varies?: boolean;
  /** Sent to the gateway with the response cache on. */
  cached?: boolean;
  headers?: Record<string, string>;
}

function graphqlCase(name: string, description: string, query: string, options: CaseOptions = {}): BenchCase {
  const { variables = () => ({}), varies = false, cached = false, headers = JSON_HEADERS } = options;
  const body = () => JSON.stringify({ query, variables: variables() });
  const urlOf = (env: Environment) => (cached ? env.cachedGraphqlUrl : env.graphqlUrl) ?? env.graphqlUrl;
  return {
    name,
    description,
    cached,
    target: urlOf,
    request: (onGraphqlError) => {
      const request: LoadRequest = {
        method: 'POST',
        headers,
        body: body(),
        onResponse: (status, responseBody) => {
          if (status >= 200 && status < 300 && responseBody.includes('"errors":')) onGraphqlError();
        },
      };
      // Rebuilding the body per request costs a little client CPU, so only when it changes.
      if (varies) request.setupRequest = (r) => ({ ...r, body: body() });
      return request;
    },
    preflight: (env) => fetch(urlOf(env), { method: 'POST', headers, body: body() }),
  };
}

/** Q2's offset steps through 0..4950, one per request, across preflight, warm-up and run. */
let q2Request = 0;

const Q2_QUERY = 'query Q2($offset: Int) { orders(limit: 50, offset: $offset) { id quantity status customer { name } product { title } } }';

const CASES: BenchCase[] = [
  graphqlCase('Q1', 'one user by id (signed in as that user)', 'query Q1($id: ID!) { user(id: $id) { id name email role } }', {
    variables: () => ({ id: '1' }),
    headers: SIGNED_IN,
  }),
  graphqlCase('Q2', '50 orders + customer + product, offset varies per request', Q2_QUERY, {
    variables: () => ({ offset: q2Request++ % 4951 }),
    varies: true,
  }),
  // Q2 repeated (one offset) through the response cache: every request after the first is a hit.
  graphqlCase('Q4', 'Q2 repeated (offset 0) with the response cache on (in memory)', Q2_QUERY, { variables: () => ({ offset: 0 }), cached: true }),
  graphqlCase('Q3', '20 products + reviews + author', 'query Q3 { products(limit: 20) { id title reviews { rating author { name } } } }'),
  {
    name: 'direct',
    description: 'GET /users/1 straight at the users service (REST ceiling)',
    target: (env) => `${env.services.users}/users/1`,
    request: () => ({ method: 'GET' }),
    preflight: (env) => fetch(`${env.services.users}/users/1`),
  },
];

// ---- services' request counters -------------------------------------------------------------------

interface ServiceStats {
  service: string;
  total: number;
  byOperation: Record<string, number>;
  byPath: Record<string, number>;
}
type AllStats = Record<ServiceName, ServiceStats>;

async function readStats(urls: ServiceUrls): Promise<AllStats> {
  const all = await Promise.all(SERVICES.map(async (name) => (await fetch(`${urls[name]}/__stats`)).json() as Promise<ServiceStats>));
  return Object.fromEntries(SERVICES.map((name, i) => [name, all[i]])) as AllStats;
}

async function resetStats(urls: ServiceUrls): Promise<void> {
  await Promise.all(SERVICES.map(async (name) => (await fetch(`${urls[name]}/__stats/reset`, { method: 'POST' })).arrayBuffer()));
}

const totalOf = (stats: AllStats) => SERVICES.reduce((sum, name) => sum + stats[name].total, 0);

/**
 * Requests still in flight when autocannon stops keep the gateway calling upstream for a while.
 * Waits until the counters stop moving (or `maxMs`), so that work is neither lost from a measured
 * run nor leaked from a warm-up into the next one.
 */
async function settledStats(urls: ServiceUrls, quietMs = 250, maxMs = 10_000): Promise<AllStats> {
  const deadline = Date.now() + maxMs;
  let stats = await readStats(urls);
  for (;;) {
    await sleep(quietMs);
    const next = await readStats(urls);
    if (totalOf(next) === totalOf(stats) || Date.now() > deadline) return next;
    stats = next;
  }
}

// ---- one case ---------------------------------------------------------------------------------------

interface Row {
  name: string;
  description: string;
  rps: number;
  p50: number;
  p99: number;
  requests: { completed: number; sent: number };
  errors: { total: number; non2xx: number; socket: number; timeouts: number; graphql: number };
  statusCodes: Record<string, number>;
  upstreamPerRequest: number;
  upstreamByService: Record<ServiceName, number>;
  upstreamByPath: Record<ServiceName, Record<string, number>>;
  /** The gateway's, during the measured run; null for `direct`, which does not go through it. */
  gateway: ProcessUsage | null;
}

async function measure(c: BenchCase, env: Environment, settings: Settings, gatewayPid: number): Promise<Row> {
  const url = c.target(env);
  const load = (duration: number, onGraphqlError: () => void): Promise<LoadResult> =>
    runLoad({ url, connections: settings.connections, duration, requests: [c.request(onGraphqlError)] });

  if (settings.warmup > 0) {
    await load(settings.warmup, () => {});
    await settledStats(env.services);
  }
  await resetStats(env.services);

  let graphqlErrors = 0;
  const usage = c.name === 'direct' ? null : sampleProcess(gatewayPid);
  const result = await load(settings.duration, () => graphqlErrors++);
  const gateway = usage?.stop() ?? null;
  const stats = await settledStats(env.services);

  // Per request sent: those cut off at the end were still (at least partly) served upstream.
  const sent = result.requests.sent || result.requests.total || 1;
  const upstreamByService = Object.fromEntries(SERVICES.map((name) => [name, stats[name].total / sent])) as Record<ServiceName, number>;
  const socket = result.errors - result.timeouts;
  return {
    name: c.name,
    description: c.description,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: { completed: result.requests.total, sent: result.requests.sent },
    errors: {
      total: result.non2xx + result.errors + graphqlErrors,
      non2xx: result.non2xx,
      socket,
      timeouts: result.timeouts,
      graphql: graphqlErrors,
    },
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
    upstreamPerRequest: totalOf(stats) / sent,
    upstreamByService,
    upstreamByPath: Object.fromEntries(SERVICES.map((name) => [name, stats[name].byPath])) as Record<ServiceName, Record<string, number>>,
    gateway,
  };
}

/**
 * One request before any load: status, size, nulls and GraphQL errors, and the upstream calls it
 * caused. A gateway case that reaches none of the bench's services is talking to other upstreams
 * (e.g. ignored *_URL variables), and every number it produced would be meaningless: that aborts.
 */
async function preflight(c: BenchCase, env: Environment): Promise<string> {
  await resetStats(env.services);
  let text: string;
  let status: number;
  try {
    const response = await c.preflight(env);
    status = response.status;
    text = await response.text();
  } catch (error) {
    return `FAILED: ${(error as Error).message}`;
  }
  let problems = '';
  try {
    const errors = (JSON.parse(text) as { errors?: unknown }).errors;
    if (errors !== undefined) problems = `  GRAPHQL ERRORS: ${JSON.stringify(errors).slice(0, 400)}`;
  } catch {
    problems = `  NOT JSON: ${text.slice(0, 200)}`;
  }
  const nulls = text.match(/:null\b/g)?.length ?? 0;
  const stats = await settledStats(env.services, 100);
  const calls = totalOf(stats);
  if (calls === 0 && c.name !== 'direct') {
    throw new Error(
      `preflight ${c.name} made no request to the bench's services (${Object.values(env.services).join(', ')}): ` +
        'the gateway is calling other upstreams, so it did not pick up USERS_URL/PRODUCTS_URL/ORDERS_URL/REVIEWS_URL',
    );
  }
  const by = SERVICES.map((name) => stats[name].total).join('/');
  return `HTTP ${status}, ${Buffer.byteLength(text)} bytes, ${nulls} nulls, ${calls} upstream calls (u/p/o/r ${by})${problems}`;
}

// ---- output -----------------------------------------------------------------------------------------

/** Keys in the gateway config that look like client quotas / rate limits, as "a.b.c" paths. */
function quotaKeys(configFile: string): string[] {
  const found: string[] = [];
  const walk = (value: unknown, path: string[]) => {
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      const here = [...path, key];
      if (/quota|rate.?limit|throttl/i.test(key)) found.push(here.join('.'));
      walk(child, here);
    }
  };
  walk(parseYaml(readFileSync(configFile, 'utf8')) as unknown, []);
  return found;
}

const ms = (value: number) => (value < 1 ? '<1' : value.toFixed(0));

function table(rows: Row[]): string {
  const header = ['query', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'upstream/req', 'by service (u/p/o/r)', 'peak RSS MiB', 'gw CPU %', 'gw CPU ms/req'];
  const cells = rows.map((r) => [
    r.name,
    r.rps.toFixed(0),
    ms(r.p50),
    ms(r.p99),
    String(r.errors.total),
    r.upstreamPerRequest.toFixed(2),
    SERVICES.map((name) => r.upstreamByService[name].toFixed(2)).join('/'),
    r.gateway ? r.gateway.peakRssMiB.toFixed(0) : '-',
    r.gateway ? r.gateway.cpuPercent.toFixed(0) : '-',
    r.gateway ? ((r.gateway.cpuSeconds * 1000) / Math.max(1, r.requests.sent)).toFixed(2) : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}

/**
 * The demo config with the response cache switched on or off and no rate limits, written next to
 * nothing (spec paths made absolute): uncached cases measure the gateway's own work, cached ones the cache.
 */
function benchConfig(configFile: string, cache: boolean): string {
  const config = parseYaml(readFileSync(configFile, 'utf8')) as {
    sources: Array<{ spec?: string }>;
    cache?: Record<string, unknown>;
    server?: { http?: Record<string, unknown> } & Record<string, unknown>;
  };
  for (const source of config.sources) if (source.spec) source.spec = resolve(REPO_ROOT, source.spec);
  // Cached answers carry the bytes uncached ones do: no cache metadata in `extensions` (the
  // development profile's debugging aid; production leaves it out).
  config.cache = { ...config.cache, enabled: cache, redisUrl: undefined, exposeMetadata: false };
  // The load comes from one address at rates far above the demo's quotas: the bench measures the
  // gateway's work, not its throttling (rate limits are measured by test/ratelimit).
  delete (config as { rateLimits?: unknown }).rateLimits;
  // autocannon keeps sending on a connection after `Connection: close`, so past the default 1,000
  // requests per connection it counts Node's 503s as errors (Q4's hits pass 50,000 in one run; as
  // in bench/fixture.config.yaml).
  config.server = { ...config.server, http: { ...config.server?.http, maxRequestsPerSocket: 0 } };
  const file = join(tmpdir(), `tessera-bench-${cache ? 'cached' : 'uncached'}.config.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

// ---- main -------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const known = CASES.map((c) => c.name);
  const unknown = settings.only?.filter((name) => !known.includes(name)) ?? [];
  if (unknown.length > 0) throw new Error(`--only: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
  const cases = CASES.filter((c) => !settings.only || settings.only.includes(c.name));

  const configFile = join(REPO_ROOT, 'tessera.config.yaml');
  const quotas = quotaKeys(benchConfig(configFile, false));
  const { config } = loadConfig(configFile);
  const token = await mintToken(config.auth.jwt, { subject: '1', roles: ['customer'], scopes: [], ttl: '2h' });
  SIGNED_IN.authorization = `Bearer ${token}`;
  const logFile = join(tmpdir(), 'tessera-bench-gateway.log');

  const services = await startServices();
  const gateway = await startGateway(services.urls, logFile, { configFile: benchConfig(configFile, false) });
  const cachedGateway = cases.some((c) => c.cached)
    ? await startGateway(services.urls, join(tmpdir(), 'tessera-bench-gateway-cached.log'), { configFile: benchConfig(configFile, true) })
    : undefined;
  const env: Environment = {
    graphqlUrl: `${gateway.baseUrl}/graphql`,
    cachedGraphqlUrl: cachedGateway && `${cachedGateway.baseUrl}/graphql`,
    services: services.urls,
  };

  console.log(
    `settings: duration ${settings.duration} s, warm-up ${settings.warmup} s, ${settings.connections} connections, ` +
      `cases ${cases.map((c) => c.name).join(',')}; node ${process.version}, ${cpus().length} CPUs; ` +
      `gateway ${env.graphqlUrl} (pid ${gateway.pid}, log ${logFile}), services pid ${services.pid}`,
  );
  console.log(
    quotas.length === 0
      ? 'client quotas: off (none configured)'
      : `client quotas: CONFIGURED (${quotas.join(', ')}): the load may be throttled`,
  );

  for (const c of cases) console.log(`preflight ${c.name} (${c.description}): ${await preflight(c, env)}`);

  const rows: Row[] = [];
  for (const c of cases) {
    process.stderr.write(`${c.name}: ${settings.warmup} s warm-up + ${settings.duration} s measured ... `);
    const row = await measure(c, env, settings, c.cached && cachedGateway ? cachedGateway.pid : gateway.pid);
    process.stderr.write(`${row.rps.toFixed(0)} req/s, ${row.errors.total} errors\n`);
    rows.push(row);
  }

  console.log(`\n${table(rows)}\n`);
  const q2 = rows.find((r) => r.name === 'Q2');
  const q4 = rows.find((r) => r.name === 'Q4');
  if (q2 && q4) console.log(`Q4 (cached, repeated) / Q2 (uncached): ${(q4.rps / q2.rps).toFixed(1)}x req/s, p50 ${ms(q4.p50)} vs ${ms(q2.p50)} ms`);
  console.log(
    'errors = non-2xx + socket errors/timeouts + 2xx bodies with "errors"; upstream/req = service requests per request sent; ' +
      'peak RSS and CPU are the gateway process during the measured run (CPU % of one core, CPU ms per request sent).',
  );
  for (const r of rows.filter((row) => row.errors.total > 0)) {
    const { non2xx, socket, timeouts, graphql } = r.errors;
    console.log(`${r.name} errors: ${non2xx} non-2xx, ${socket} socket errors, ${timeouts} timeouts, ${graphql} GraphQL; status codes ${JSON.stringify(r.statusCodes)}`);
  }

  if (settings.json) {
    const file = resolve(process.env.INIT_CWD ?? process.cwd(), settings.json); // npm runs scripts from the repo root
    const document = { at: new Date().toISOString(), settings, node: process.version, cpus: cpus().length, clientQuotas: quotas, rows };
    writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
    console.log(`results written to ${file}`);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the gateway and services\n`);
    void stopAll().finally(() => process.exit(130));
  });
}

main()
  .catch((error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
