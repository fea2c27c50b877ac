/**
 * Root fields reuse the request their first delegation sent (gateway/compose/root-delegation.ts).
 * The demo part proves the answers identical: each operation is sent once per variable set as the
 * same text (yoga parses it once, so every call after the first reuses the kept request) and as a
 * text of its own (a trailing comment makes a new document, so graphql-tools builds the request),
 * and the two answers must be the same JSON, errors included. The unit part proves the reuse.
 */
import { OperationTypeNode, execute, parse, type DocumentNode, type ExecutionResult, type GraphQLResolveInfo } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { Subschema } from '@graphql-tools/delegate';
import { stitchSchemas } from '@graphql-tools/stitch';
import { executorFromSchema } from '@graphql-tools/executor';
import { RenameRootFields, RenameTypes } from '@graphql-tools/wrap';
import type { ExecutionRequest, Executor } from '@graphql-tools/utils';
import { createRootDelegation } from '../../gateway/compose/root-delegation';
import { startDemoGateway, type RunningGateway } from '../support/harness';

describe('a kept delegated request answers as a fresh one does', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startDemoGateway();
  });
  afterAll(() => gw.close());

  const cases: Array<{ name: string; query: string; variableSets: Array<Record<string, unknown>> }> = [
    { name: 'one user by id (found, unknown, not an id)', query: 'query Q1($id: ID!) { user(id: $id) { id name email role } }', variableSets: [{ id: 1 }, { id: '2' }, { id: 999999 }, { id: 'abc' }] },
    {
      name: 'aliases, a literal argument and a variable one',
      query: 'query($id: ID!) { a: user(id: $id) { id name } b: user(id: "2") { name } }',
      variableSets: [{ id: 3 }, { id: 4 }, { id: 999999 }],
    },
    {
      name: 'optional arguments given, omitted and null',
      query: 'query($limit: Int, $offset: Int) { products(limit: $limit, offset: $offset) { id title price } }',
      // Each argument shape twice, so the second of each reuses the first's request.
      variableSets: [{ limit: 2 }, { limit: 4 }, { limit: 3, offset: 5 }, { limit: 1, offset: 2 }, {}, {}, { offset: 1 }, { offset: 3 }, { limit: null }],
    },
    {
      name: 'links below the root field, batched and per key',
      query: 'query($offset: Int) { orders(limit: 5, offset: $offset) { id quantity customer { name } product { title reviews { rating author { name } } } } }',
      variableSets: [{ offset: 0 }, { offset: 10 }, { offset: 100000 }],
    },
    {
      name: 'an enum, a format scalar and a list argument',
      query: 'query($status: OrderStatus, $after: DateTime, $ids: [ID]!) { orders(status: $status, placedAfter: $after, limit: 3) { id status } productsByIds(ids: $ids) { id title } }',
      variableSets: [
        { status: 'paid', after: '2020-01-01T00:00:00Z', ids: [1, 2] },
        { status: 'delivered', ids: ['3'] },
        { status: 'lost', ids: [] },
        { after: 'yesterday', ids: [1] },
      ],
    },
    {
      name: 'fragments, @include and __typename',
      query: 'query($id: ID!, $email: Boolean!) { ...Root } fragment Root on Query { user(id: $id) { __typename ...U email @include(if: $email) } } fragment U on User { id name }',
      variableSets: [{ id: 1, email: true }, { id: 2, email: false }],
    },
  ];

  test.each(cases)('$name', async ({ query, variableSets }) => {
    for (const [i, variables] of variableSets.entries()) {
      const kept = await gw.query(query, variables);
      const fresh = await gw.query(`${query}\n# fresh ${i}`, variables);
      expect(kept.status).toBe(fresh.status);
      expect(kept.body).toEqual(fresh.body);
    }
  });
});

