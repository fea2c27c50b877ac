/**
 * The published SDL (printComposedSchema) depends on the specs and the config only, never on where
 * the sources run; and the committed schema/schema.graphql is what the demo config composes to
 * (the CI drift check, as a test).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLSchema, buildSchema, lexicographicSortSchema, printSchema, specifiedDirectives } from 'graphql';
import { printSchemaWithDirectives, pruneSchema } from '@graphql-tools/utils';
import { composeGateway, type ComposedGateway } from '../../gateway/compose/compose';
import { printComposedSchema } from '../../gateway/compose/print';
import { loadConfig } from '../../gateway/config/load';

const REPO_ROOT = join(__dirname, '..', '..');
const DEMO_CONFIG = join(REPO_ROOT, 'tessera.config.yaml');
const COMMITTED = join(REPO_ROOT, 'schema', 'schema.graphql');

// Explicit environments: the test must not depend on *_URL variables of the shell it runs in.
const DEFAULTS: NodeJS.ProcessEnv = {};
const ELSEWHERE: NodeJS.ProcessEnv = {
  USERS_URL: 'http://10.1.2.3:9999',
  PRODUCTS_URL: 'http://products.internal:8080/api/v2',
  ORDERS_URL: 'https://orders.example.com',
  REVIEWS_URL: 'http://[::1]:4999',
};

const compose = (env: NodeJS.ProcessEnv) => composeGateway(loadConfig(DEMO_CONFIG, { env }).config);

let atDefaults: ComposedGateway;
let elsewhere: ComposedGateway;
let printed: string;

beforeAll(async () => {
  [atDefaults, elsewhere] = await Promise.all([compose(DEFAULTS), compose(ELSEWHERE)]);
  printed = printComposedSchema(atDefaults.schema);
});

test('the source URLs are in the loaded subgraphs (so the comparison below means something)', () => {
  const users = elsewhere.subgraphs.find((s) => s.name === 'users')!;
  expect(printSchemaWithDirectives(users.schema)).toContain('10.1.2.3:9999');
});

test('composing with other source URLs prints byte-identical SDL', () => {
  expect(printComposedSchema(elsewhere.schema)).toBe(printed);
});

test('the SDL carries no upstream URL and no transport directive', () => {
  expect(printed).not.toContain('http://');
  for (const leak of ['127.0.0.1', '10.1.2.3', 'products.internal', 'orders.example.com', '[::1]']) {
    expect(printComposedSchema(elsewhere.schema)).not.toContain(leak);
    expect(printed).not.toContain(leak);
  }
  for (const directive of ['@httpOperation', '@transport', '@discriminator', '@enum', '@resolveRoot']) {
    expect(printed).not.toContain(directive);
  }
  expect(printed).not.toMatch(/^directive @/m);
});

test('printing is stable: the same schema prints the same SDL twice, ending in one newline', () => {
  expect(printComposedSchema(atDefaults.schema)).toBe(printed);
  expect(printed.endsWith('}\n')).toBe(true);
  expect(printed.endsWith('\n\n')).toBe(false);
});

test('equals the committed schema/schema.graphql (`npm run compose` updates it)', () => {
  expect(printed).toBe(readFileSync(COMMITTED, 'utf8'));
});

test('types nothing reaches are left out; the implementations of an interface a field returns are kept', () => {
  const schema = buildSchema(`
    directive @httpOperation(path: String) on FIELD_DEFINITION
    interface Node { id: ID! }
    type User implements Node { id: ID! name: String }
    type Robot implements Node { id: ID! model: Model }
    type Model { name: String }
    interface Audited { at: String }
    type Order implements Audited { at: String total: Float }
    type Query { node(id: ID!): Node @httpOperation(path: "/node") orders: [Order] }
    type Orphan { x: Int }
    input OrphanInput { x: Int }
  `);
  const sdl = printComposedSchema(schema);
  // What @graphql-tools/utils' pruneSchema keeps, which printComposedSchema used before.
  expect(sdl).toBe(`${printSchema(lexicographicSortSchema(pruneSchema(new GraphQLSchema({ ...schema.toConfig(), directives: [...specifiedDirectives] }))))}\n`);
  expect(sdl).toContain('type Robot implements Node');
  expect(sdl).toContain('type Model');
  expect(sdl).toContain('interface Audited');
  expect(sdl).not.toMatch(/Orphan|httpOperation/);
});
