import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './harness';

const BIN = join(REPO_ROOT, 'bin/tessera.cjs');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (`node bin/tessera.cjs …`) in `cwd`; resolves with its exit code and output. */
export function runTessera(cwd: string, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

export interface CheckWorkspace {
  dir: string;
  /** Replaces the first match of `from` in `file` (relative to the workspace); throws when nothing matches. */
  edit(file: string, from: string | RegExp, to: string): Promise<void>;
  remove(): Promise<void>;
}

/** The repo's config, demo specs, committed schema and demo operations, in a temp folder to edit. */
export async function checkWorkspace(): Promise<CheckWorkspace> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-check-'));
  await cp(join(REPO_ROOT, 'tessera.config.yaml'), join(dir, 'tessera.config.yaml'));
  await cp(join(REPO_ROOT, 'schema'), join(dir, 'schema'), { recursive: true });
  for (const service of ['users', 'products', 'orders', 'reviews']) {
    await cp(join(REPO_ROOT, 'sources', service, 'openapi.yaml'), join(dir, 'sources', service, 'openapi.yaml'));
  }
  return {
    dir,
    async edit(file, from, to) {
      const text = await readFile(join(dir, file), 'utf8');
      const edited = text.replace(from, to);
      if (edited === text) throw new Error(`${file}: nothing matches ${from}`);
      await writeFile(join(dir, file), edited);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