describe('reuse', () => {
  const users: Record<string, { id: string; name: string }> = { '1': { id: '1', name: 'Ada' }, '2': { id: '2', name: 'Bob' } };
  const source = makeExecutableSchema({
    typeDefs: /* GraphQL */ `
      input Filter { name: String }
      type Person { id: ID! name: String }
      type Query { getPerson(id: ID!): Person, findPeople(filter: Filter): [Person] }
    `,
    resolvers: {
      Query: {
        getPerson: (_: unknown, { id }: { id: string }) => users[id] ?? null,
        findPeople: (_: unknown, { filter }: { filter?: { name?: string } }) => Object.values(users).filter((u) => !filter?.name || u.name === filter.name),
      },
    },
  });

  /** A new delegation, and the source's executor recording through it every document the source got. */
  function recordedSource() {
    const sent: DocumentNode[] = [];
    const delegation = createRootDelegation();
    const standard = executorFromSchema(source);
    const executor = delegation.recording(((request: ExecutionRequest) => {
      sent.push(request.document);
      return standard(request);
    }) as Executor);
    return { sent, executor, delegation };
  }

  function gateway() {
    const { sent, executor, delegation } = recordedSource();
    const schema = stitchSchemas({
      subschemas: [
        new Subschema({
          schema: source,
          executor,
          createProxyingResolver: delegation.proxyingResolver,
          transforms: [new RenameTypes((name) => (name === 'Person' ? 'User' : name)), new RenameRootFields((_op, name) => (name === 'getPerson' ? 'user' : name === 'findPeople' ? 'users' : name))],
        }),
      ],
    });
    const run = async (document: DocumentNode, variableValues: Record<string, unknown>) => (await execute({ schema, document, variableValues })) as ExecutionResult;
    return { sent, run };
  }

  test('a field node delegates once through graphql-tools, then sends the same document with its own variables', async () => {
    const { sent, run } = gateway();
    const document = parse('query($id: ID!) { u: user(id: $id) { __typename id name } }');
    expect(await run(document, { id: '1' })).toEqual({ data: { u: { __typename: 'User', id: '1', name: 'Ada' } } });
    expect(await run(document, { id: '2' })).toEqual({ data: { u: { __typename: 'User', id: '2', name: 'Bob' } } });
    expect(await run(document, { id: '3' })).toEqual({ data: { u: null } });
    expect(sent).toHaveLength(3);
    expect(sent[1]).toBe(sent[0]);
    expect(sent[2]).toBe(sent[0]);

    // Another document of the same text has field nodes of its own.
    await run(parse('query($id: ID!) { u: user(id: $id) { __typename id name } }'), { id: '1' });
    expect(sent[3]).not.toBe(sent[0]);
  });

  test('input object variables are rewritten per call by transforms, so their requests are not kept', async () => {
    const { sent, run } = gateway();
    const document = parse('query($filter: Filter) { users(filter: $filter) { name } }');
    expect(await run(document, { filter: { name: 'Bob' } })).toEqual({ data: { users: [{ name: 'Bob' }] } });
    expect(await run(document, { filter: {} })).toEqual({ data: { users: [{ name: 'Ada' }, { name: 'Bob' }] } });
    expect(sent[1]).not.toBe(sent[0]);
  });

  test('an argument given in one call and left out in the next gets a request of its own', async () => {
    const { sent, run } = gateway();
    const document = parse('query($filter: Filter) { users(filter: $filter) { name } }');
    await run(document, {});
    await run(document, {});
    expect(sent[1]).toBe(sent[0]); // no variables at all: kept
    expect(await run(document, { filter: { name: 'Ada' } })).toEqual({ data: { users: [{ name: 'Ada' }] } });
    expect(sent[2]).not.toBe(sent[0]);
  });

  test('a delegator used by a field below the root (as links use it) keeps its request per field node too', async () => {
    const { sent, executor, delegation } = recordedSource();
    const people = new Subschema({ schema: source, executor });
    const delegate = delegation.delegator();
    const schema = stitchSchemas({
      subschemas: [people],
      typeDefs: 'type Note { text: String, authorId: ID, author: Person } extend type Query { notes: [Note] }',
      resolvers: {
        Query: { notes: () => [{ text: 'a', authorId: '1' }, { text: 'b', authorId: '2' }, { text: 'c', authorId: '9' }] },
        Note: {
          author: {
            selectionSet: '{ authorId }',
            resolve: (note: { authorId: string }, _args: unknown, context: Record<string, unknown>, info: GraphQLResolveInfo) =>
              delegate({ subschemaConfig: people, operation: OperationTypeNode.QUERY, fieldName: 'getPerson', args: { id: note.authorId }, context, info }),
          },
        },
      },
    });
    const document = parse('{ notes { text author { name } } }');
    expect(await execute({ schema, document })).toEqual({
      data: { notes: [{ text: 'a', author: { name: 'Ada' } }, { text: 'b', author: { name: 'Bob' } }, { text: 'c', author: null }] },
    });
    expect(await execute({ schema, document })).toEqual({
      data: { notes: [{ text: 'a', author: { name: 'Ada' } }, { text: 'b', author: { name: 'Bob' } }, { text: 'c', author: null }] },
    });
    expect(sent).toHaveLength(6);
    for (const later of sent.slice(1)) expect(later).toBe(sent[0]); // recorded by the first call, sent again with each id
  });
});
