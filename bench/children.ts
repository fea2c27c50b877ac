/**
 * Child processes for the bench: the demo services in one, the gateway in another, so neither
 * shares an event loop with the load generator. Every child is tracked and stopped by `stopAll`,
 * and killed outright if the bench exits without calling it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const REPO_ROOT = join(__dirname, '..');
export const SERVICES = ['users', 'products', 'orders', 'reviews'] as const;
export type ServiceName = (typeof SERVICES)[number];
export type ServiceUrls = Record<ServiceName, string>;

/**
 * V8 heap settings the gateway runs with, here as in the Docker image (its CMD, kept equal by
 * test/deploy/compose.test.ts). Under load a request's objects live across several scavenges of
 * the default 16 MiB semi-space and get promoted, and V8 then lets the old space grow to up to 4x
 * what survives its mark-compacts (~60 MiB live, 250+ MiB heap on Q3). A 64 MiB semi-space lets
 * them die young, and the old space grows by half its live size at most: peak RSS -14..-21% at
 * equal or lower CPU per request (README, Benchmark). Both are node options, not settable from
 * inside the process (the semi-space is sized when the heap is made).
 */
export const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=64', '--heap-growing-percent=50'];

const children = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** SIGTERM every child, then SIGKILL whatever is still running after `graceMs`. */
export async function stopAll(graceMs = 3_000): Promise<void> {
  await Promise.all([...children].map((child) => stop(child, graceMs)));
}

/** SIGTERM one child, then SIGKILL it if it is still running after `graceMs`. */
export async function stop(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  if (!(await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]))) {
    child.kill('SIGKILL');
    await exited;
  }
}

function exitDescription(child: ChildProcess): string {
  return child.signalCode ? `signal ${child.signalCode}` : `code ${String(child.exitCode)}`;
}

/** `npx tsx sources/serve.ts` without the npx/tsx wrapper processes; ports are picked by the OS. */
export async function startServices(timeoutMs = 30_000): Promise<{ pid: number; urls: ServiceUrls }> {
  const child = track(
    spawn(process.execPath, ['--require', 'tsx/cjs', 'sources/serve.ts', '--base-port', '0'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const stdout = child.stdout;
  if (!stdout || child.pid === undefined) throw new Error('could not start the demo services');

  // serve.ts prints one line per service: "users    http://127.0.0.1:PORT  (spec: ...)".
  const urls = await new Promise<ServiceUrls>((resolve, reject) => {
    const found: Partial<ServiceUrls> = {};
    let text = '';
    const timer = setTimeout(() => fail(new Error(`demo services did not start within ${timeoutMs} ms`)), timeoutMs);
    const onExit = () => fail(new Error(`demo services exited (${exitDescription(child)}) before listening`));
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      for (const match of text.matchAll(/^(users|products|orders|reviews)\s+(http:\/\/\S+)/gm)) {
        found[match[1] as ServiceName] = match[2];
      }
      if (SERVICES.every((name) => found[name] !== undefined)) {
        cleanup();
        resolve(found as ServiceUrls);
      }
    };
    function cleanup() {
      clearTimeout(timer);
      child.off('exit', onExit);
      stdout?.off('data', onData);
      stdout?.resume(); // keep draining whatever it prints later
    }
    function fail(error: Error) {
      cleanup();
      reject(error);
    }
    child.once('exit', onExit);
    stdout.on('data', onData);
  });
  return { pid: child.pid, urls };
}

/** A port that was free a moment ago (the gateway CLI does not report the port it got for --port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * `node bin/tessera.cjs serve --port N` with the *_URL variables pointing at the services.
 * Its stdout and stderr (one JSON log line per GraphQL request) go to `logFile`, not through the
 * bench process. Resolves once GET /readyz answers 200.
 */
export async function startGateway(
  urls: ServiceUrls,
  logFile: string,
  { configFile = 'tessera.config.yaml', timeoutMs = 60_000 }: { configFile?: string; timeoutMs?: number } = {},
): Promise<{ pid: number; baseUrl: string }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SERVICES) env[`${name.toUpperCase()}_URL`] = urls[name];
  delete env.REDIS_URL; // the bench measures one process: an in-memory cache
  const log = openSync(logFile, 'w');
  const child = track(
    spawn(process.execPath, [...GATEWAY_NODE_FLAGS, 'bin/tessera.cjs', 'serve', '--config', configFile, '--port', String(port)], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', log, log],
    }),
  );
  closeSync(log); // the child holds its own copy
  if (child.pid === undefined) throw new Error('could not start the gateway');

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`gateway exited (${exitDescription(child)}) before it was ready; log ${logFile}:\n${tail(logFile)}`);
    }
    try {
      const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
      last = `HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`;
      if (response.status === 200) return { pid: child.pid, baseUrl };
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`gateway not ready within ${timeoutMs} ms (last /readyz: ${last}); log ${logFile}:\n${tail(logFile)}`);
}

// ---- resource sampling (Linux /proc) ------------------------------------------------------------

/** Does a GraphQL POST of `body` to `url` answer with data and no errors? */
export async function answers(url: string, body: unknown): Promise<boolean> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(2_000) });
  const json = (await response.json()) as { data?: unknown; errors?: unknown };
  return response.ok && json.errors === undefined && json.data !== undefined;
}

/** The process and its descendants (the peer's CLI may fork its server), for RSS and CPU. */
export function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(statFields(Number(entry))[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]) ?? []));
  return tree;
}

/** A memory figure of /proc/<pid>/status in KiB: VmRSS now, or VmHWM (the peak so far). */
export function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0; // process gone, or not Linux
  }
}

/** The fields of /proc/<pid>/stat after the command name: [0] is field 3 (state), [1] the parent's pid. */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** utime + stime in seconds; Linux reports them in clock ticks of 1/100 s. */
function cpuSeconds(pid: number): number {
  try {
    const fields = statFields(pid);
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

export interface ProcessUsage {
  peakRssMiB: number;
  /** CPU time over wall time; above 100 when more than one core is busy. */
  cpuPercent: number;
  cpuSeconds: number;
}

/** Samples VmRSS every `intervalMs` until `stop()`; CPU is the difference of two readings. */
export function sampleProcess(pid: number, intervalMs = 250): { stop(): ProcessUsage } {
  const cpuStart = cpuSeconds(pid);
  const started = performance.now();
  let peakKiB = statusKiB(pid, 'VmRSS');
  const timer = setInterval(() => {
    peakKiB = Math.max(peakKiB, statusKiB(pid, 'VmRSS'));
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      peakKiB = Math.max(peakKiB, statusKiB(pid, 'VmRSS'));
      const cpu = cpuSeconds(pid) - cpuStart;
      const wall = (performance.now() - started) / 1000;
      return { peakRssMiB: peakKiB / 1024, cpuPercent: (cpu * 100) / wall, cpuSeconds: cpu };
    },
  };
}

/** Polls until `probe` succeeds; returns the milliseconds since `started`. */
export async function waitFor(
  what: string,
  child: ChildProcess,
  started: number,
  probe: () => Promise<boolean>,
  { timeoutMs = 60_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<number> {
  while (performance.now() - started < timeoutMs) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it answered`);
    if (await probe().catch(() => false)) return performance.now() - started;
    await sleep(intervalMs);
  }
  throw new Error(`${what} did not answer within ${timeoutMs} ms`);
}
