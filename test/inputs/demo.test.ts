/**
 * The demo's own specs (sources/) through the demo gateway over real HTTP: their constraints are
 * enforced before the orders service is called, counted by the services' own request counters;
 * and the services reject the same bad input themselves when called directly.
 */
import { startDemoGateway, type RunningGateway } from '../support/harness';
import { asUser } from '../support/identity';
import { EXAMPLE_TABS } from '../../gateway/server/example-queries';

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startDemoGateway();
});
afterAll(() => gw.close());
beforeEach(() => gw.resetUpstreamCalls());

test('createOrder: a quantity over the spec maximum is rejected by the gateway; the service is never called', async () => {
  const { body } = await gw.query('mutation { createOrder(input: { userId: "3", productId: "4", quantity: 101 }) { id } }', undefined, await asUser('3', ['customer']));
  expect(body).toEqual({
    data: { createOrder: null },
    errors: [
      {
        message: 'Argument createOrder.input.quantity must be at most 100 (got 101).',
        locations: [{ line: 1, column: 12 }],
        path: ['createOrder'],
        extensions: { code: 'BAD_USER_INPUT', argument: 'createOrder.input.quantity', constraint: 'maximum', expected: 100, source: 'orders' },
      },
    ],
  });
  expect(gw.upstreamCalls().total).toBe(0);
});

test('createOrder: a note over maxLength or with a line break (pattern) is rejected without echoing it', async () => {
  const customer = await asUser('3', ['customer']);
  const order = 'mutation($note: String) { createOrder(input: { userId: "3", productId: "4", quantity: 1, note: $note }) { id note } }';
  const long = await gw.query(order, { note: 'x'.repeat(5000) }, customer);
  expect(long.body.errors?.[0].message).toBe('Argument createOrder.input.note must be at most 200 characters long (got a string of 5000 characters starting "xxxxxxxxxxxx"…).');
  const twoLines = await gw.query(order, { note: 'ring twice\nthen leave it' }, customer);
  expect(twoLines.body.errors?.[0].extensions).toMatchObject({ argument: 'createOrder.input.note', constraint: 'pattern' });
  expect(gw.upstreamCalls().total).toBe(0);
  const fine = await gw.query<{ createOrder: { note: string } }>(order, { note: 'ring twice' }, customer);
  expect(fine.body.errors).toBeUndefined();
  expect(fine.body.data!.createOrder.note).toBe('ring twice');
  expect(gw.upstreamCalls().orders).toBe(1);
});

test('orders: limit over 200, a malformed placedAfter and an unknown status are rejected before any call', async () => {
  const tooMany = await gw.query('{ orders(limit: 500) { id } }');
  expect(tooMany.body.errors?.[0]).toMatchObject({ message: 'Argument orders.limit must be at most 200 (got 500).', extensions: { constraint: 'maximum' } });
  const badDate = await gw.query('{ orders(placedAfter: "last tuesday") { id } }');
  expect(badDate.body.errors?.[0].extensions).toMatchObject({ argument: 'orders.placedAfter', constraint: 'format', expected: 'date-time' });
  const badStatus = await gw.query('{ orders(status: lost) { id } }');
  expect(badStatus.body.errors?.[0].message).toBe('Value "lost" does not exist in "OrderStatus" enum.');
  expect(gw.upstreamCalls().total).toBe(0);
});

test('an id that is not an integer is named like a spec constraint: public path, constraint, source; no call', async () => {
  const { body } = await gw.query('{ user(id: "abc") { name } }');
  expect(body.errors).toEqual([
    expect.objectContaining({
      message: 'Argument user.id must be an integer id (got "abc").',
      extensions: { code: 'BAD_USER_INPUT', argument: 'user.id', constraint: 'type', expected: 'integer', source: 'users' },
    }),
  ]);
  const inInput = await gw.query('mutation { createOrder(input: { userId: "three", productId: "4", quantity: 1 }) { id } }', undefined, await asUser('ops', ['admin']));
  expect(inInput.body.errors?.[0].extensions).toMatchObject({ argument: 'createOrder.input.userId', constraint: 'type' });
  expect(gw.upstreamCalls().total).toBe(0);
});

test('orders: valid status and placedAfter filters reach the service and filter', async () => {
  const { body } = await gw.query<{ orders: Array<{ status: string; createdAt: string }> }>(
    '{ orders(status: shipped, placedAfter: "2024-06-01T00:00:00+02:00", limit: 50) { status createdAt } }',
  );
  expect(body.errors).toBeUndefined();
  expect(body.data!.orders.length).toBeGreaterThan(0);
  for (const order of body.data!.orders) {
    expect(order.status).toBe('shipped');
    expect(Date.parse(order.createdAt)).toBeGreaterThan(Date.parse('2024-06-01T00:00:00+02:00'));
  }
  expect(gw.upstreamCalls().orders).toBe(1);
});

// createOrder's note is checked by the service too: test/sources/services.test.ts.
test('the orders service rejects the same bad query parameters itself (defence in depth)', async () => {
  const orders = gw.services.orders.url;
  for (const query of ['placedAfter=last%20tuesday', 'status=lost', 'limit=500']) {
    const response = await fetch(`${orders}/orders?${query}`);
    expect(response.status).toBe(400);
  }
});

test("GraphiQL's example tabs comply with the specs' constraints", async () => {
  const admin = await asUser('1', ['admin']);
  for (const { query } of EXAMPLE_TABS) {
    const { body } = await gw.query(query, undefined, admin);
    expect((body.errors ?? []).map((e) => e.extensions?.code).filter((code) => code !== 'NOT_FOUND')).toEqual([]); // PartialFailure's unknown user is meant
  }
});
