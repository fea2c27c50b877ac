/**
 * Config transforms are checked against publishedNames (gateway/compose/transforms.ts), which reads
 * the names off the raw schema instead of building the transformed one: it must give exactly the
 * names the transforms build, or a valid hide would be refused (or a typo let through).
 */
import { join } from 'node:path';
import { buildSchema, isInputObjectType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { Subschema } from '@graphql-tools/delegate';
import { composeGateway } from '../../gateway/compose/compose';
import type { NamingMaps } from '../../gateway/compose/naming';
import { NO_TRANSFORMS, createSourceNaming, publishedNames } from '../../gateway/compose/transforms';
import type { SourceTransforms } from '../../gateway/config/schema';
import { configFor, specPath } from './canned';

const demoSpec = (name: string) => join(__dirname, '..', '..', 'sources', name, 'openapi.yaml');

/** Type → field names of the schema the transforms (without hides) build. */
function builtNames(schema: GraphQLSchema, naming: NamingMaps, transforms: SourceTransforms): Map<string, string[] | undefined> {
  const built = new Subschema({ schema, transforms: createSourceNaming(naming, transforms).transforms({ hide: false }) }).transformedSchema;
  return new Map(
    Object.values(built.getTypeMap())
      .filter((type) => !type.name.startsWith('__'))
      .map((type) => [type.name, isObjectType(type) || isInterfaceType(type) || isInputObjectType(type) ? Object.keys(type.getFields()) : undefined]),
  );
}

const sorted = (names: Map<string, string[] | undefined>) => [...names].sort(([a], [b]) => a.localeCompare(b));

test.each([
  ['naming rules alone (types, root, object and input fields renamed)', specPath('naming.yaml'), NO_TRANSFORMS, { NewAccountInput: 'displayName', Account: 'createdAt', Query: 'accounts' }],
  [
    'naming rules and config renames of types, root, object and input fields',
    demoSpec('orders'),
    { rename: { types: { OrderInput: 'NewOrder' }, fields: { 'OrderInput.quantity': 'qty', 'Query.order': 'purchase', 'Order.status': 'state' } }, hide: [] },
    { NewOrder: 'qty', Order: 'state', Query: 'purchase' },
  ],
])('an OpenAPI source: %s', async (_what, spec, transforms, renamedFields) => {
  const composed = await composeGateway(configFor([{ name: 'subject', spec, url: 'http://127.0.0.1:9' }]));
  await composed.close();
  const [subgraph] = composed.subgraphs;
  const names = publishedNames(subgraph.schema, createSourceNaming(subgraph.naming, transforms).renamer);
  expect(sorted(names)).toEqual(sorted(builtNames(subgraph.schema, subgraph.naming, transforms)));
  // The renames the case is about were made.
  for (const [type, field] of Object.entries(renamedFields)) expect(names.get(type)).toContain(field);
});

test('renames onto names in use: skipped, and a name freed by one rename taken by a later one, as the transforms do', () => {
  const schema = buildSchema(/* GraphQL */ `
    type Query { first: raw_a second: Z status: raw_status }
    type raw_a { id: ID }
    type Z { id: ID }
    enum raw_status { on off }
    type Taken { id: ID }
    enum Status { x }
    type W { id: ID }
  `);
  // Refused: raw_a → Taken and Z → raw_a (names in use), raw_status → Status. Applied: Taken →
  // Moved, which frees Taken for W, a type that comes after it.
  const naming: NamingMaps = {
    types: new Map([
      ['raw_a', 'Taken'],
      ['Z', 'raw_a'],
      ['raw_status', 'Status'],
      ['Taken', 'Moved'],
      ['W', 'Taken'],
    ]),
    rootFields: { Query: new Map([['first', 'a']]), Mutation: new Map() },
    objectFields: new Map([['Moved', new Map([['id', 'key']])]]),
    inputFields: new Map(),
  };
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    const built = builtNames(schema, naming, NO_TRANSFORMS);
    expect(sorted(publishedNames(schema, createSourceNaming(naming, NO_TRANSFORMS).renamer))).toEqual(sorted(built));
    // Not vacuous: some renames were refused, some applied, one onto a freed name.
    expect([...built.keys()].filter((name) => /^[A-Za-z_]+$/.test(name) && !['String', 'ID', 'Boolean'].includes(name)).sort()).toEqual(
      ['Moved', 'Query', 'Status', 'Taken', 'Z', 'raw_a', 'raw_status'].sort(),
    );
    expect(built.get('Moved')).toEqual(['key']);
    expect(warn).toHaveBeenCalledTimes(3);
  } finally {
    warn.mockRestore();
  }
});
