import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { specPath } from '../../sources';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { startDemoServices, type DemoServices } from '../../sources';
import { loadConfig } from '../../gateway/config/load';
import { createGateway, type Gateway } from '../../gateway/gateway';
import { listen, type ListeningGateway } from '../../gateway/server/listen';
import { withNickname, writeDemoConfig } from '../support/config-file';
import { startDemoGateway, type RunningGateway } from '../support/harness';
import { until } from '../support/until';

const USER_FIELDS = '{ __type(name: "User") { fields { name } } }';

// Reloads recompose the schema, which takes seconds on a loaded machine: generous bounds.
jest.setTimeout(90_000);

describe('live reload of a spec file', () => {
  let gw: RunningGateway;
  let spec: string;
  const original = readFileSync(specPath('users'), 'utf8');
  beforeAll(async () => {
    spec = join(mkdtempSync(join(tmpdir(), 'tessera-reload-')), 'users.yaml');
    writeFileSync(spec, original);
    gw = await startDemoGateway({
      configure: (config) => ({ ...config, sources: config.sources.map((s) => (s.name === 'users' && s.kind === 'openapi' ? { ...s, spec } : s)) }),
    });
  });
  afterAll(() => gw?.close());

  const userFields = async () => {
    const { body } = await gw.query<{ __type: { fields: Array<{ name: string }> } }>(USER_FIELDS);
    return body.data!.__type.fields.map((f) => f.name);
  };

  test('a spec edited while queries stream: the new field appears and no query fails', async () => {
    expect(await userFields()).not.toContain('nickname');
    const versionBefore = gw.gateway.status.schema().version;
    const failures: unknown[] = [];
    let done = false;
    let sent = 0;
    const stream = async () => {
      while (!done && sent < 5_000) {
        sent++;
        const { status, body } = await gw.query<{ user: { name: string } }>('{ user(id: "2") { name } orders(userId: "2", limit: 2) { id customer { name } } }');
        if (status !== 200 || body.errors || !body.data?.user?.name) failures.push(body);
      }
    };
    const streams = Array.from({ length: 4 }, stream);
    await until(async () => sent >= 8); // queries are running before the edit…
    writeFileSync(spec, withNickname(original));
    let fields: string[] = [];
    await until(async () => (fields = await userFields()).includes('nickname'), 300);
    const atSwap = sent;
    await until(async () => sent >= atSwap + 8); // …and after the swap
    done = true;
    await Promise.all(streams);
    expect(fields).toContain('nickname');
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(atSwap + 8);
    expect(gw.gateway.status.schema().version).not.toBe(versionBefore);
    const { body } = await gw.query<{ user: { name: string; nickname: string | null } }>('{ user(id: "2") { name nickname } }');
    expect(body.errors).toBeUndefined();
    expect(body.data!.user).toEqual({ name: expect.any(String), nickname: null });
  });

  test('a spec that no longer loads keeps the last good schema, and /readyz says why', async () => {
    const version = gw.gateway.status.schema().version;
    writeFileSync(spec, 'openapi: 3.0.3\npaths: [this is: not valid');
    let readyz: { lastReloadError?: string; schemaVersion?: string } = {};
    for (let i = 0; i < 300 && !readyz.lastReloadError; i++) {
      await sleep(100);
      readyz = await (await fetch(`${gw.base}/readyz`)).json();
    }
    expect(readyz.lastReloadError).toContain('users');
    expect(readyz.schemaVersion).toBe(version);
    const { body } = await gw.query<{ user: { name: string; nickname: null } }>('{ user(id: "2") { name nickname } }');
    expect(body.errors).toBeUndefined();
    // Fixed again: the error is gone once a reload succeeds.
    writeFileSync(spec, original);
    for (let i = 0; i < 300 && gw.gateway.status.schema().lastReloadError; i++) await sleep(100);
    expect(gw.gateway.status.schema().lastReloadError).toBeUndefined();
    expect(await userFields()).not.toContain('nickname');
  });

  test('a spec moved away and back unchanged (same mtime): the failed reload is followed by a good one', async () => {
    const aside = `${spec}.bak`;
    renameSync(spec, aside);
    for (let i = 0; i < 300 && !gw.gateway.status.schema().lastReloadError; i++) await sleep(100);
    expect(gw.gateway.status.schema().lastReloadError).toContain('ENOENT');
    renameSync(aside, spec);
    for (let i = 0; i < 300 && gw.gateway.status.schema().lastReloadError; i++) await sleep(100);
    expect(gw.gateway.status.schema().lastReloadError).toBeUndefined();
  });
});

async function userFieldsAt(url: string): Promise<string[]> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: USER_FIELDS }) });
  const body = (await response.json()) as { data: { __type: { fields: Array<{ name: string }> } } };
  return body.data.__type.fields.map((f) => f.name);
}

