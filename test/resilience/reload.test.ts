import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { specPath } from '../../sources';
import { startDemoGateway, type RunningGateway } from '../support/harness';

const USER_FIELDS = '{ __type(name: "User") { fields { name } } }';

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
    await sleep(300);
    writeFileSync(spec, original.replace('        name:\n          type: string\n          example: Ada Lovelace', '        name:\n          type: string\n          example: Ada Lovelace\n        nickname:\n          type: string'));
    let fields: string[] = [];
    for (let i = 0; i < 100 && !fields.includes('nickname'); i++) {
      await sleep(100);
      fields = await userFields();
    }
    await sleep(300); // keep streaming a little on the new schema
    done = true;
    await Promise.all(streams);
    expect(fields).toContain('nickname');
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(20);
    expect(gw.gateway.status.schema().version).not.toBe(versionBefore);
    const { body } = await gw.query<{ user: { name: string; nickname: string | null } }>('{ user(id: "2") { name nickname } }');
    expect(body.errors).toBeUndefined();
    expect(body.data!.user).toEqual({ name: expect.any(String), nickname: null });
  });

  test('a spec that no longer loads keeps the last good schema, and /readyz says why', async () => {
    const version = gw.gateway.status.schema().version;
    writeFileSync(spec, 'openapi: 3.0.3\npaths: [this is: not valid');
    let readyz: { lastReloadError?: string; schemaVersion?: string } = {};
    for (let i = 0; i < 100 && !readyz.lastReloadError; i++) {
      await sleep(100);
      readyz = await (await fetch(`${gw.base}/readyz`)).json();
    }
    expect(readyz.lastReloadError).toContain('users');
    expect(readyz.schemaVersion).toBe(version);
    const { body } = await gw.query<{ user: { name: string; nickname: null } }>('{ user(id: "2") { name nickname } }');
    expect(body.errors).toBeUndefined();
    // Fixed again: the error is gone once a reload succeeds.
    writeFileSync(spec, original);
    for (let i = 0; i < 100 && gw.gateway.status.schema().lastReloadError; i++) await sleep(100);
    expect(gw.gateway.status.schema().lastReloadError).toBeUndefined();
    expect(await userFields()).not.toContain('nickname');
  });
});
