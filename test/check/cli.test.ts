import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckResult } from '../../gateway/check/evaluate';
import { checkWorkspace as workspace, runTessera as tessera, type CheckWorkspace } from '../support/check-workspace';
import { REPO_ROOT } from '../support/harness';
// Each CLI run pays tsx start-up and a composition; on a loaded machine that is seconds each.
jest.setTimeout(120_000);

/** 1-based line of the first line of `file` (in the repo) matching `pattern`. */
async function lineOf(file: string, pattern: RegExp): Promise<number> {
  const index = (await readFile(join(REPO_ROOT, file), 'utf8')).split('\n').findIndex((line) => pattern.test(line));
  expect(index).toBeGreaterThanOrEqual(0);
  return index + 1;
}

const REMOVE_EMAIL: [string, RegExp, string] = ['sources/users/openapi.yaml', /\n {8}email:\n(?: {10}.*\n)+/, '\n'];

describe('tessera check (CLI)', () => {
  const workspaces: CheckWorkspace[] = [];
  afterAll(async () => {
    await Promise.all(workspaces.map((ws) => ws.remove()));
  });
  async function fresh() {
    const ws = await workspace();
    workspaces.push(ws);
    return ws;
  }

  test('removing a field from a demo spec: breaking, exit 1, naming the field, the spec and the operations; JSON and GitHub agree', async () => {
    const ws = await fresh();
    await ws.edit('sources/users/openapi.yaml', 'required: [id, name, email, role]', 'required: [id, name, role]');
    await ws.edit(...REMOVE_EMAIL);
    const [text, json, github] = await Promise.all([
      tessera(ws.dir, 'check'),
      tessera(ws.dir, 'check', '--format', 'json'),
      tessera(ws.dir, 'check', '--format', 'github'),
    ]);
    expect(text).toMatchObject({ code: 1 });
    expect(text.stdout).toMatch(/BREAKING\s+User\.email\s+Field 'email' was removed from object type 'User'/);
    const userSchemaLine = await lineOf('sources/users/openapi.yaml', /^ {4}User:$/);
    expect(text.stdout).toContain(`from:    source users (sources/users/openapi.yaml:${userSchemaLine}) schema User, in getUser, getUsersByIds`);
    expect(text.stdout).toContain('used by: MyAccount (schema/operations/account.graphql:2), OrdersDashboard (schema/operations/orders-dashboard.graphql:2)');
    expect(text.stdout).toContain('line 6: Cannot query field "email" on type "User".');
    expect(text.stdout).toMatch(/^ {4}uses: .*User\.email \(breaking\)/m); // each change an operation uses, with its level
    expect(text.stdout).toMatch(/^FAIL: \d+ unapproved breaking change\(s\)$/m);

    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout) as CheckResult;
    const email = result.changes.find((change) => change.path === 'User.email');
    expect(email).toMatchObject({
      level: 'breaking',
      type: 'FIELD_REMOVED',
      fails: true,
      origin: { source: 'users', spec: 'sources/users/openapi.yaml', line: userSchemaLine, element: 'schema User', operations: ['getUser', 'getUsersByIds'] },
    });

    expect(github.code).toBe(1);
    const annotations = github.stdout.split('\n').filter((line) => line.startsWith('::'));
    expect(annotations).toHaveLength(result.changes.length);
    result.changes.forEach((change, i) => expect(annotations[i]).toContain(`change%3A ${change.path}::${change.message}`));
    expect(annotations.find((line) => line.includes('change%3A User.email::'))).toMatch(
      new RegExp(`^::error file=sources/users/openapi\\.yaml,line=${userSchemaLine},title=breaking change%3A User\\.email::`),
    );
  });

  test('adding a field: safe, exit 0', async () => {
    const ws = await fresh();
    await ws.edit('sources/products/openapi.yaml', /\n( {8})inStock:\n/, '\n$1sku:\n$1  type: string\n$1inStock:\n');
    const run = await tessera(ws.dir, 'check');
    expect(run.stdout).toMatch(/SAFE\s+Product\.sku\s+Field 'sku' was added to object type 'Product'/);
    expect(run.stdout).toMatch(/^PASS$/m);
    expect(run.code).toBe(0);
  });

  test('a new required query parameter is breaking for the operations that call it, traced to the spec operation', async () => {
    const ws = await fresh();
    await ws.edit(
      'sources/products/openapi.yaml',
      '      parameters:\n        - name: limit\n',
      '      parameters:\n        - name: category\n          in: query\n          required: true\n          schema:\n            type: string\n        - name: limit\n',
    );
    const run = await tessera(ws.dir, 'check');
    expect(run.stdout).toMatch(/BREAKING\s+Query\.products\.category/);
    const operationLine = await lineOf('sources/products/openapi.yaml', /operationId: listProducts$/);
    expect(run.stdout).toContain(`from:    source products (sources/products/openapi.yaml:${operationLine}) operation listProducts`);
    expect(run.stdout).toContain('used by: Catalog (schema/operations/catalog.graphql:2)');
    expect(run.stdout).toContain('line 3: Field "products" argument "category" of type "String!" is required, but it was not provided.');
    expect(run.code).toBe(1);
  });

  test('a breaking change no operation uses fails without --allow-unused-breaking and passes with it', async () => {
    const ws = await fresh();
    // inStock is no longer required: Product.inStock becomes nullable; no demo operation reads it.
    await ws.edit('sources/products/openapi.yaml', 'required: [id, title, price, inStock]', 'required: [id, title, price]');
    const [strict, allowed] = await Promise.all([tessera(ws.dir, 'check'), tessera(ws.dir, 'check', '--allow-unused-breaking')]);
    expect(strict.stdout).toMatch(/BREAKING\s+Product\.inStock[\s\S]*used by: no listed operation/);
    expect(strict.code).toBe(1);
    expect(allowed.stdout).toMatch(/UNUSED\s+Product\.inStock/);
    expect(allowed.stdout).toContain('PASS (with 1 breaking change(s) no client operation uses)');
    expect(allowed.code).toBe(0);
  });

  test('approved breaking changes pass, and the report says so', async () => {
    const ws = await fresh();
    await ws.edit('sources/users/openapi.yaml', 'required: [id, name, email, role]', 'required: [id, name, role]');
    await ws.edit(...REMOVE_EMAIL);
    const approved = [
      { path: 'User.email', type: 'FIELD_REMOVED', reason: 'emails move to the accounts service (TES-12)' },
      { path: 'EmailAddress', reason: 'only User.email used it' },
      { path: 'auth.rules["User.email"]', reason: 'the rule goes with the field' },
    ];
    await writeFile(join(ws.dir, 'schema/approved-changes.json'), JSON.stringify({ approved }));
    const run = await tessera(ws.dir, 'check');
    expect(run.stdout).toMatch(/APPROVED\s+User\.email[\s\S]*approved: emails move to the accounts service \(TES-12\)/);
    expect(run.stdout).toContain('PASS (with 3 approved breaking change(s))');
    expect(run.code).toBe(0);
  });

  test('a config rule that names a field the new specs lack is a breaking change, not a failure to run', async () => {
    const ws = await fresh();
    // Reviews lose productId, which the Product.reviews link matches results on.
    await ws.edit('sources/reviews/openapi.yaml', /required: \[([^\]]*)productId, /, 'required: [$1');
    await ws.edit('sources/reviews/openapi.yaml', /\n( {8})productId:\n(?:\1 .*\n)+/, '\n');
    const run = await tessera(ws.dir, 'check', '--format', 'json');
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as CheckResult;
    expect(result.changes).toEqual([
      expect.objectContaining({ level: 'breaking', type: 'CONFIG_RULE_BROKEN', path: 'links["Product.reviews"].matchOn', fails: true }),
    ]);
  });

  test('exit 2 when the check cannot run, with the reason', async () => {
    const ws = await fresh();
    await writeFile(join(ws.dir, 'schema/operations/broken.graphql'), 'query Broken {');
    const [missing, badFormat, badOperations, noApprovals] = await Promise.all([
      tessera(ws.dir, 'check', '--against', 'nope.graphql', '--operations', 'schema/operations/account.graphql'),
      tessera(ws.dir, 'check', '--format', 'xml'),
      tessera(ws.dir, 'check'),
      tessera(ws.dir, 'check', '--approvals', 'schema/aproved.json', '--operations', 'schema/operations/account.graphql'),
    ]);
    // A mistyped approvals file is not "nothing approved": the default one may be absent, a named one must exist.
    expect(noApprovals.code).toBe(2);
    expect(noApprovals.stderr).toContain('schema/aproved.json: no such approvals file');
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain('cannot read the registered schema nope.graphql: ENOENT');
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('expected one of text, json, github');
    expect(badOperations.code).toBe(2);
    expect(badOperations.stderr).toMatch(/schema\/operations\/broken\.graphql: not a GraphQL document/);
  });
});
