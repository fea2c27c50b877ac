/**
 * Naming rules (gateway/compose/naming.ts): the unit rules on a loader-shaped schema, the same rules
 * end to end through @omnigraph/openapi, and the config's renames and hides on the demo specs.
 */
import { join } from 'node:path';
import { buildSchema, graphql, isInputObjectType, isObjectType, parse, printSchema, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { Subschema } from '@graphql-tools/delegate';
import { wrapSchema } from '@graphql-tools/wrap';
import { CompositionError } from '../../gateway/compose/errors';
import { composeGateway, type ComposedGateway } from '../../gateway/compose/compose';
import { camelCase, computeNaming, pascalCase, type NamingMaps } from '../../gateway/compose/naming';
import { createSourceNaming, namesAnyType, NO_TRANSFORMS } from '../../gateway/compose/transforms';
import { configFor, run, specPath, startCannedServer, type CannedServer, type SourceSpec } from './canned';

const DEMO_SPECS = join(__dirname, '..', '..', 'sources');
const demoSpec = (name: string) => join(DEMO_SPECS, name, 'openapi.yaml');

describe('camelCase / pascalCase', () => {
  test.each([
    ['created_at', 'createdAt'],
    ['display_name', 'displayName'],
    ['getUser', 'getUser'],
    ['get_user_by_id', 'getUserById'],
    ['X-Tenant', 'xTenant'],
    ['GetUser', 'getUser'],
    ['stock level', 'stockLevel'],
    ['2fa_code', '_2faCode'],
  ])('camelCase(%j) = %j', (raw, expected) => {
    expect(camelCase(raw)).toBe(expected);
  });

  test.each([
    ['query_getUser_role', 'QueryGetUserRole'],
    ['user', 'User'],
    ['order-status', 'OrderStatus'],
    ['NewPet_Input', 'NewPetInput'],
  ])('pascalCase(%j) = %j', (raw, expected) => {
    expect(pascalCase(raw)).toBe(expected);
  });
});

describe('namesAnyType: whether a delegated request needs its type names renamed', () => {
  const renamed = new Set(['OrderInput', 'Hound']);
  test.each([
    ['a variable of a renamed type, however wrapped', 'mutation($input: [OrderInput!]!) { createOrder(input: $input) { id } }', true],
    ['an inline fragment, nested', '{ pets { owner { ... on Hound { bark } } } }', true],
    ['a fragment definition', '{ pets { ...dog } } fragment dog on Hound { bark }', true],
    ['only other types', 'query($id: ID!) { user(id: $id) { id ... on User { name } } } fragment u on User { id }', false],
  ])('%s', (_case, document, expected) => {
    expect(namesAnyType(parse(document), renamed)).toBe(expected);
  });
});

describe('computeNaming on a schema with the loader’s raw names', () => {
  // What @omnigraph/openapi makes of a spec: operationIds as root fields, component names as types,
  // generated names for inline enums and `X_Input` for request bodies, spec property names as fields.
  const raw = buildSchema(/* GraphQL */ `
    type Query {
      getUser(id: ID!): User
      getUsersByIds(ids: [ID]!): [User]
      listOrders(sort: queryInput_listOrders_sort): [Order]
      getOrder(id: ID!): Order
      listProducts(limit: Int): [Product]
      getProductsByIds(ids: [ID]!): [Product]
      searchProducts(q: String): [Product]
      fetchHealth: String
    }
    type Mutation {
      createOrder(input: OrderInput_Input): Order
      getOrCreateCart(input: NewUser_Input): User
      cancel_order(id: ID!): Order
    }
    type User {
      id: ID!
      role: query_getUser_role!
      created_at: String
      display_name: String
      updated_at: String
      updatedAt: String
    }
    enum query_getUser_role { admin customer }
    enum queryInput_listOrders_sort { asc desc }
    type Order { id: ID! user_id: ID! status: query_getOrder_status }
    enum query_getOrder_status { paid shipped }
    type Product { id: ID! }
    input OrderInput_Input { productId: ID! quantity: Int! }
    input NewUser_Input { display_name: String }
  `);
  const naming = computeNaming(raw, ['User', 'Order', 'Product', 'OrderInput', 'NewUser']);
  const query = (name: string) => naming.rootFields.Query.get(name) ?? name;

  test('Query fields lose a leading verb and a trailing ByIds', () => {
    expect(query('getUser')).toBe('user');
    expect(query('getUsersByIds')).toBe('users');
    expect(query('listOrders')).toBe('orders');
    expect(query('getOrder')).toBe('order');
    expect(query('fetchHealth')).toBe('health');
  });

  test('on a collision the name needing fewer rewrites wins; the other keeps its ByIds', () => {
    expect(query('listProducts')).toBe('products');
    expect(query('getProductsByIds')).toBe('productsByIds');
  });

  test('on a tie the raw names decide (alphabetically), the loser keeps its camelCase raw name', () => {
    // listProducts and searchProducts both want `products` with one rewrite each.
    expect(query('searchProducts')).toBe('searchProducts');
  });

  test('Mutation fields are camelCase operationIds, verbs kept', () => {
    const mutation = (name: string) => naming.rootFields.Mutation.get(name) ?? name;
    expect(mutation('createOrder')).toBe('createOrder');
    expect(mutation('getOrCreateCart')).toBe('getOrCreateCart');
    expect(mutation('cancel_order')).toBe('cancelOrder');
  });

  test('generated types are named after their first use, object fields before arguments', () => {
    expect(naming.types.get('query_getUser_role')).toBe('UserRole');
    expect(naming.types.get('query_getOrder_status')).toBe('OrderStatus');
    // Only used by an argument of the (renamed) root field `orders`.
    expect(naming.types.get('queryInput_listOrders_sort')).toBe('OrdersSort');
  });

  test('request bodies: X_Input → XInput, without doubling an Input suffix', () => {
    expect(naming.types.get('NewUser_Input')).toBe('NewUserInput');
    expect(naming.types.get('OrderInput_Input')).toBe('OrderInput');
  });

  test('component names stay; root types are never renamed', () => {
    for (const name of ['User', 'Order', 'Product', 'Query', 'Mutation']) expect(naming.types.has(name)).toBe(false);
  });

  test('object fields become camelCase unless that name is already a field', () => {
    expect(naming.objectFields.get('User')).toEqual(
      new Map([
        ['created_at', 'createdAt'],
        ['display_name', 'displayName'],
      ]),
    );
    expect(naming.objectFields.get('Order')).toEqual(new Map([['user_id', 'userId']]));
    expect(naming.objectFields.has('Product')).toBe(false);
  });

  test('a generated name already taken by a component falls back to the PascalCase raw name', () => {
    const schema = buildSchema(/* GraphQL */ `
      type Query { getUser: User }
      type User { role: query_getUser_role kind: UserRole }
      enum query_getUser_role { a b }
      enum UserRole { x y }
    `);
    const { types } = computeNaming(schema, ['User', 'UserRole']);
    expect(types.get('query_getUser_role')).toBe('QueryGetUserRole');
    expect(types.has('UserRole')).toBe(false);
  });

  test('is deterministic: the order of types and fields in the schema does not matter', () => {
    const shuffled = buildSchema(/* GraphQL */ `
      input NewUser_Input { display_name: String }
      input OrderInput_Input { quantity: Int! productId: ID! }
      type Product { id: ID! }
      enum query_getOrder_status { shipped paid }
      type Order { status: query_getOrder_status user_id: ID! id: ID! }
      enum queryInput_listOrders_sort { desc asc }
      enum query_getUser_role { customer admin }
      type User { updatedAt: String updated_at: String display_name: String created_at: String role: query_getUser_role! id: ID! }
      type Mutation { cancel_order(id: ID!): Order getOrCreateCart(input: NewUser_Input): User createOrder(input: OrderInput_Input): Order }
      type Query {
          fetchHealth: String
        searchProducts(q: String): [Product]
        getProductsByIds(ids: [ID]!): [Product]
        listProducts(limit: Int): [Product]
        getOrder(id: ID!): Order
        listOrders(sort: queryInput_listOrders_sort): [Order]
        getUsersByIds(ids: [ID]!): [User]
        getUser(id: ID!): User
      }
    `);
    const again = computeNaming(shuffled, ['NewUser', 'OrderInput', 'Product', 'Order', 'User']);
    const sorted = (map: Map<string, unknown>) => [...map].sort(([a], [b]) => a.localeCompare(b));
    expect(sorted(again.types)).toEqual(sorted(naming.types));
    expect(sorted(again.rootFields.Query)).toEqual(sorted(naming.rootFields.Query));
    expect(sorted(again.rootFields.Mutation)).toEqual(sorted(naming.rootFields.Mutation));
  });
});

describe('the naming rules end to end (spec → @omnigraph/openapi → public schema)', () => {
  let schema: GraphQLSchema;
  let subgraphSchema: GraphQLSchema;
  let composedNaming: NamingMaps;
  beforeAll(async () => {
    const composed = await composeGateway(configFor([{ name: 'accounts', spec: specPath('naming.yaml'), url: 'http://127.0.0.1:9' }]));
    ({ schema } = composed);
    subgraphSchema = composed.subgraphs[0].schema;
    composedNaming = composed.subgraphs[0].naming;
  });

  const fieldNames = (of: GraphQLSchema, name: string) => {
    const type = of.getType(name);
    return isObjectType(type) || isInputObjectType(type) ? Object.values(type.getFields()).map((field) => field.name) : undefined;
  };

  test("the source's own schema keeps the raw names (stitching's copy of it is renamed in place)", () => {
    expect(fieldNames(subgraphSchema, 'Account')).toEqual(['id', 'display_name', 'created_at', 'role']);
    expect(fieldNames(subgraphSchema, 'NewAccount_Input')).toEqual(expect.arrayContaining(['display_name', 'billing_address', 'phone_numbers']));
    expect(Object.keys(subgraphSchema.getQueryType()!.getFields()).sort()).toEqual(['getAccount', 'getAccountsByIds', 'listAccounts']);
    expect(Object.values(subgraphSchema.getTypeMap()).every((type) => subgraphSchema.getType(type.name) === type)).toBe(true);
  });

  test.each([
    ["a subschema's transformedSchema, over the source's own schema (link planning)", (subschema: Subschema) => subschema.transformedSchema],
    ["wrapSchema, over graphql-tools' wrapping copy (stitching)", (subschema: Subschema) => wrapSchema(subschema)],
  ])('the renames through %s give public names and leave the source schema as it was', (_how, transform) => {
    const before = printSchema(subgraphSchema);
    const naming = createSourceNaming(composedNaming, NO_TRANSFORMS);
    const renamed = transform(new Subschema({ schema: subgraphSchema, transforms: naming.transforms({ hide: false }) }));
    expect(fieldNames(renamed, 'Account')).toEqual(['id', 'displayName', 'createdAt', 'role']);
    expect(fieldNames(renamed, 'NewAccountInput')).toEqual(expect.arrayContaining(['displayName', 'billingAddress', 'phoneNumbers']));
    expect(Object.keys(renamed.getQueryType()!.getFields()).sort()).toEqual(['account', 'accounts', 'accountsByIds']);
    expect(renamed.getType('NewAccount_Input')).toBeUndefined();
    expect(printSchema(subgraphSchema)).toBe(before);
  });

  test('root fields', () => {
    expect(Object.keys(schema.getQueryType()!.getFields()).sort()).toEqual(['account', 'accounts', 'accountsByIds']);
    expect(Object.keys(schema.getMutationType()!.getFields())).toEqual(['createAccount']);
  });

  test('types and fields', () => {
    const account = schema.getType('Account');
    expect(isObjectType(account) && Object.fromEntries(Object.values(account.getFields()).map((f) => [f.name, String(f.type)]))).toEqual({
      id: 'ID!',
      displayName: 'String!',
      createdAt: 'String',
      role: 'AccountRole!',
    });
    expect(String(schema.getQueryType()!.getFields().accounts.args[0].type)).toBe('AccountsSortOrder');
    const input = schema.getType('NewAccountInput');
    expect(isInputObjectType(input) && Object.values(input.getFields()).map((f) => String(f.type))).toContain('NewAccountInputRole');
    // No raw loader name is left.
    expect(Object.keys(schema.getTypeMap()).filter((name) => /_|^query|^mutation/.test(name) && !name.startsWith('__'))).toEqual([]);
  });
});

describe('a request in public names reaches the upstream in raw ones (input fields, fields, types, enums)', () => {
  let upstream: CannedServer;
  let composed: ComposedGateway;
  beforeAll(async () => {
    upstream = await startCannedServer(({ method, path, body }) =>
      method === 'POST' && path === '/accounts' ? [201, { id: 7, created_at: '2026-11-23', ...(JSON.parse(body) as object) }] : undefined,
    );
    composed = await composeGateway(configFor([{ name: 'accounts', spec: specPath('naming.yaml'), url: upstream.url }]));
  });
  afterAll(async () => {
    await composed.close();
    await upstream.close();
  });

  const selection = '{ id displayName createdAt role }';
  const nested = { billingAddress: { postalCode: 'N1 9GU' }, phoneNumbers: [{ phoneNumber: '+44 20' }, { phoneNumber: '+44 21' }] };
  const nestedInline = 'billingAddress: { postalCode: "N1 9GU" }, phoneNumbers: [{ phoneNumber: "+44 20" }, { phoneNumber: "+44 21" }]';
  const rawNested = { billing_address: { postal_code: 'N1 9GU' }, phone_numbers: [{ phone_number: '+44 20' }, { phone_number: '+44 21' }] };
  test.each([
    ['written inline', `mutation { createAccount(input: { displayName: "Ann", role: owner }) ${selection} }`, undefined, {}],
    ['given as a variable of the renamed input type', `mutation ($input: NewAccountInput!) { createAccount(input: $input) ${selection} }`, { input: { displayName: 'Ann', role: 'owner' } }, {}],
    ['written inline, with input objects nested and in a list', `mutation { createAccount(input: { displayName: "Ann", role: owner, ${nestedInline} }) ${selection} }`, undefined, rawNested],
    [
      'given as a variable, with input objects nested and in a list',
      `mutation ($input: NewAccountInput!) { createAccount(input: $input) ${selection} }`,
      { input: { displayName: 'Ann', role: 'owner', ...nested } },
      rawNested,
    ],
    [
      'written inline around a variable of a nested input type',
      `mutation ($address: NewAccountInputBillingAddressInput) { createAccount(input: { displayName: "Ann", role: owner, billingAddress: $address }) ${selection} }`,
      { address: nested.billingAddress },
      { billing_address: rawNested.billing_address },
    ],
  ])('input %s', async (_how, source, variableValues, rawExtra) => {
    upstream.requests.length = 0;
    const result = await graphql({ schema: composed.schema, source, variableValues, contextValue: {} });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ createAccount: { id: '7', displayName: 'Ann', createdAt: '2026-11-23', role: 'owner' } });
    expect(upstream.requests.map((r) => JSON.parse(r.body) as unknown)).toEqual([{ display_name: 'Ann', role: 'owner', ...rawExtra }]);
  });

  test("a client's variables are not changed by the renaming", async () => {
    const variableValues = { input: { displayName: 'Ann', role: 'owner', ...nested } };
    const before = structuredClone(variableValues);
    const source = `mutation ($input: NewAccountInput!) { createAccount(input: $input) { id } }`;
    expect((await graphql({ schema: composed.schema, source, variableValues, contextValue: {} })).errors).toBeUndefined();
    expect(variableValues).toEqual(before);
  });
});

