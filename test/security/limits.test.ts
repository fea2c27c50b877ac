import { startDemoGateway, type RunningGateway } from '../support/harness';
import { anonymous, asUser } from '../support/identity';

const NORMAL = '{ orders(limit: 3) { id customer { name } } }';

describe('operation limits: each refusal is HTTP 400 naming the limit and the value found', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startDemoGateway();
  });
  afterAll(() => gw.close());

  async function post(body: unknown, accept = 'application/json') {
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } };
  }

  async function expectLimit(body: unknown, limit: string, message: RegExp) {
    const result = await post(body);
    expect(result.status).toBe(400);
    const error = result.body.errors?.find((e) => e.extensions?.code === 'OPERATION_LIMIT');
    expect(error).toBeDefined();
    expect(error!.message).toMatch(message);
    expect(error!.extensions).toMatchObject({ limit, max: expect.any(Number), found: expect.any(Number) });
    // The gateway is still fine: the next normal query answers.
    const next = await gw.query(NORMAL);
    expect(next.status).toBe(200);
    expect(next.body.errors).toBeUndefined();
    return error!;
  }

  test('a depth bomb (User.orders.customer.orders… 40 levels)', async () => {
    let selection = 'name';
    for (let i = 0; i < 20; i++) selection = `orders { customer { ${selection} } }`;
    const error = await expectLimit({ query: `{ user(id: "1") { ${selection} } }` }, 'maxDepth', /^Depth limit of 12 exceeded, found 4\d \(limits\.maxDepth\)\.$/);
    expect(error.extensions?.found).toBe(42);
  });

  test('an alias bomb of 10,000 fields is stopped by the size limit before it is parsed', async () => {
    const fields = Array.from({ length: 10_000 }, (_, i) => `a${i}: products(limit: 1) { title }`).join(' ');
    await expectLimit({ query: `{ ${fields} }` }, 'maxQueryBytes', /^Query size \(bytes\) limit of 100000 exceeded, found 358893/);
  });

  test('a compact bomb under the size limit is stopped by the token limit while parsing', async () => {
    const fields = Array.from({ length: 3_000 }, (_, i) => `a${i}:__typename`).join(' ');
    await expectLimit({ query: `{ ${fields} }` }, 'maxTokens', /^Token limit of 5000 exceeded, found 5001 \(limits\.maxTokens\)\.$/);
    // Counts are remembered per document: the same bomb sent again is refused just the same.
    await expectLimit({ query: `{ ${fields} }` }, 'maxTokens', /^Token limit of 5000 exceeded, found 5001 \(limits\.maxTokens\)\.$/);
  });

  test('aliases over the limit (a small bomb that passes the token limit)', async () => {
    const fields = Array.from({ length: 40 }, (_, i) => `a${i}: products(limit: 1) { id }`).join(' ');
    await expectLimit({ query: `{ ${fields} }` }, 'maxAliases', /^Alias limit of 30 exceeded, found 40 \(limits\.maxAliases\)\.$/);
  });

  test('aliases of __typename count as aliases too (a response of thousands of fields otherwise)', async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: __typename`).join(' ');
    await expectLimit({ query: `{ ${aliases} }` }, 'maxAliases', /^Alias limit of 30 exceeded, found 40/);
    const plain = await post({ query: '{ __typename orders(limit: 1) { __typename id } }' }); // what clients add: no alias
    expect(plain.status).toBe(200);
    expect(plain.body.errors).toBeUndefined();
  });

  test('a GET whose variables (or extensions) are not JSON: 400 naming the parameter, the gateway unharmed', async () => {
    for (const name of ['variables', 'extensions']) {
      const response = await fetch(`${gw.url}?query=${encodeURIComponent('{ __typename }')}&${name}=%7Bbad`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect(body.errors[0].message).toContain(`GET parameter "${name}" is not valid JSON`);
      expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
    }
    const good = await fetch(`${gw.url}?query=${encodeURIComponent('query ($id: ID!) { user(id: $id) { name } }')}&variables=${encodeURIComponent('{"id":"1"}')}`);
    expect(good.status).toBe(200);
    expect(((await good.json()) as { data: { user: { name: string } } }).data.user.name).toEqual(expect.any(String));
  });

  test('a variable that does not fit its type: BAD_USER_INPUT naming the variable (graphql-js gives no code)', async () => {
    const result = await post({ query: 'query ($l: Int) { orders(limit: $l) { id } }', variables: { l: 'abc' } });
    expect(result.body.errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('Variable "$l" got invalid value "abc"'), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    ]);
  });

  test('an operationName the document lacks, or two operations and none named: 400 naming the operations it has', async () => {
    const twoOperations = 'query A { products(limit: 1) { id } } query B { orders(limit: 1) { id } }';
    const unknown = await post({ query: twoOperations, operationName: 'Nope' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]).toMatchObject({ message: 'Unknown operation named "Nope": the document defines "A", "B"', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } });
    const unnamed = await post({ query: twoOperations });
    expect(unnamed.body.errors?.[0].message).toBe('The document has 2 operations ("A", "B"): send operationName to choose one');
    const chosen = await post({ query: twoOperations, operationName: 'B' });
    expect(chosen.status).toBe(200);
    expect(chosen.body.errors).toBeUndefined();
    const broken = await post({ query: '{ products(limit: 1) { id }', operationName: 'X' }); // the parser's error, with its location
    expect(broken.body.errors?.[0].message).toMatch(/^Syntax Error/);
  });

  test('directives over the limit', async () => {
    const directives = Array.from({ length: 60 }, () => '@include(if: true)').join(' ');
    await expectLimit({ query: `{ products(limit: 1) { id ${directives} } }` }, 'maxDirectives', /^Directive limit of 50 exceeded, found 60/);
  });

  test('a fragment cycle is refused by validation (400) and does not hang any limit', async () => {
    const cycle = 'query { user(id: "1") { ...A } } fragment A on User { orders { customer { ...B } } } fragment B on User { ...A }';
    const result = await post({ query: cycle }, 'application/graphql-response+json');
    expect(result.status).toBe(400);
    expect(result.body.errors?.map((e) => e.message).join('\n')).toMatch(/Cannot spread fragment "A" within itself via "B"/);
    expect((await gw.query(NORMAL)).status).toBe(200);
  });

  test('a 1 MB query', async () => {
    const query = `{ __typename ${' '.repeat(1024 * 1024)} }`;
    await expectLimit({ query }, 'maxQueryBytes', /^Query size \(bytes\) limit of 100000 exceeded, found 10485\d\d \(limits\.maxQueryBytes\)\.$/);
  });

  test('a batch of 1,000 operations', async () => {
    const batch = Array.from({ length: 1000 }, () => ({ query: '{ __typename }' }));
    await expectLimit(batch, 'maxBatchOperations', /^Batched operations limit of 10 exceeded, found 1000 \(limits\.maxBatchOperations\)\.$/);
  });

  test('a batch within the limit is answered, one result per operation', async () => {
    const response = await post([{ query: '{ __typename }' }, { query: NORMAL }]);
    expect(response.status).toBe(200);
    expect(response.body).toHaveLength(2);
  });

  test('cost: list sizes multiply (limit from a variable), a list without a size counts the default size', async () => {
    const query = 'query ($n: Int) { orders(limit: $n) { id customer { orders { id product { reviews { rating } } } } } }';
    // 200 orders × (id + customer(orders: 20 default × (id + product(reviews: 20 × rating))))
    const result = await post({ query, variables: { n: 200 } });
    expect(result.status).toBe(400);
    expect(result.body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^Cost limit of 20000 exceeded, found \d+ \(limits\.maxCost\)\.$/),
      extensions: { code: 'OPERATION_LIMIT', limit: 'maxCost' },
    });
    const cheap = await post({ query, variables: { n: 2 } });
    expect(cheap.status).toBe(200);
  });

  test('cost: a document whose sizes are literals is priced the same each time it is sent, and apart from others', async () => {
    const selection = '{ id customer { orders { id product { reviews { rating } } } } }';
    for (let i = 0; i < 2; i++) expect((await post({ query: `{ orders(limit: 200) ${selection} }` })).status).toBe(400);
    for (let i = 0; i < 2; i++) expect((await post({ query: `{ orders(limit: 2) ${selection} }` })).status).toBe(200);
  });
});

describe('the production profile', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startDemoGateway({
      configure: (config) => ({ ...config, profile: 'production', server: { ...config.server, introspection: false, fieldSuggestions: false, csrfPrevention: true } }),
    });
  });
  afterAll(() => gw.close());

  test('introspection is refused', async () => {
    const { body } = await gw.query('{ __schema { queryType { name } } }');
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0].message).toMatch(/introspection/i);
  });

  test('with introspection "admins" (the profile\'s default), only an admin token maps the schema', async () => {
    const admins = await startDemoGateway({
      configure: (config) => ({ ...config, profile: 'production', server: { ...config.server, introspection: 'admins' } }),
    });
    try {
      const introspect = (headers: Record<string, string>) => admins.query('{ __schema { queryType { name } } }', undefined, headers);
      for (const headers of [anonymous, await asUser('1', ['customer'])]) {
        const { body } = await introspect(headers);
        expect(body.data).toBeUndefined();
        expect(body.errors?.[0].message).toMatch(/introspection/i);
      }
      const { body } = await introspect(await asUser('ops', ['admin']));
      expect(body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    } finally {
      await admins.close();
    }
  });

  test('auth.adminRole names the operators\' role: introspection and the cache purge follow it', async () => {
    const operators = await startDemoGateway({
      configure: (config) => ({
        ...config,
        profile: 'production',
        server: { ...config.server, introspection: 'admins' },
        auth: { ...config.auth, adminRole: 'operator' },
        cache: { ...config.cache, enabled: true },
      }),
    });
    try {
      const introspect = (headers: Record<string, string>) => operators.query('{ __schema { queryType { name } } }', undefined, headers);
      expect((await introspect(await asUser('ops', ['admin']))).body.data).toBeUndefined();
      expect((await introspect(await asUser('ops', ['operator']))).body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
      const purge = async (headers: Record<string, string>) =>
        (await fetch(`${operators.base}/_tessera/cache/purge`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' })).status;
      expect(await purge(await asUser('ops', ['admin']))).toBe(403);
      expect(await purge(await asUser('ops', ['operator']))).toBe(200);
    } finally {
      await operators.close();
    }
  });

  test('validation errors carry no "Did you mean" suggestions', async () => {
    const { body } = await gw.query('{ prodcts { title } }');
    expect(body.errors?.[0].message).not.toMatch(/Did you mean/);
    const demo = await startDemoGateway();
    try {
      expect((await demo.query('{ prodcts { title } }')).body.errors?.[0].message).toMatch(/Did you mean "products"/);
    } finally {
      await demo.close();
    }
  });

  test('a simple GET without the CSRF header is refused; with it, or as a JSON POST, it is served', async () => {
    const url = `${gw.url}?query=${encodeURIComponent('{ products(limit: 1) { title } }')}`;
    const bare = await fetch(url, { headers: { accept: 'application/json' } });
    expect(bare.status).toBe(403);
    const refusal = ((await bare.json()) as { errors: Array<{ message: string; extensions: { code: string } }> }).errors[0];
    expect(refusal.extensions.code).toBe('CSRF_HEADER_MISSING');
    expect(refusal.message).toContain('"x-graphql-csrf: 1"');
    const withHeader = await fetch(url, { headers: { accept: 'application/json', 'x-graphql-csrf': '1' } });
    expect(withHeader.status).toBe(200);
    expect((await gw.query('{ products(limit: 1) { title } }')).status).toBe(200);
  });
});
