import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, parse } from 'graphql';
import { compareSchemas } from '../../gateway/check/compare';
import { evaluateCheck } from '../../gateway/check/evaluate';
import { formatReport } from '../../gateway/check/format';
import { assessOperations } from '../../gateway/check/impact';
import { loadOperations, operationsOf } from '../../gateway/check/operations';
import { normalizeOperation } from '../../gateway/usage/record';

const BASE = `
  type Query { user(id: ID!, locale: String): User  orders(status: OrderStatus): [Order] }
  type User { id: ID! name: String! email: String! nickname: String }
  type Order { id: ID! status: OrderStatus! total: Float! }
  enum OrderStatus { pending paid }
`;

async function changesBetween(before: string, after: string) {
  return compareSchemas(buildSchema(before), buildSchema(after));
}

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0];
}

describe('classification', () => {
  test('adding a field is safe', async () => {
    const change = only(await changesBetween(BASE, BASE.replace('nickname: String', 'nickname: String avatar: String')));
    expect(change).toMatchObject({ level: 'safe', type: 'FIELD_ADDED', path: 'User.avatar' });
  });

  test('removing a field is breaking', async () => {
    const change = only(await changesBetween(BASE, BASE.replace('email: String!', '')));
    expect(change).toMatchObject({ level: 'breaking', type: 'FIELD_REMOVED', path: 'User.email' });
  });

  test('an output field going from non-null to nullable is breaking: clients may not handle null', async () => {
    const change = only(await changesBetween(BASE, BASE.replace('email: String!', 'email: String')));
    expect(change).toMatchObject({ level: 'breaking', type: 'FIELD_TYPE_CHANGED', path: 'User.email' });
    expect(change.reason).toMatch(/null/);
  });

  test('an output field going from nullable to non-null is safe', async () => {
    const change = only(await changesBetween(BASE, BASE.replace('nickname: String', 'nickname: String!')));
    expect(change.level).toBe('safe');
  });

  test('an argument becoming non-null is breaking', async () => {
    const change = only(await changesBetween(BASE, BASE.replace('locale: String', 'locale: String!')));
    expect(change).toMatchObject({ level: 'breaking', type: 'FIELD_ARGUMENT_TYPE_CHANGED', path: 'Query.user.locale' });
  });

  test('an enum gaining a value is dangerous', async () => {
    const change = only(await changesBetween(BASE, BASE.replace('pending paid', 'pending paid refunded')));
    expect(change).toMatchObject({ level: 'dangerous', type: 'ENUM_VALUE_ADDED', path: 'OrderStatus.refunded' });
  });

  test('changes come breaking first, then by path', async () => {
    const after = BASE.replace('email: String!', '').replace('pending paid', 'pending paid refunded').replace('total: Float!', 'total: Float! currency: String');
    const changes = await changesBetween(BASE, after);
    expect(changes.map((c) => `${c.level} ${c.path}`)).toEqual(['breaking User.email', 'dangerous OrderStatus.refunded', 'safe Order.currency']);
  });
});

describe('operations against the new schema', () => {
  const OPERATIONS = operationsOf([
    { label: 'profile.graphql', lines: true, text: 'query Profile($id: ID!) {\n  user(id: $id) {\n    name\n    email\n  }\n}' },
    { label: 'orders.graphql', lines: true, text: 'query Orders { orders(status: paid) { id status } }' },
    { label: 'names.graphql', lines: true, text: 'query Names { user(id: "1") { ...Names } }\nfragment Names on User { name nickname }' },
  ]);

  async function check(after: string, options: { allowUnusedBreaking?: boolean; approvals?: { path: string; reason: string }[] } = {}) {
    const registered = buildSchema(BASE);
    const next = buildSchema(after);
    return evaluateCheck({
      against: 'base',
      changes: await compareSchemas(registered, next),
      operations: assessOperations(OPERATIONS, registered, next),
      ...options,
    });
  }

  test('a removed field names the operations that use it, and where they break', async () => {
    const result = await check(BASE.replace('email: String!', ''));
    expect(result.passed).toBe(false);
    expect(only(result.changes)).toMatchObject({ path: 'User.email', usedBy: ['Profile (profile.graphql:1)'], fails: true });
    expect(result.operations!.broken).toEqual([
      { id: 'Profile (profile.graphql:1)', errors: [{ message: 'Cannot query field "email" on type "User".', line: 4 }], changes: ['User.email'] },
    ]);
  });

  test('a new required argument breaks every call of its field, passed or not', async () => {
    const result = await check(BASE.replace('locale: String', 'locale: String!'));
    expect(only(result.changes).usedBy).toEqual(['Profile (profile.graphql:1)', 'Names (names.graphql:1)']);
  });

  test('an enum change reaches operations that read or send the enum; fragments count as the operation', async () => {
    const result = await check(BASE.replace('pending paid', 'pending paid refunded').replace('nickname: String', 'nickname: Int'));
    const byPath = Object.fromEntries(result.changes.map((c) => [c.path, c]));
    expect(byPath['OrderStatus.refunded'].usedBy).toEqual(['Orders (orders.graphql:1)']);
    expect(byPath['User.nickname'].usedBy).toEqual(['Names (names.graphql:1)']);
  });

  test('a breaking change no operation uses fails without --allow-unused-breaking and passes with it', async () => {
    const after = BASE.replace('total: Float!', 'total: Float');
    const strict = await check(after);
    expect(only(strict.changes)).toMatchObject({ path: 'Order.total', level: 'breaking', usedBy: [], fails: true });
    expect(strict.passed).toBe(false);
    const allowed = await check(after, { allowUnusedBreaking: true });
    expect(allowed.passed).toBe(true);
    expect(formatReport(allowed, 'text')).toMatch(/UNUSED\s+Order\.total[\s\S]*used by: no listed operation[\s\S]*PASS \(with 1 breaking change\(s\) no client operation uses\)/);
  });

  test('an approved breaking change passes, says so, and unused approvals are listed', async () => {
    const result = await check(BASE.replace('email: String!', ''), {
      approvals: [
        { path: 'User.email', reason: 'email moved to the accounts service' },
        { path: 'User.phone', reason: 'stale' },
      ],
    });
    expect(result.passed).toBe(true);
    expect(only(result.changes)).toMatchObject({ approved: 'email moved to the accounts service', fails: false });
    const text = formatReport(result, 'text');
    expect(text).toMatch(/APPROVED\s+User\.email/);
    expect(text).toMatch(/Approvals that match no change \(remove them\): User\.phone/);
    expect(text).toMatch(/PASS \(with 1 approved breaking change\(s\)\)/);
  });

  test('operations already invalid against the registered schema are set apart', async () => {
    const [stale] = operationsOf([{ label: 'old.graphql', text: '{ user(id: "1") { age } }' }]);
    const { impacts, invalidBefore } = assessOperations([stale, ...OPERATIONS], buildSchema(BASE), buildSchema(BASE));
    expect(invalidBefore.map((o) => o.id)).toEqual(['anonymous (old.graphql)']);
    expect(impacts).toHaveLength(3);
  });
});