describe('config renames and hides (demo specs)', () => {
  let upstream: CannedServer;
  const ada = { id: 1, name: 'Ada Lovelace', email: 'ada@example.com', role: 'admin' };
  const alan = { id: 2, name: 'Alan Turing', email: 'alan@example.com', role: 'staff' };

  beforeAll(async () => {
    upstream = await startCannedServer(({ method, path, query }) => {
      if (method !== 'GET') return undefined;
      if (path === '/users/1') return [200, ada];
      if (path === '/users') return [200, (query.get('ids') ?? '').split(',').map((id) => ({ 1: ada, 2: alan })[id] ?? null)];
      return undefined;
    });
  });
  afterAll(() => upstream.close());

  const sources = (usersExtra: string[]): SourceSpec[] => [
    { name: 'products', spec: demoSpec('products'), url: 'http://127.0.0.1:9' },
    { name: 'users', spec: demoSpec('users'), url: upstream.url, extra: usersExtra },
  ];
  const fieldsOf = (schema: GraphQLSchema, name: string) => {
    const type = schema.getType(name);
    return isObjectType(type) ? Object.keys(type.getFields()).sort() : undefined;
  };

  describe('renames (keyed by naming-rule names) and hides (keyed by final names)', () => {
    let composed: ComposedGateway;
    beforeAll(async () => {
      composed = await composeGateway(
        configFor(
          sources([
            'transforms:',
            '  rename:',
            '    types: { User: Customer, UserRole: CustomerRole }',
            '    fields: { "Query.user": customer, "Query.users": customers, "User.email": mail }',
            '  hide: [Customer.name]',
          ]),
        ),
      );
    });

    test('the schema has the new names and not the old or hidden ones', () => {
      const { schema } = composed;
      expect(schema.getType('User')).toBeUndefined();
      expect(schema.getType('UserRole')).toBeUndefined();
      expect(fieldsOf(schema, 'Customer')).toEqual(['id', 'mail', 'role']);
      expect(String(schema.getQueryType()!.getFields().customer.type)).toBe('Customer');
      expect(String(schema.getQueryType()!.getFields().customer.args[0].type)).toBe('ID!');
      expect(String((schema.getType('Customer') as GraphQLObjectType).getFields().role.type)).toBe('CustomerRole!');
      const queryFields = Object.keys(schema.getQueryType()!.getFields()).sort();
      expect(queryFields).toEqual(['customer', 'customers', 'product', 'products', 'productsByIds']);
    });

    test('renamed fields and types resolve over HTTP', async () => {
      const result = await run(
        composed.schema,
        '{ customer(id: 1) { __typename id mail role } customers(ids: [2, 1]) { id mail } }',
      );
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({
        customer: { __typename: 'Customer', id: '1', mail: 'ada@example.com', role: 'admin' },
        customers: [
          { id: '2', mail: 'alan@example.com' },
          { id: '1', mail: 'ada@example.com' },
        ],
      });
    });

    test('a hidden field cannot be queried', async () => {
      const result = await run(composed.schema, '{ customer(id: 1) { name } }');
      expect(result.errors?.[0].message).toMatch(/Cannot query field "name" on type "Customer"/);
    });
  });

  test('hides of an object field and a root field, without renames', async () => {
    const { schema } = await composeGateway(configFor(sources(['transforms:', '  hide: [User.email, Query.users]'])));
    expect(fieldsOf(schema, 'User')).toEqual(['id', 'name', 'role']);
    expect(Object.keys(schema.getQueryType()!.getFields()).sort()).toEqual(['product', 'products', 'productsByIds', 'user']);
  });

  describe('a rename or hide that names nothing fails composition, naming the config path', () => {
    const failure = async (usersExtra: string[]): Promise<CompositionError> => {
      const error = await composeGateway(configFor(sources(usersExtra))).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CompositionError);
      return error as CompositionError;
    };

    test('a hide with a typo', async () => {
      const error = await failure(['transforms:', '  hide: [User.emial]']);
      expect(error.configPath).toBe('sources[1].transforms.hide[0]');
      expect(error.message).toMatch(/^sources\[1\]\.transforms\.hide\[0\]: .*User\.emial/);
    });

    test('a hide using a raw (loader) name instead of the public one', async () => {
      const error = await failure(['transforms:', '  hide: [Query.getUser]']);
      expect(error.configPath).toBe('sources[1].transforms.hide[0]');
    });

    test('a hide using the name a type had before a rename', async () => {
      const error = await failure(['transforms:', '  rename: { types: { User: Customer } }', '  hide: [Customer.email, User.name]']);
      expect(error.configPath).toBe('sources[1].transforms.hide[1]');
    });

    test('a type rename of a type that does not exist', async () => {
      const error = await failure(['transforms:', '  rename: { types: { Usr: Customer } }']);
      expect(error.configPath).toBe('sources[1].transforms.rename.types.Usr');
      expect(error.message).toContain('Usr');
    });

    test('a field rename of a field that does not exist', async () => {
      const error = await failure(['transforms:', '  rename: { fields: { "User.mail": email } }']);
      expect(error.configPath).toBe('sources[1].transforms.rename.fields["User.mail"]');
      expect(error.message).toMatch(/User has .*email/);
    });
  });
});
