/**
 * The in-process executor of a source's schema (gateway/compose/direct-executor.ts) completes root
 * fields' JSON by a plan instead of a full execution. Every case runs through it and through
 * @graphql-tools/executor (what stitching used before), and the two results must be the same
 * JSON: data, error messages, paths and locations.
 */
import { GraphQLError, GraphQLScalarType, parse, type DocumentNode } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { executorFromSchema } from '@graphql-tools/executor';
import type { ExecutionRequest } from '@graphql-tools/utils';
import { createDirectExecutor } from '../../gateway/compose/direct-executor';

const answers: Record<string, unknown> = {
  users: [
    { id: 1, name: 'Ada', role: 'admin', tags: ['a', 'b'], address: { city: 'Paris', zip: null }, friends: [{ id: 2, name: 'Bob' }] },
    { id: 2, name: 'Bob', role: 'user', tags: null, address: null, friends: [] },
  ],
  withNullName: [{ id: 3, name: null, role: 'user' }],
  withErrorItem: [{ id: 1, name: 'Ada', role: 'admin' }, new GraphQLError('no user 7', { extensions: { code: 'NOT_FOUND' } })],
  badEnum: [{ id: 4, name: 'Eve', role: 'superuser' }],
  notAList: { id: 5, name: 'Solo', role: 'user', tags: 'x' },
  grid: [[{ id: 1, name: 'Ada', role: 'admin' }], [], null, [null]],
  badScore: [{ id: 6, name: 'Zed', role: 'user', score: 'high' }],
  strictRequired: [{ id: 8, role: 'user', name: 'X', required: null }],
};

const schema = makeExecutableSchema({
  typeDefs: /* GraphQL */ `
    scalar Score
    enum Role { ADMIN USER }
    type Address { city: String! zip: String }
    type User {
      id: ID!
      name: String!
      role: Role
      tags: [String]
      address: Address
      friends: [User!]
      score: Score
      required: Address!
    }
    type Query {
      users(set: String!): [User]
      user(set: String!): User
      strictUsers(set: String!): [User!]!
      grid(set: String!): [[User]]
      fails: User
      failsStrict: User!
      hello: String
    }
    type Mutation { touch(set: String!): [User] }
  `,
  resolvers: {
    Role: { ADMIN: 'admin', USER: 'user' },
    Score: new GraphQLScalarType({
      name: 'Score',
      serialize: (value) => {
        if (typeof value !== 'number') throw new GraphQLError(`Score cannot represent ${String(value)}`);
        return value;
      },
    }),
    Query: {
      users: async (_root: unknown, { set }: { set: string }) => answers[set],
      user: async (_root: unknown, { set }: { set: string }) => answers[set],
      strictUsers: async (_root: unknown, { set }: { set: string }) => answers[set],
      grid: async (_root: unknown, { set }: { set: string }) => answers[set],
      fails: async () => {
        throw new Error('upstream down');
      },
      failsStrict: async () => {
        throw new GraphQLError('upstream down', { extensions: { code: 'UPSTREAM' } });
      },
      hello: () => 'world',
    },
    Mutation: { touch: async (_root: unknown, { set }: { set: string }) => answers[set] },
  },
});

const direct = createDirectExecutor(schema);
const standard = executorFromSchema(schema);

async function both(document: DocumentNode | string, variables?: Record<string, unknown>) {
  const request: ExecutionRequest = { document: typeof document === 'string' ? parse(document) : document, variables, context: {} };
  const [ours, theirs] = await Promise.all([direct(request), standard(request)]);
  return { ours: JSON.parse(JSON.stringify(ours)), theirs: JSON.parse(JSON.stringify(theirs)) };
}

// Every row has its three cells: with two, jest would take the test's third parameter for `done`.
const cases: Array<[string, string, Record<string, unknown> | undefined]> = [
  ['plain fields, aliases, nested objects and lists', '{ users(set: "users") { id n: name role tags address { city zip } friends { id name } } }', undefined],
  ['the same response key twice merges its selections', '{ users(set: "users") { address { city } address { zip } id } }', undefined],
  ['fragments and inline fragments on the same type', 'query { users(set: "users") { ...F ... on User { role } ... { id } } } fragment F on User { name }', undefined],
  ['__typename at the root and below', '{ __typename users(set: "users") { __typename t: __typename id } }', undefined],
  ['variables, with and without defaults', 'query Q($set: String! = "users") { users(set: $set) { id } }', {}],
  ['a variable value', 'query Q($set: String!) { users(set: $set) { id } }', { set: 'users' }],
  ['a null non-null field nulls its parent object, with the error at the field', '{ users(set: "withNullName") { id name } }', undefined],
  ['a non-null list item that is null propagates to the list', '{ strictUsers(set: "withNullName") { id name } }', undefined],
  ['an Error item of a list is null plus its error at the index', '{ users(set: "withErrorItem") { id name } }', undefined],
  ['an Error item under a non-null list propagates to the root', '{ strictUsers(set: "withErrorItem") { id } }', undefined],
  ['an enum value the type does not know', '{ users(set: "badEnum") { id role } }', undefined],
  ['a custom scalar whose serialize throws a GraphQLError', '{ users(set: "badScore") { id score } }', undefined],
  ['an object where a list is expected', '{ users(set: "notAList") { id } }', undefined],
  ['a string where a list is expected, below the root', '{ user(set: "notAList") { id tags } }', undefined],
  ['a list where an object is expected', '{ user(set: "users") { id } }', undefined],
  ['lists of lists with empty and null lists and null items', '{ grid(set: "grid") { id name } }', undefined],
  ['a nullable root field that throws', '{ fails { id } hello }', undefined],
  ['a non-null root field that throws nulls the data', '{ failsStrict { id } hello }', undefined],
  ['a null non-null object field', '{ users(set: "strictRequired") { id required { city } } }', undefined],
  ['a mutation runs its root fields in order', 'mutation { a: touch(set: "users") { id } b: touch(set: "grid") { id } }', undefined],
  ['an unknown set (undefined) is null', '{ users(set: "none") { id } }', undefined],
];

test.each(cases)('%s: same result as @graphql-tools/executor', async (_name, document, variables) => {
  const { ours, theirs } = await both(document, variables);
  expect(ours).toEqual(theirs);
});

test('what the plan does not cover runs through the executor itself (directives, introspection)', async () => {
  for (const document of [
    '{ users(set: "users") { id name @include(if: false) } }',
    'query Q($skip: Boolean!) { users(set: "users") { id @skip(if: $skip) } }',
    '{ __schema { queryType { name } } }',
    '{ users(set: "users") { ... on User @include(if: true) { id } } }',
  ]) {
    const { ours, theirs } = await both(document, { skip: true });
    expect(ours).toEqual(theirs);
  }
});

test('a variable of the wrong type is reported as the executor reports it', async () => {
  const { ours, theirs } = await both('query Q($set: String!) { users(set: $set) { id } }', { set: 5 });
  expect(ours).toEqual(theirs);
  expect(ours.errors).toHaveLength(1);
});