describe('live reload of the config file and of specs given as URLs', () => {
  let demo: DemoServices;
  let gateway: Gateway | undefined;
  let running: ListeningGateway | undefined;
  let specServer: Server | undefined;
  beforeAll(async () => {
    demo = await startDemoServices();
  });
  afterEach(async () => {
    await running?.close();
    specServer?.closeAllConnections();
    await new Promise((resolve) => (specServer ? specServer.close(resolve) : resolve(undefined)));
    running = gateway = specServer = undefined;
  });
  afterAll(() => demo.close());

  const serve = async (file: string, env: NodeJS.ProcessEnv) => {
    gateway = await createGateway(loadConfig(file, { env }).config, { configFile: file, env, logger: pino({ level: 'silent' }) });
    running = await listen(gateway, 0, '127.0.0.1');
    return `${running.url}/graphql`;
  };

  test('an edit of the config file (a hide) is applied without a restart', async () => {
    const config = writeDemoConfig();
    const url = await serve(config.file, config.env(demo.services));
    expect(await userFieldsAt(url)).toContain('role');
    // (User.role: User.email has an authorization rule, and a hide may not leave a rule dangling.)
    writeFileSync(config.file, readFileSync(config.file, 'utf8').replace(/(url: \$\{USERS_URL[^\n]*)/, '$1\n    transforms: { hide: [User.role] }'));
    expect(await until(async () => !(await userFieldsAt(url)).includes('role'), 300)).toBe(true);
    expect(await userFieldsAt(url)).toContain('name');
  });

  test('a config reload applies API keys at once and names the settings that wait for a restart', async () => {
    const config = writeDemoConfig('resilience: { reload: { watch: false } }\n');
    const original = readFileSync(config.file, 'utf8');
    const key = 'ops-team-key-0123456789';
    const withKeyAndDepth = original.replace('auth:\n', `auth:\n  apiKeys: { keys: [{ client: ops, key: ${key}, roles: [admin] }] }\n`) + 'limits: { maxDepth: 6 }\n';
    const lines: string[] = [];
    const env = config.env(demo.services);
    gateway = await createGateway(loadConfig(config.file, { env }).config, {
      configFile: config.file,
      env,
      logger: pino({ level: 'warn' }, { write: (line: string) => lines.push(line) }),
    });
    running = await listen(gateway, 0, '127.0.0.1');
    const withKey = async () => {
      const response = await fetch(`${running!.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ query: '{ user(id: "1") { email } }' }),
      });
      return { status: response.status, body: (await response.json()) as { data?: { user: { email: string } } } };
    };
    const readyz = async () => (await (await fetch(`${running!.url}/readyz`)).json()) as { restartRequired?: string[] };
    expect((await withKey()).status).toBe(401);
    expect((await readyz()).restartRequired).toBeUndefined();

    writeFileSync(config.file, withKeyAndDepth);
    await gateway.reload('test');
    const accepted = await withKey();
    expect(accepted.status).toBe(200);
    expect(accepted.body.data?.user.email).toEqual(expect.stringContaining('@')); // User.email: admins only
    expect((await readyz()).restartRequired).toEqual(['limits.maxDepth']);
    const usage = (await (await fetch(`${running!.url}/_tessera/usage`, { headers: { 'x-api-key': key } })).json()) as { schema: { restartRequired?: string[] } };
    expect(usage.schema.restartRequired).toEqual(['limits.maxDepth']); // what the status page shows
    expect(lines.join('')).toContain('config changes not applied until a restart: limits.maxDepth');

    writeFileSync(config.file, original.replace('auth:\n', 'auth:\n  apiKeys: { keys: [] }\n'));
    await gateway.reload('test');
    expect((await withKey()).status).toBe(401); // revoked without a restart
    expect((await readyz()).restartRequired).toBeUndefined(); // the depth is back to what the process started with
  });

  test('a spec given as a URL is polled: a change there recomposes the schema', async () => {
    let specText = readFileSync(specPath('users'), 'utf8');
    specServer = createServer((_req, res) => res.end(specText));
    await new Promise<void>((resolve) => specServer!.listen(0, '127.0.0.1', resolve));
    const specUrl = `http://127.0.0.1:${(specServer.address() as AddressInfo).port}/openapi.yaml`;
    const config = writeDemoConfig('resilience:\n  reload: { pollIntervalMs: 200 }\n');
    writeFileSync(config.file, readFileSync(config.file, 'utf8').replace(`spec: ${config.usersSpec}`, `spec: ${specUrl}`));
    const url = await serve(config.file, config.env(demo.services));
    expect(await userFieldsAt(url)).not.toContain('nickname');
    await sleep(500); // a poll or two of the unchanged spec
    specText = withNickname(specText);
    expect(await until(async () => (await userFieldsAt(url)).includes('nickname'), 300)).toBe(true);
    const metrics = await (await fetch(`${running!.url}/metrics`)).text();
    expect(metrics).toMatch(/tessera_spec_polls_total\{source="users",result="changed"\} 1/);
    expect(metrics).toMatch(/tessera_spec_polls_total\{source="users",result="unchanged"\} [1-9]/);
    expect(metrics).not.toMatch(/tessera_upstream_requests_total\{source="users"/); // polls are not client traffic
  });
});
