/**
 * Plain GET operations build their request from a template made when the schema is loaded
 * (gateway/compose/plain-gets.ts) instead of the loader's per-call templates. The request sent and
 * the answer given must be the loader's own, for every argument, whichever path takes it.
 */
import { GraphQLError, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { processDirectives } from '@graphql-mesh/transport-rest';
import type { Logger } from '@graphql-mesh/types';
import { Response } from '@whatwg-node/fetch';
import { convertedSdl, schemaFromSdl } from '../../gateway/compose/converted-schema';
import { withPlainGets } from '../../gateway/compose/plain-gets';
import type { OpenApiDocument } from '../../gateway/compose/spec';
import { PARSED_BODY, handOver, parsedBodySlotOf, type ParsedBodySlot } from '../../gateway/upstream/parsed-body';

const ENDPOINT = 'http://127.0.0.1:4999/api/';
const item = { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } };
const json = (schema: unknown) => ({ 200: { description: 'ok', content: { 'application/json': { schema } } } });
const SPEC = {
  openapi: '3.0.3',
  info: { title: 'plain gets', version: '1' },
  paths: {
    '/items/{id}': { get: { operationId: 'getItem', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }], responses: json(item) } },
    '/things/{slug}/parts/{part}': {
      get: {
        operationId: 'getPart',
        parameters: [
          { name: 'slug', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'part', in: 'path', required: true, schema: { type: 'string' } },
        ],
        responses: json(item),
      },
    },
    '/items': {
      get: {
        operationId: 'listItems',
        parameters: [
          { name: 'ids', in: 'query', style: 'form', explode: false, schema: { type: 'array', items: { type: 'integer' } } },
          { name: 'tags', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
          { name: 'limit', in: 'query', schema: { type: 'integer', default: 20 } },
          { name: 'q', in: 'query', schema: { type: 'string' } },
          { name: 'open', in: 'query', schema: { type: 'boolean' } },
        ],
        responses: json({ type: 'array', items: item }),
      },
      post: { operationId: 'createItem', requestBody: { content: { 'application/json': { schema: item } } }, responses: json(item) },
    },
    '/days/{day}': {
      get: { operationId: 'getDay', parameters: [{ name: 'day', in: 'path', required: true, schema: { type: 'string', format: 'date-time' } }], responses: json(item) },
    },
    '/traced/{id}': {
      get: {
        operationId: 'getTraced',
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'integer' } },
          { name: 'x-trace', in: 'header', schema: { type: 'string' } },
        ],
        responses: json(item),
      },
    },
  },
} as unknown as OpenApiDocument;

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** Was the resolve info itself handed to fetch (the plain path), or the loader's copy of it? */
  sameInfo: boolean;
}

const silent: Logger = { name: 'test', log() {}, info() {}, debug() {}, warn() {}, error() {}, child: () => silent } as unknown as Logger;
let reply: [number, unknown] = [200, {}];
let sent: Sent[] = [];
let currentInfo: unknown;

