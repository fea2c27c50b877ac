import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const SHARED_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/**
 * Whether the shared Redis answers PING, checked synchronously so a suite can choose between
 * `describe` and `describe.skip` when it is defined. In CI (CI=true) Redis is required: a missing
 * one fails the suite instead of skipping it.
 */
export function sharedRedisReachable(): boolean {
  const { hostname, port } = new URL(SHARED_REDIS_URL);
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const s = require('node:net').connect(${Number(port || 6379)}, ${JSON.stringify(hostname)});
       s.setTimeout(1000, () => process.exit(1)); s.on('error', () => process.exit(1));
       s.on('connect', () => s.write('PING\\r\\n')); s.on('data', (d) => process.exit(String(d).startsWith('+PONG') ? 0 : 1));`,
    ],
    { timeout: 5000 },
  );
  const reachable = probe.status === 0;
  if (!reachable && process.env.CI !== 'true') {
    console.warn(`\n*** SKIPPED: Redis cache tests: no Redis answers at ${SHARED_REDIS_URL} (start redis-server, or set REDIS_URL) ***\n`);
  }
  return reachable || process.env.CI === 'true';
}

/** A key prefix of its own per test run, so runs never read each other's entries. */
export function uniquePrefix(name: string): string {
  return `tessera-test:${name}:${process.pid}:${Date.now()}`;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A redis-server child of this test on `port`, stopped and started at will. */
export class OwnRedis {
  private child?: ChildProcess;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.child = child;
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
      if (await answersPing(this.port)) return;
      await sleep(50);
    }
    throw new Error(`redis-server did not answer on port ${this.port}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

async function answersPing(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(String(data).startsWith('+PONG')));
  });
}
