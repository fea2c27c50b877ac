import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { specPath } from '../../sources';
import { REPO_ROOT } from './harness';

export interface DemoConfigFile {
  /** The config file, in a temp folder of its own. */
  file: string;
  /** users' spec, copied into that folder so a test can edit it. */
  usersSpec: string;
  /** Environment that points the config's *_URL variables at running services. */
  env(urls: Record<string, { url: string }>): NodeJS.ProcessEnv;
}

/** The demo config written to a temp folder, with `extra` YAML appended (e.g. a resilience section). */
export function writeDemoConfig(extra = ''): DemoConfigFile {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-config-'));
  const usersSpec = join(dir, 'users.yaml');
  writeFileSync(usersSpec, readFileSync(specPath('users'), 'utf8'));
  const config = readFileSync(join(REPO_ROOT, 'tessera.config.yaml'), 'utf8')
    .replace('spec: sources/users/openapi.yaml', `spec: ${usersSpec}`)
    .replace(/spec: sources\//g, `spec: ${REPO_ROOT}/sources/`)
    .replace('# yaml-language-server', '#');
  const file = join(dir, 'tessera.config.yaml');
  writeFileSync(file, `${config}\n${extra}`);
  return {
    file,
    usersSpec,
    env(services) {
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const [name, service] of Object.entries(services)) env[`${name.toUpperCase()}_URL`] = service.url;
      return env;
    },
  };
}

/** The users spec with one more string property on User. */
export function withNickname(spec: string): string {
  return spec.replace('        name:\n          type: string\n', '        name:\n          type: string\n        nickname:\n          type: string\n');
}
