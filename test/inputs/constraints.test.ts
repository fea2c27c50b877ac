/**
 * The spec's input constraints, enforced by the gateway before any upstream call: a gateway over
 * real HTTP in front of a canned upstream that records every request it gets, composed from
 * test/fixtures/specs/constraints.yaml (OpenAPI 3.0) and constraints-31.yaml (3.1 exclusive bounds).
 */
import pino from 'pino';
import { createGateway } from '../../gateway/gateway';
import { formatWarning, type CompositionWarning } from '../../gateway/compose/warnings';
import { listen, type ListeningGateway } from '../../gateway/server/listen';
import { configFor, specPath, startCannedServer, type CannedServer } from '../compose/canned';

interface Response {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

let upstream: CannedServer;
let running: ListeningGateway;
let close: () => Promise<void>;
let warnings: CompositionWarning[];

beforeAll(async () => {
  upstream = await startCannedServer(({ method, path }) => {
    if (path === '/users/by-ids') return [200, [{ ok: true }]];
    if (path === '/scores') return [200, [1.5]];
    return [method === 'POST' ? 201 : 200, { ok: true }];
  });
  const config = configFor([
    { name: 'shop', spec: specPath('constraints.yaml'), url: upstream.url },
    { name: 'v31', spec: specPath('constraints-31.yaml'), url: upstream.url },
  ]);
  const gateway = await createGateway(config, { logger: pino({ level: 'silent' }) });
  warnings = gateway.warnings;
  running = await listen(gateway, 0, '127.0.0.1');
  close = async () => {
    await running.close();
    await upstream.close();
  };
});
afterAll(() => close());
beforeEach(() => {
  upstream.requests.length = 0;
});

async function query(source: string, variables?: Record<string, unknown>): Promise<{ status: number; body: Response }> {
  const response = await fetch(`${running.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: source, variables }),
  });
  return { status: response.status, body: (await response.json()) as Response };
}

/** Sends an operation whose only field must be rejected and returns its one error, having checked that nothing reached the upstream. */
async function rejected(source: string, field: string, variables?: Record<string, unknown>) {
  const { status, body } = await query(source, variables);
  expect(status).toBe(200);
  expect(body.data).toEqual({ [field]: null });
  expect(body.errors).toHaveLength(1);
  expect(body.errors![0].path).toEqual([field]);
  expect(upstream.requests).toEqual([]);
  return body.errors![0];
}

const ORDER = 'mutation($input: OrderInput) { createOrder(input: $input) { ok } }';

describe('each constraint kind is rejected before the upstream, naming the argument', () => {
  test.each([
    ['maximum', { quantity: 101 }, 'createOrder.input.quantity', 100, 'Argument createOrder.input.quantity must be at most 100 (got 101).'],
    ['minimum', { quantity: 0 }, 'createOrder.input.quantity', 1, 'Argument createOrder.input.quantity must be at least 1 (got 0).'],
    ['exclusiveMinimum', { quantity: 1, discount: 0 }, 'createOrder.input.discount', 0, 'Argument createOrder.input.discount must be greater than 0 (got 0).'],
    ['exclusiveMaximum', { quantity: 1, discount: 50 }, 'createOrder.input.discount', 50, 'Argument createOrder.input.discount must be less than 50 (got 50).'],
    ['pattern', { quantity: 1, couponCode: 'abc-1234' }, 'createOrder.input.couponCode', '^[A-Z]{3}-\\d{4}$', 'Argument createOrder.input.couponCode must match the pattern ^[A-Z]{3}-\\d{4}$ (got "abc-1234").'],
    ['maxLength', { quantity: 1, note: 'n'.repeat(41) }, 'createOrder.input.note', 40, 'Argument createOrder.input.note must be at most 40 characters long (got a string of 41 characters starting "nnnnnnnnnnnn"…).'],
    ['maxItems', { quantity: 1, tags: ['a', 'b', 'c'] }, 'createOrder.input.tags', 2, 'Argument createOrder.input.tags must have at most 2 items (got 3 items).'],
    ['maxLength', { quantity: 1, tags: ['a', 'toolong'] }, 'createOrder.input.tags[1]', 5, 'Argument createOrder.input.tags[1] must be at most 5 characters long (got "toolong").'],
    ['format', { quantity: 1, email: 'not-an-address' }, 'createOrder.input.email', 'email', 'Argument createOrder.input.email must be an email address (got "not-an-address").'],
    ['format', { quantity: 1, requestId: '123e4567-e89b-12d3-a456' }, 'createOrder.input.requestId', 'uuid', 'Argument createOrder.input.requestId must be a UUID (got a string of 23 characters starting "123e4567-e89"…).'],
    ['format', { quantity: 1, deliverBy: '2024-02-30T10:00:00Z' }, 'createOrder.input.deliverBy', 'date-time', 'Argument createOrder.input.deliverBy must be an RFC 3339 date-time with a time zone, e.g. 2024-01-31T12:00:00Z (got "2024-02-30T10:00:00Z").'],
    ['format', { quantity: 1, callback: 'no scheme here' }, 'createOrder.input.callback', 'uri', 'Argument createOrder.input.callback must be an absolute URI, e.g. https://example.com/a (got "no scheme here").'],
    ['pattern', { quantity: 1, items: [{ sku: 'a' }, { sku: 'b' }, { sku: 'C-3' }] }, 'createOrder.input.items[2].sku', '^[a-z]+$', 'Argument createOrder.input.items[2].sku must match the pattern ^[a-z]+$ (got "C-3").'],
    ['minimum', { quantity: 1, items: [{ sku: 'a', qty: 0 }] }, 'createOrder.input.items[0].qty', 1, 'Argument createOrder.input.items[0].qty must be at least 1 (got 0).'],
  ])('%s: %j', async (constraint, input, argument, expected, message) => {
    const error = await rejected(ORDER, 'createOrder', { input });
    expect(error.message).toBe(message);
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argument, constraint, expected, source: 'shop' });
  });

  test('minLength on a query parameter whose name the loader sanitized (q-name → q_name)', async () => {
    const error = await rejected('{ product(code: "aaa", q_name: "x") { ok } }', 'product');
    expect(error.message).toBe('Argument product.q_name must be at least 2 characters long (got "x").');
    expect(error.extensions).toMatchObject({ argument: 'product.q_name', constraint: 'minLength', expected: 2 });
  });

  test('maxItems and item minimum on a list argument, by the public field name (getUsersByIds → users)', async () => {
    expect((await rejected('{ users(ids: [1, 2, 3, 4]) { ok } }', 'users')).extensions).toMatchObject({ argument: 'users.ids', constraint: 'maxItems', expected: 3 });
    expect((await rejected('{ users(ids: [1, 0]) { ok } }', 'users')).message).toBe('Argument users.ids[1] must be at least 1 (got 0).');
  });

  test('OpenAPI 3.1 numeric exclusiveMinimum / exclusiveMaximum', async () => {
    const above = await rejected('{ scores(above: 0) }', 'scores');
    expect(above.message).toBe('Argument scores.above must be greater than 0 (got 0).');
    expect(above.extensions).toMatchObject({ constraint: 'exclusiveMinimum', expected: 0, source: 'v31' });
    const below = await rejected('{ scores(below: 10) }', 'scores');
    expect(below.extensions).toMatchObject({ argument: 'scores.below', constraint: 'exclusiveMaximum', expected: 10 });
  });

  test('a string enum stays a GraphQL enum: an unknown value fails validation and reaches no upstream', async () => {
    const { status, body } = await query('mutation { createOrder(input: { quantity: 1, priority: urgent }) { ok } }');
    expect(status).toBe(200); // yoga's answer to an `application/json` client; graphql-response+json gets 400
    expect(body.data).toBeUndefined();
    expect(body.errors).toMatchObject([{ message: 'Value "urgent" does not exist in "OrderInputPriority" enum.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }]);
    expect(upstream.requests).toEqual([]);
  });
});

test('a valid input passes every constraint and reaches the upstream as the client wrote it', async () => {
  const input = {
    quantity: 100,
    discount: 49.99,
    couponCode: 'ABC-1234',
    note: 'leave at the door',
    tags: ['gift', 'fast'],
    email: 'ann@example.com',
    requestId: '123e4567-e89b-12d3-a456-426614174000',
    deliverBy: '2024-02-29T10:00:00+02:00',
    callback: 'https://hooks.example.com/orders',
    priority: 'high_priority',
    items: [{ sku: 'bolt', qty: 3 }],
  };
  const { body } = await query(ORDER, { input });
  expect(body).toEqual({ data: { createOrder: { ok: true } } });
  expect(upstream.requests.map((r) => [r.method, r.url])).toEqual([['POST', '/orders']]);
  // Spec names and values: the date-time keeps its offset (no Date round trip), the enum its spec value.
  expect(JSON.parse(upstream.requests[0].body)).toEqual({
    quantity: 100,
    discount: 49.99,
    coupon_code: 'ABC-1234',
    note: 'leave at the door',
    tags: ['gift', 'fast'],
    email: 'ann@example.com',
    request_id: '123e4567-e89b-12d3-a456-426614174000',
    deliver_by: '2024-02-29T10:00:00+02:00',
    callback: 'https://hooks.example.com/orders',
    priority: 'high-priority',
    items: [{ sku: 'bolt', qty: 3 }],
  });
});

test('a rejected field leaves the other fields of the same response intact', async () => {
  const { status, body } = await query('{ ping { ok } product(code: "abc") { ok } users(ids: [1]) { ok } }');
  expect(status).toBe(200);
  expect(body.data).toEqual({ ping: { ok: true }, product: null, users: [{ ok: true }] });
  expect(body.errors).toEqual([
    {
      message: 'Argument product.code must match the pattern ^(a+)+$ (got "abc").',
      locations: [{ line: 1, column: 15 }],
      path: ['product'],
      extensions: { code: 'BAD_USER_INPUT', argument: 'product.code', constraint: 'pattern', expected: '^(a+)+$', source: 'shop' },
    },
  ]);
  expect(upstream.requests.map((r) => r.url)).toEqual(['/ping', '/users/by-ids?ids=1']);
});

test('a pattern that backtracks catastrophically in JavaScript answers at once on RE2, without echoing the long value', async () => {
  // On JavaScript's RegExp, /^(a+)+$/.test('a'.repeat(40) + '!') tries about 2^40 ways to split the
  // a's before failing: minutes of one core per request. (Not run here, for that reason.) RE2 runs
  // in time linear in the input, so the answer below comes back like any other.
  const value = `${'a'.repeat(40)}!`;
  const error = await rejected('query($code: String!) { product(code: $code) { ok } }', 'product', { code: value });
  expect(error.message).toBe('Argument product.code must match the pattern ^(a+)+$ (got a string of 41 characters starting "aaaaaaaaaaaa"…).');
  expect(error.message).not.toContain(value);
  // A megabyte long value is described by its length, never echoed.
  const huge = await rejected('query($code: String!) { product(code: $code) { ok } }', 'product', { code: `${'a'.repeat(1_000_000)}!` });
  expect(huge.message.length).toBeLessThan(200);
  expect(huge.message).toContain('a string of 1000001 characters');
});

test('a pattern RE2 cannot run is a composition warning naming source, place and pattern, and is not enforced', async () => {
  expect(warnings.map(formatWarning)).toContainEqual(
    'source "shop" #/paths/~1products~1{code}/get/parameters/3/schema/pattern: pattern "^(\\\\w)\\\\1$" is not enforced: the linear-time regex engine (RE2) cannot run it (error parsing regexp: invalid escape sequence: `\\1`)',
  );
  const { body } = await query('{ product(code: "aa", ref: "xy") { ok } }');
  expect(body).toEqual({ data: { product: { ok: true } } });
  expect(upstream.requests.map((r) => r.url)).toEqual(['/products/aa?ref=xy']);
});

test('the public schema: lossy and regex scalars become base types on inputs, exact format scalars stay', async () => {
  const { body } = await query(`{
    order: __type(name: "OrderInput") { inputFields { name type { name kind ofType { name } } } }
    positive: __type(name: "PositiveInt") { name }
    nonNegative: __type(name: "NonNegativeFloat") { name }
    query: __type(name: "Query") { fields { name args { name type { name ofType { name ofType { name } } } } } }
  }`);
  const types = Object.fromEntries(
    (body.data!.order as { inputFields: Array<{ name: string; type: { name: string | null; ofType: { name: string } | null } }> }).inputFields.map((f) => [f.name, f.type.name ?? `${f.type.ofType?.name}`]),
  );
  // discount (minimum 0) was NonNegativeFloat, LineInput.qty (minimum 1) PositiveInt; neither is published any more.
  expect(body.data!.positive).toBeNull();
  expect(body.data!.nonNegative).toBeNull();
  expect(types).toMatchObject({ discount: 'Float', quantity: 'Int', couponCode: 'String', note: 'String', email: 'EmailAddress', callback: 'URL', requestId: 'UUID', deliverBy: 'DateTime', priority: 'OrderInputPriority' });
  const product = (body.data!.query as { fields: Array<{ name: string; args: Array<{ name: string; type: { name: string | null; ofType: { name: string } | null } }> }> }).fields.find((f) => f.name === 'product')!;
  expect(product.args.map((a) => [a.name, a.type.name ?? a.type.ofType?.name])).toEqual([
    ['code', 'String'], // was a @regexp scalar checked with JavaScript's RegExp
    ['q_name', 'String'], // was a @length scalar
    ['since', 'DateTime'],
    ['ref', 'String'],
  ]);
});
