/**
 * Every operation of every demo service, exercised over real HTTP, must
 * answer with a status, content type, headers and body that its openapi.yaml
 * declares. The gateway generates its schema from these files, so drift
 * between spec and service would surface as gateway bugs.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type Ajv from 'ajv';
import { signIdentityHeaders } from '../../gateway/upstream/identity-headers';
import { DEMO_IDENTITY_SECRET, DEMO_SERVICE_NAMES, specPath, startDemoServices, type DemoServiceName, type RunningService } from '../../sources';
import { postJson, range, request, type Response } from './client';
import { compileSchema, createAjv, type JsonSchema } from './openapi-schema';

interface Case {
  operationId: string;
  status: number;
  method?: 'GET' | 'POST';
  path: string;
  body?: unknown;
  contentType?: string;
  /** Whose signed identity headers the request carries (the services run with DEMO_IDENTITY_SECRET). */
  as?: string;
}

const ids = (from: number, to: number) => range(from, to).join(',');

const CASES: Record<DemoServiceName, Case[]> = {
  users: [
    { operationId: 'getUser', status: 200, path: '/users/1' },
    { operationId: 'getUser', status: 200, path: '/users/1000' },
    { operationId: 'getUser', status: 404, path: '/users/1001' },
    { operationId: 'getUser', status: 400, path: '/users/abc' },
    { operationId: 'getUsersByIds', status: 200, path: '/users?ids=3,1,9999,3' },
    { operationId: 'getUsersByIds', status: 200, path: '/users?ids=1&ids=2' },
    { operationId: 'getUsersByIds', status: 200, path: `/users?ids=${ids(1, 500)}` },
    { operationId: 'getUsersByIds', status: 400, path: `/users?ids=${ids(1, 501)}` },
    { operationId: 'getUsersByIds', status: 400, path: '/users' },
  ],
  products: [
    { operationId: 'listProducts', status: 200, path: '/products' },
    { operationId: 'listProducts', status: 200, path: '/products?limit=200&offset=0' },
    { operationId: 'listProducts', status: 200, path: '/products?offset=1000' },
    { operationId: 'listProducts', status: 400, path: '/products?limit=201' },
    { operationId: 'getProductsByIds', status: 200, path: '/products/by-ids?ids=2,404,1' },
    { operationId: 'getProductsByIds', status: 400, path: '/products/by-ids?ids=1,,2' },
    { operationId: 'getProduct', status: 200, path: '/products/200' },
    { operationId: 'getProduct', status: 404, path: '/products/201' },
    { operationId: 'getProduct', status: 400, path: '/products/1.5' },
  ],
  orders: [
    { operationId: 'listOrders', status: 200, path: '/orders' },
    { operationId: 'listOrders', status: 200, path: '/orders?userId=7&limit=200' },
    { operationId: 'listOrders', status: 400, path: '/orders?userId=0' },
    { operationId: 'getOrder', status: 200, path: '/orders/5000' },
    { operationId: 'getOrder', status: 404, path: '/orders/99999' },
    { operationId: 'getOrder', status: 400, path: '/orders/-1' },
    {
      operationId: 'createOrder',
      status: 201,
      method: 'POST',
      path: '/orders',
      body: { userId: 1, productId: 1, quantity: 100 },
      as: '1',
    },
    { operationId: 'createOrder', status: 400, method: 'POST', path: '/orders', body: { userId: 1, productId: 1 }, as: '1' },
    { operationId: 'createOrder', status: 400, method: 'POST', path: '/orders', body: '{not json', as: '1' },
    {
      operationId: 'createOrder',
      status: 400,
      method: 'POST',
      path: '/orders',
      body: 'userId=1',
      contentType: 'application/x-www-form-urlencoded',
      as: '1',
    },
    { operationId: 'createOrder', status: 401, method: 'POST', path: '/orders', body: { userId: 1, productId: 1, quantity: 1 } },
    { operationId: 'createOrder', status: 403, method: 'POST', path: '/orders', body: { userId: 1, productId: 1, quantity: 1 }, as: '2' },
  ],
  reviews: [
    { operationId: 'listReviews', status: 200, path: '/reviews?productId=1' },
    { operationId: 'listReviews', status: 200, path: '/reviews?productId=9999' },
    { operationId: 'listReviews', status: 400, path: '/reviews' },
    { operationId: 'listReviewsByProductIds', status: 200, path: `/reviews/by-products?productIds=${ids(1, 200)}` },
    { operationId: 'listReviewsByProductIds', status: 400, path: '/reviews/by-products?productIds=x' },
  ],
};

// OpenAPI documents are loosely typed JSON; each access below is checked by the assertions that use it.
type Json = JsonSchema;

interface Operation {
  method: string;
  path: string;
  responses: Record<string, Json>;
}

function loadSpec(name: DemoServiceName): Json {
  return parse(readFileSync(specPath(name), 'utf8')) as Json;
}

function operations(spec: Json): Map<string, Operation> {
  const result = new Map<string, Operation>();
  for (const [path, item] of Object.entries(spec.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(item)) {
      result.set(op.operationId as string, {
        method: method.toUpperCase(),
        path,
        responses: op.responses as Record<string, Json>,
      });
    }
  }
  return result;
}