describe('report formats', () => {
  test('JSON and GitHub annotations carry the same changes', async () => {
    const registered = buildSchema(BASE);
    const next = buildSchema(BASE.replace('email: String!', '').replace('pending paid', 'pending paid refunded').replace('total: Float!', 'total: Float! tax: Float'));
    const result = evaluateCheck({ against: 'base', changes: await compareSchemas(registered, next) });
    const json = JSON.parse(formatReport(result, 'json')) as typeof result;
    const annotations = formatReport(result, 'github')
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('::'))
      .map((line) => {
        const match = /^::(error|warning|notice) (.*?)::(.*)$/.exec(line);
        expect(match).not.toBeNull();
        const title = /title=([^,]*)/.exec(match![2])![1].replace(/%3A/g, ':');
        return { command: match![1], path: title.replace(/^.*change: /, ''), message: match![3].split('%0A')[0] };
      });
    expect(annotations).toEqual(
      json.changes.map((change) => ({ command: change.fails ? 'error' : change.level === 'safe' ? 'notice' : 'warning', path: change.path, message: change.message })),
    );
    expect(json.changes.map((c) => c.level)).toEqual(['breaking', 'dangerous', 'safe']);
    expect(json.passed).toBe(false);
  });
});

describe('loading operations', () => {
  test('folders, globs and persisted-documents JSON; fragments shared across files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-ops-'));
    try {
      await mkdir(join(dir, 'web', 'nested'), { recursive: true });
      await writeFile(join(dir, 'web', 'a.graphql'), '# comment\nquery A { user(id: "1") { ...UserName } }');
      await writeFile(join(dir, 'web', 'nested', 'fragments.gql'), 'fragment UserName on User { name }');
      await writeFile(join(dir, 'persisted.json'), JSON.stringify({ abc123: 'query P { orders { id } }' }));
      await writeFile(join(dir, 'apollo.json'), JSON.stringify([{ id: 'x1', body: 'query Q { orders { status } }' }]));

      const fromFolder = await loadOperations([join(dir, 'web')], dir);
      expect(fromFolder.map((o) => o.id)).toEqual(['A (web/a.graphql:2)']);
      const names = fromFolder[0].document.definitions.map((d) => ('name' in d ? d.name?.value : undefined));
      expect(names).toEqual(['A', 'UserName']);

      const fromGlob = await loadOperations(['*.json'], dir);
      expect(fromGlob.map((o) => o.id).sort()).toEqual(['P (persisted.json#abc123)', 'Q (apollo.json#x1)']);

      await expect(loadOperations([join(dir, 'missing')], dir)).rejects.toThrow(/does not exist/);
      await writeFile(join(dir, 'web', 'broken.graphql'), 'query {');
      await expect(loadOperations([join(dir, 'web')], dir)).rejects.toThrow(/web\/broken.graphql: not a GraphQL document/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('usage normalization: the running operation and its fragments, whitespace and siblings ignored', () => {
    const a = normalizeOperation(parse('query A { user(id: "1") { ...F } }\nquery B { orders { id } }\nfragment F on User { name }'), 'A');
    const b = normalizeOperation(parse('fragment F on User {\n  name\n}\n# same\nquery A {\n  user(id: "1") { ...F }\n}'), 'A');
    expect(a).toBe('query A{user(id:"1"){...F}}fragment F on User{name}');
    expect(b).toBe(a);
  });
});