/** An upstream client as the gateway's: it hands a successful reply's JSON over when asked. */
async function fetch(url: string, init: RequestInit | undefined, _context: unknown, info: unknown): Promise<Response> {
  sent.push({ url, method: init?.method ?? 'GET', headers: { ...(init?.headers as Record<string, string>) }, sameInfo: info === currentInfo });
  const [status, body] = reply;
  const slot = parsedBodySlotOf(info);
  if (slot && handOver(slot, status, JSON.stringify(body))) return new Response('0', { status });
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

async function load(plain: boolean, transformSdl: (sdl: string) => string = (sdl) => sdl): Promise<GraphQLSchema> {
  const sdl = await convertedSdl({ source: 'items', spec: SPEC, prepare: (spec) => structuredClone(spec), endpoint: ENDPOINT, logger: silent });
  const schema = processDirectives(schemaFromSdl(transformSdl(sdl)), { endpoint: ENDPOINT, globalFetch: fetch as never, logger: silent });
  if (plain) withPlainGets(schema, { endpoint: ENDPOINT, fetch });
  return schema;
}

interface Outcome {
  sent: Sent[];
  result: unknown;
  slot: ParsedBodySlot;
}

async function resolveWith(schema: GraphQLSchema, field: string, args: Record<string, unknown>, withSlot = true): Promise<Outcome> {
  const slot: ParsedBodySlot = { parsed: false };
  const parentType = field in schema.getQueryType()!.getFields() ? schema.getQueryType()! : schema.getMutationType()!;
  const definition = parentType.getFields()[field];
  const info = { fieldName: field, parentType, returnType: definition.type, ...(withSlot ? { [PARSED_BODY]: slot } : {}) };
  currentInfo = info;
  sent = [];
  const resolve = definition.resolve as GraphQLFieldResolver<unknown, unknown>;
  let result: unknown;
  try {
    result = await resolve(undefined, { ...args }, {}, info as never);
  } catch (error) {
    result = error;
  }
  return { sent, result, slot };
}

const comparable = (result: unknown) =>
  result instanceof GraphQLError ? { message: result.message, extensions: JSON.parse(JSON.stringify(result.extensions)) } : result;

let loaderSchema: GraphQLSchema;
let plainSchema: GraphQLSchema;
beforeAll(async () => {
  loaderSchema = await load(false);
  plainSchema = await load(true);
});
beforeEach(() => {
  reply = [200, { id: 1, name: 'one' }];
});

/** Both schemas resolve the same call: the same request, the same answer. Returns whether the plain path took it. */
async function expectSame(field: string, args: Record<string, unknown>, withSlot = true): Promise<boolean> {
  const loader = await resolveWith(loaderSchema, field, args, withSlot);
  const plain = await resolveWith(plainSchema, field, args, withSlot);
  expect(plain.sent.map(({ url, method, headers }) => ({ url, method, headers }))).toEqual(loader.sent.map(({ url, method, headers }) => ({ url, method, headers })));
  expect(plain.slot).toEqual(loader.slot);
  if (!plain.slot.parsed) expect(comparable(plain.result)).toEqual(comparable(loader.result));
  expect(plain.sent).toHaveLength(1); // one upstream call, whichever path built it
  return plain.sent[0].sameInfo;
}

test('path parameters: numbers, booleans-as-text and unreserved strings take the plain path with the loader URL', async () => {
  for (const id of [1, 0, 42, -7, 2147483647, 1e21]) expect(await expectSame('getItem', { id })).toBe(true);
  for (const [slug, part] of [['abc', 'x'], ['a.b_c~d-e', 'Z9'], ['ÄÖ', 'x'], ['a/b', 'c'], ['a b', 'c'], ['a$&b', 'c'], ['a?x=1', 'c'], ['a#b', 'c'], ['', 'c']]) {
    const plain = await expectSame('getPart', { slug, part });
    // Anything but unreserved characters is left to the loader, which writes it as it always did.
    expect(plain).toBe(/^[A-Za-z0-9._~-]+$/.test(slug));
  }
});

test('query parameters: absent, scalars, lists in the comma and the repeated form, each as qs writes them for the loader', async () => {
  const cases: Array<Record<string, unknown>> = [
    {},
    { limit: 5 },
    { ids: [1, 2, 3] },
    { ids: [] },
    { tags: ['a', 'b c', 'd&e'] },
    { q: 'x y/z?&=é', open: true, limit: 0 },
    { open: false, q: '' },
    { ids: [7], tags: ['t'], limit: 50, q: 'name', open: true },
    { limit: null, q: undefined },
  ];
  for (const args of cases) expect(await expectSame('listItems', args)).toBe(true);
});

test('a path parameter of a format scalar is left to the loader, which writes it as the scalar serializes it', async () => {
  expect(String(plainSchema.getQueryType()!.getFields().getDay.args[0].type)).not.toMatch(/^String/);
  // The scalar writes 0 as 1970-01-01T00:00:00.000Z, a string with another precision, a Date in full.
  for (const day of [0, '2024-01-31T10:00:00Z', new Date(0)]) expect(await expectSame('getDay', { day })).toBe(false);
});

test('an object where a scalar is expected is left to the loader', async () => {
  expect(await expectSame('listItems', { q: new URL('http://example.com/a?b=c') })).toBe(false);
});

test('replies the loader reads itself (errors, null, null items, no JSON) are read from the one reply received', async () => {
  for (const answer of [
    [404, { error: 'not_found', message: 'no item 3' }],
    [500, { message: 'boom' }],
    [200, null],
    [503, 'unavailable'],
  ] as Array<[number, unknown]>) {
    reply = answer;
    expect(await expectSame('getItem', { id: 3 })).toBe(true);
  }
  reply = [200, [{ id: 1, name: 'one' }, null]];
  expect(await expectSame('listItems', { ids: [1, 2] })).toBe(true);
});

test('without a parsed-body slot (an answer that needs the loader metadata) the loader builds the request', async () => {
  expect(await expectSame('getItem', { id: 3 }, false)).toBe(false);
});

test('operations that are not plain GETs keep the loader resolver', async () => {
  // A header parameter is a per-call template; a POST has a body.
  expect(await expectSame('getTraced', { id: 3, 'x-trace': 'abc' })).toBe(false);
  const create = await resolveWith(plainSchema, 'createItem', { input: { id: 1, name: 'one' } });
  expect(create.sent).toHaveLength(1);
  expect(create.sent[0]).toMatchObject({ method: 'POST', sameInfo: false });
});

test('source-wide headers from the @transport directive leave every operation to the loader', async () => {
  const withHeaders = await load(true, (sdl) => sdl.replace(/@transport\(([^)]*)\)/, '@transport($1, headers: [["x-api", "k"]])'));
  const outcome = await resolveWith(withHeaders, 'getItem', { id: 1 });
  expect(outcome.sent).toEqual([expect.objectContaining({ sameInfo: false, headers: expect.objectContaining({ 'x-api': 'k' }) })]);
});
