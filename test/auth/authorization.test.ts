import { join } from 'node:path';
import { composeGateway } from '../../gateway/compose/compose';
import { loadConfig } from '../../gateway/config/load';
import { REPO_ROOT, startDemoGateway, type RunningGateway } from '../support/harness';
import { asUser } from '../support/identity';

describe('graphql-shield rules of the demo config', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startDemoGateway();
  });
  afterAll(() => gw.close());

  test('anonymous callers read public data: orders with their links, products, reviews, user names', async () => {
    const { status, body } = await gw.query(
      '{ orders(limit: 5) { id customer { name } product { title reviews { rating author { name } } } } }',
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect((body.data as { orders: unknown[] }).orders).toHaveLength(5);
  });

  test('a private field is null with FORBIDDEN at its own path; its siblings and parent stay', async () => {
    gw.resetUpstreamCalls();
    const { status, body } = await gw.query<{ orders: Array<{ id: string; customer: { name: string; email: string | null } }> }>(
      '{ orders(limit: 3) { id customer { name email } } }',
    );
    expect(status).toBe(200);
    for (const order of body.data!.orders) expect(order.customer).toEqual({ name: expect.any(String), email: null });
    expect(body.errors).toHaveLength(3);
    expect(body.errors?.map((e) => e.path)).toEqual([0, 1, 2].map((i) => ['orders', i, 'customer', 'email']));
    expect(body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^Forbidden: User\.email requires .*owner.*admin.*anonymous/),
      extensions: { code: 'FORBIDDEN' },
    });
  });

  test('ownership: a user reads their own email and orders, not another user\'s; an admin reads both', async () => {
    const query = '{ a: user(id: "1") { email orders { id } } b: user(id: "2") { name email } }';
    const asOne = await gw.query<{ a: { email: string | null; orders: unknown[] | null }; b: { name: string; email: string | null } }>(
      query,
      undefined,
      await asUser('1', ['customer']),
    );
    expect(asOne.body.data!.a.email).toMatch(/@/);
    expect(asOne.body.data!.a.orders).not.toBeNull();
    expect(asOne.body.data!.b).toEqual({ name: expect.any(String), email: null });
    expect(asOne.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['b', 'email'], 'FORBIDDEN']]);
    expect(asOne.body.errors?.[0].message).not.toMatch(/anonymous/);

    const asAdmin = await gw.query<{ b: { email: string | null } }>(query, undefined, await asUser('ops', ['admin']));
    expect(asAdmin.body.errors).toBeUndefined();
    expect(asAdmin.body.data!.b.email).toMatch(/@/);
  });

  test('the owner rule works when the client did not select the compared field (id is fetched anyway)', async () => {
    const { body } = await gw.query('{ user(id: "1") { email } }', undefined, await asUser('1', ['customer']));
    expect(body.errors).toBeUndefined();
  });

  test.each([
    ['anonymous', async () => ({})],
    ['a customer ordering for someone else', async () => asUser('4', ['customer'])],
    ['a signed-in user without the customer role', async () => asUser('3', [])],
  ])('a denied createOrder (%s) never reaches the orders service', async (_who, headers) => {
    gw.resetUpstreamCalls();
    const { status, body } = await gw.query(
      'mutation { createOrder(input: { userId: "3", productId: "4", quantity: 1 }) { id } }',
      undefined,
      await headers(),
    );
    expect(status).toBe(200);
    expect(body.data).toEqual({ createOrder: null });
    expect(body.errors?.[0]).toMatchObject({ path: ['createOrder'], extensions: { code: 'FORBIDDEN' } });
    expect(gw.upstreamCalls().total).toBe(0);
  });

  test('a customer creates their own order (one upstream call to orders)', async () => {
    gw.resetUpstreamCalls();
    const { body } = await gw.query<{ createOrder: { id: string } }>(
      'mutation { createOrder(input: { userId: "3", productId: "4", quantity: 1 }) { id } }',
      undefined,
      await asUser('3', ['customer']),
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.createOrder.id).toBeDefined();
    expect(gw.upstreamCalls()).toMatchObject({ orders: 1, total: 1 });
  });

  test('guarded fields are nullable in the public schema (a denial costs only that field)', async () => {
    const { body } = await gw.query<{ __type: { fields: Array<{ name: string; type: { kind: string } }> } }>(
      '{ __type(name: "User") { fields { name type { kind } } } }',
    );
    const kinds = Object.fromEntries(body.data!.__type.fields.map((f) => [f.name, f.type.kind]));
    expect(kinds.email).toBe('SCALAR');
    expect(kinds.name).toBe('NON_NULL');
  });
});

describe('rules are checked against the composed schema', () => {
  const demo = () => loadConfig(join(REPO_ROOT, 'tessera.config.yaml'), { env: {} }).config;

  test('a rule on a field the schema lacks is reported at its place in the config, with a suggestion', async () => {
    const config = demo();
    const withTypo = { ...config, auth: { ...config.auth, rules: { ...config.auth.rules, 'User.emial': 'authenticated' as const } } };
    await expect(composeGateway(withTypo)).rejects.toThrow(/auth\.rules\["User\.emial"\]: User has no field emial \(did you mean email\?\)/);
  });

  test('a rule on a type the schema lacks, and an owner rule on a missing parent field, too', async () => {
    const config = demo();
    await expect(composeGateway({ ...config, auth: { ...config.auth, rules: { Usr: 'deny' } } })).rejects.toThrow(
      /auth\.rules\["Usr"\]: the schema has no object type Usr \(did you mean User\?\)/,
    );
    await expect(
      composeGateway({ ...config, auth: { ...config.auth, rules: { 'User.email': { owner: { field: 'ownerId', claim: 'sub' } } } } }),
    ).rejects.toThrow(/auth\.rules\["User\.email"\]\.owner\.field: User has no field ownerId/);
  });
});

describe('defaultPolicy: deny', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startDemoGateway({
      configure: (config) => ({
        ...config,
        auth: { ...config.auth, defaultPolicy: 'deny', rules: { Query: 'allow', Product: 'allow', 'User.name': 'authenticated' } },
      }),
    });
  });
  afterAll(() => gw.close());

  test('fields no rule names are denied; named ones follow their rule; introspection still works', async () => {
    const { body } = await gw.query<{ products: Array<{ title: string; reviews: unknown }> }>('{ products(limit: 1) { title reviews { rating } } }');
    expect(body.data!.products[0].title).toEqual(expect.any(String));
    expect(body.errors?.[0]).toMatchObject({ path: ['products', 0, 'reviews', 0, 'rating'], extensions: { code: 'FORBIDDEN' } });
    expect(body.errors?.[0].message).toMatch(/Review\.rating requires an explicit rule \(auth\.defaultPolicy is deny\)/);

    const user = await gw.query('{ user(id: "1") { name } }', undefined, await asUser('9'));
    expect(user.body).toEqual({ data: { user: { name: expect.any(String) } } });

    const introspection = await gw.query<{ __schema: { queryType: { name: string } } }>('{ __schema { queryType { name } } }');
    expect(introspection.body.data!.__schema.queryType.name).toBe('Query');
  });
});
