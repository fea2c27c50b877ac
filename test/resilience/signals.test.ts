import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDemoServices, type DemoServices } from '../../sources';
import { withNickname, writeDemoConfig } from '../support/config-file';
import { REPO_ROOT } from '../support/harness';

const BIN = join(REPO_ROOT, 'bin/tessera.cjs');

/** `tessera serve` on a config of its own (specs in a temp folder, file watching off), on a free port. */
async function startServe(demo: DemoServices): Promise<{ child: ChildProcess; url: string; spec: string; output: () => string }> {
  const config = writeDemoConfig('resilience:\n  reload: { watch: false }\n');
  const env = { ...config.env(demo.services), PORT: '0', NODE_ENV: 'production' };
  const child = spawn(process.execPath, [BIN, 'serve', '--config', config.file], { cwd: REPO_ROOT, env });
  let seen = '';
  child.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
  for (let i = 0; i < 300 && !/Tessera serving/.test(seen); i++) {
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  const url = /"url":"([^"]+)"/.exec(seen)?.[1];
  if (!url) {
    child.kill('SIGKILL');
    throw new Error(`tessera serve did not start:\n${seen}`);
  }
  return { child, url, spec: config.usersSpec, output: () => seen };
}

async function query<T>(url: string, text: string): Promise<{ status: number; body: { data?: T; errors?: unknown[] } }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: text }) });
  return { status: response.status, body: (await response.json()) as { data?: T; errors?: unknown[] } };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

// Child processes start and recompose slowly on a loaded machine: generous bounds.
jest.setTimeout(90_000);

describe('tessera serve and signals', () => {
  test('SIGHUP reloads: a field added to a spec appears, and the log names it', async () => {
    const demo = await startDemoServices();
    const serve = await startServe(demo);
    try {
      const fields = async () =>
        (await query<{ __type: { fields: Array<{ name: string }> } }>(serve.url, '{ __type(name: "User") { fields { name } } }')).body.data!.__type.fields.map((f) => f.name);
      expect(await fields()).not.toContain('nickname');
      writeFileSync(serve.spec, withNickname(readFileSync(serve.spec, 'utf8')));
      await sleep(600); // watching is off: nothing happens until the signal
      expect(await fields()).not.toContain('nickname');
      serve.child.kill('SIGHUP');
      let now: string[] = [];
      for (let i = 0; i < 300 && !now.includes('nickname'); i++) {
        await sleep(100);
        now = await fields();
      }
      expect(now).toContain('nickname');
      expect(serve.output()).toMatch(/schema reloaded \(SIGHUP\): added User\.nickname/);
    } finally {
      serve.child.kill('SIGKILL');
      await exited(serve.child);
      await demo.close();
    }
  });

  test('SIGTERM drains: a request in flight finishes, new connections are refused, the process exits 0', async () => {
    const demo = await startDemoServices({ latencyMs: 1_500 });
    const serve = await startServe(demo);
    try {
      const inFlight = query<{ user: { name: string } }>(serve.url, '{ user(id: "1") { name } }');
      await sleep(400); // the upstream call is under way (the service answers after 1.5 s)
      serve.child.kill('SIGTERM');
      const { status, body } = await inFlight;
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data!.user.name).toEqual(expect.any(String));
      expect(await exited(serve.child)).toBe(0);
      await expect(fetch(serve.url)).rejects.toThrow();
    } finally {
      serve.child.kill('SIGKILL');
      await exited(serve.child);
      await demo.close();
    }
  });
});
