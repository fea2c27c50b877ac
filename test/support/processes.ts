import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { DemoServiceName } from '../../sources';
import { REPO_ROOT } from './harness';

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** Upstream requests it served so far, from its own counter. */
  calls(): Promise<number>;
  kill(): Promise<void>;
}

/** One demo service as a child process, so a test can kill it like a crashed instance. */
export async function startServiceProcess(name: DemoServiceName, timeoutMs = 30_000): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(REPO_ROOT, 'test', 'support', 'one-service.ts'), name], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = text.match(/^(http:\/\/\S+)$/m);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    child,
    calls: async () => ((await (await fetch(`${url}/__stats`)).json()) as { total: number }).total,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