/** Follows a `#/components/...` ref inside the same document. */
function deref(spec: Json, node: Json): Json {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  return ref
    .slice(2)
    .split('/')
    .reduce<Json>((acc, key) => acc[key] as Json, spec);
}

/** Header values use OpenAPI `style: simple`: arrays are comma-separated. */
function headerValue(raw: string, schema: Json): unknown {
  if (schema.type !== 'array') return raw;
  const items = schema.items as Json;
  return raw.split(',').map((part) => (items.type === 'integer' || items.type === 'number' ? Number(part) : part));
}

function checkResponse(spec: Json, ajv: Ajv, op: Operation, res: Response): string[] {
  const declared = op.responses[String(res.status)];
  if (declared === undefined) return [`status ${res.status} is not declared`];
  const response = deref(spec, declared);
  const components = (spec.components as Json).schemas as Json;
  const problems: string[] = [];

  const content = response.content as Record<string, Json> | undefined;
  const media = content?.[res.mediaType];
  if (media === undefined) {
    problems.push(`content type ${res.mediaType} is not declared for ${res.status}`);
  } else {
    const validate = compileSchema(ajv, media.schema, components);
    if (!validate(res.json)) problems.push(`body: ${ajv.errorsText(validate.errors)}`);
  }

  for (const [name, header] of Object.entries((response.headers as Record<string, Json> | undefined) ?? {})) {
    const raw = res.headers.get(name);
    if (raw === null) {
      if (header.required === true) problems.push(`header ${name} is required`);
      continue;
    }
    const validate = compileSchema(ajv, header.schema, components);
    if (!validate(headerValue(raw, header.schema as Json))) {
      problems.push(`header ${name}: ${ajv.errorsText(validate.errors)}`);
    }
  }
  return problems;
}

let running: Awaited<ReturnType<typeof startDemoServices>>;
beforeAll(async () => {
  running = await startDemoServices({ identitySecret: DEMO_IDENTITY_SECRET });
});
afterAll(() => running.close());

describe.each(DEMO_SERVICE_NAMES.map((name) => [name]))('%s conforms to its openapi.yaml', (name) => {
  const spec = loadSpec(name);
  const ops = operations(spec);
  const ajv = createAjv();
  let service: RunningService;
  beforeAll(() => {
    service = running.services[name];
  });

  test('operationIds in the cases match the spec', () => {
    expect(new Set(CASES[name].map((c) => c.operationId))).toEqual(new Set(ops.keys()));
  });

  test('every declared response of every operation is exercised', () => {
    const declared = [...ops].flatMap(([id, op]) => Object.keys(op.responses).map((s) => `${id} ${s}`));
    const covered = new Set(CASES[name].map((c) => `${c.operationId} ${c.status}`));
    expect(declared.filter((d) => !covered.has(d))).toEqual([]);
  });

  test.each(CASES[name].map((c) => [`${c.method ?? 'GET'} ${c.path.slice(0, 60)} -> ${c.status}`, c] as const))(
    '%s',
    async (_label, c) => {
      const url = service.url + c.path;
      const identity = c.as ? signIdentityHeaders(DEMO_IDENTITY_SECRET, 'POST', c.path, { subject: c.as, roles: ['customer'], scopes: [] }) : {};
      const res = c.method === 'POST' ? await postJson(url, c.body, c.contentType, identity) : await request(url);
      expect(res.status).toBe(c.status);
      const op = ops.get(c.operationId);
      if (op === undefined) throw new Error(`unknown operation ${c.operationId}`);
      expect(checkResponse(spec, ajv, op, res)).toEqual([]);
    },
  );

  // Runs after the cases above (jest keeps declaration order within a file).
  test('the router serves exactly the spec operations, under the spec paths', () => {
    const stats = service.stats();
    expect(Object.keys(stats.byOperation).sort()).toEqual([...ops.keys()].sort());
    expect(Object.keys(stats.byPath).sort()).toEqual([...ops.values()].map((o) => `${o.method} ${o.path}`).sort());
    expect(stats.total).toBe(CASES[name].length);
  });
});

test('the converter honours nullable batch slots and rejects nulls elsewhere', () => {
  const ajv = createAjv();
  const spec = loadSpec('users');
  const components = (spec.components as Json).schemas as Json;
  const op = operations(spec).get('getUsersByIds');
  const okSchema = deref(spec, op?.responses['200'] ?? {}).content as Record<string, Json>;
  const batch = compileSchema(ajv, okSchema['application/json']?.schema, components);
  const user = compileSchema(ajv, { $ref: '#/components/schemas/User' }, components);
  const valid = { id: 1, name: 'A', email: 'a@example.com', role: 'admin' };
  expect(batch([valid, null])).toBe(true);
  expect(user(null)).toBe(false);
  expect(user({ ...valid, extra: 1 })).toBe(false);
  expect(user({ ...valid, id: 2 ** 31 })).toBe(false);
});
