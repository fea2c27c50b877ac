import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './harness';

export interface GatewayProcess {
  /** http://127.0.0.1:PORT */
  base: string;
  pid: number;
  /** JSON log lines the process printed so far. */
  lines: Array<Record<string, unknown>>;
  /** SIGTERM, then waits for the exit (the gateway flushes its spans on the way out). */
  stop(): Promise<number | null>;
}

export interface GatewayProcessOptions {
  /** Upstream URLs (USERS_URL, …) and anything else the process should see. */
  env: NodeJS.ProcessEnv;
  /** YAML appended to the demo config, e.g. a `telemetry:` section. */
  extraConfig?: string;
  /** More `tessera serve` arguments, e.g. `--workers 2`. */
  args?: string[];
}

/**
 * `tessera serve` as a child process on a free port, with the demo config (spec paths made
 * absolute, so the file can live in a temporary folder) plus `extraConfig`.
 */
export async function startGatewayProcess({ env, extraConfig = '', args = [] }: GatewayProcessOptions): Promise<GatewayProcess> {
  const folder = mkdtempSync(join(tmpdir(), 'tessera-'));
  const configFile = join(folder, 'tessera.config.yaml');
  const demo = readFileSync(join(REPO_ROOT, 'tessera.config.yaml'), 'utf8').replaceAll('spec: sources/', `spec: ${REPO_ROOT}/sources/`);
  writeFileSync(configFile, `${demo}\n${extraConfig}\n`);
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'tessera.cjs'), 'serve', '--config', configFile, '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  let buffered = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway process did not start within 60 s; stderr: ${stderr}`)), 60_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      for (const line of complete.filter(Boolean)) {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        lines.push(parsed);
        if (typeof parsed.url === 'string' && String(parsed.msg).startsWith('Tessera serving')) {
          clearTimeout(timer);
          resolve(new URL(parsed.url).origin);
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway process exited with ${code} before serving; stderr: ${stderr}`));
    });
  });
  return {
    base,
    pid: child.pid!,
    lines,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(folder, { recursive: true, force: true });
      return code;
    },
  };
}
