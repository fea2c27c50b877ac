import { startDemoGateway, type RunningGateway } from '../support/harness';
import { asUser } from '../support/identity';
import { until } from '../support/until';
import { ORDERS, PRODUCTS, USER, apq, capturedLogger, post, sha256, withTrustedDocuments, writeManifests, type Manifests } from './support';

const INTROSPECTION = '{ __schema { queryType { name } } }';

describe('trusted documents, development (arbitrary queries allowed)', () => {
  let manifests: Manifests;
  let gw: RunningGateway;
  beforeAll(async () => {
    manifests = await writeManifests();
    gw = await startDemoGateway({ configure: withTrustedDocuments([manifests.codegen, manifests.apollo, manifests.folder]) });
  });
  afterAll(async () => {
    await gw?.close();
    await manifests?.remove();
  });

  test.each([
    ['graphql-codegen persisted-documents.json', PRODUCTS, {}],
    ['Apollo persisted query manifest', USER, { id: '1' }],
    ['folder of .graphql files', ORDERS, {}],
  ])('%s: served by documentId (bare and sha256: prefixed) and by APQ hash, as if the query were sent', async (_format, document, variables) => {
    const expected = await gw.query(document, variables);
    expect(expected.status).toBe(200);
    expect(expected.body.errors).toBeUndefined();
    const hash = sha256(document);
    for (const body of [{ documentId: hash }, { documentId: `sha256:${hash}` }, { extensions: apq(hash) }]) {
      gw.resetUpstreamCalls();
      expect(await post(gw.url, { ...body, variables })).toEqual({ status: 200, body: expected.body });
      expect(gw.upstreamCalls().total).toBe(1);
    }
  });

  test('GET with documentId in the query string', async () => {
    const response = await fetch(`${gw.url}?documentId=${sha256(PRODUCTS)}`, { headers: { accept: 'application/graphql-response+json' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual((await gw.query(PRODUCTS)).body);
  });

  test('an unknown id: 404 PersistedQueryNotFound (what APQ clients retry on), nothing executed', async () => {
    const unknown = sha256('query Unknown { products { id } }');
    gw.resetUpstreamCalls();
    for (const body of [{ documentId: unknown }, { extensions: apq(unknown) }]) {
      const { status, body: answer } = await post(gw.url, body);
      expect(status).toBe(404);
      expect(answer.data).toBeUndefined();
      expect(answer.errors).toEqual([
        {
          message: 'PersistedQueryNotFound',
          extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', documentId: unknown, reason: expect.stringContaining('trustedDocuments.manifests') },
        },
      ]);
    }
    expect(gw.upstreamCalls().total).toBe(0);
  });

  test('a query with an APQ hash runs as sent and is not registered (the hash alone stays unknown)', async () => {
    const query = 'query NotTrusted { products(limit: 1) { id } }';
    const sent = await post(gw.url, { query, extensions: apq(sha256(query)) });
    expect(sent.status).toBe(200);
    expect(sent.body.data).toEqual({ products: [{ id: expect.any(String) }] });
    expect(await post(gw.url, { extensions: apq(sha256(query)) })).toMatchObject({ status: 404, body: { errors: [{ message: 'PersistedQueryNotFound' }] } });
  });

  test('a query sent with a documentId runs the query (the id is ignored, not refused as an unknown parameter)', async () => {
    const sent = await post(gw.url, { query: 'query Mine { products(limit: 1) { title } }', documentId: sha256(ORDERS) });
    expect(sent).toEqual({ status: 200, body: { data: { products: [{ title: expect.any(String) }] } } });
  });

  test('a batch of ids: each document runs, in order', async () => {
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify([{ documentId: sha256(ORDERS) }, { extensions: apq(sha256(USER)), variables: { id: '2' } }]),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([(await gw.query(ORDERS)).body, (await gw.query(USER, { id: '2' })).body]);
  });

  test('neither a query nor an id: 400 saying what to send', async () => {
    expect(await post(gw.url, { variables: {} })).toEqual({
      status: 400,
      body: { errors: [{ message: 'Must provide a query, a documentId or extensions.persistedQuery.sha256Hash.', extensions: { code: 'BAD_REQUEST' } }] },
    });
  });
});

describe('trusted documents only (the production default when manifests are given)', () => {
  let manifests: Manifests;
  let gw: RunningGateway;
  beforeAll(async () => {
    manifests = await writeManifests();
    gw = await startDemoGateway({ configure: withTrustedDocuments([manifests.codegen, manifests.apollo, manifests.folder], { only: true }) });
  });
  afterAll(async () => {
    await gw?.close();
    await manifests?.remove();
  });
  const ARBITRARY = 'query Arbitrary { products(limit: 1) { id } }';

  test('trusted documents are served to anyone, by either convention', async () => {
    const anonymous = await post(gw.url, { documentId: sha256(PRODUCTS) });
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.data?.products).toHaveLength(2);
    expect(await post(gw.url, { extensions: apq(sha256(USER)), variables: { id: '1' } })).toEqual({ status: 200, body: { data: { user: { name: expect.any(String) } } } });
  });

  test('an arbitrary query: 403 PERSISTED_QUERY_ONLY for anonymous and customer callers, nothing executed', async () => {
    gw.resetUpstreamCalls();
    for (const headers of [{}, await asUser('3', ['customer'])]) {
      const { status, body } = await post(gw.url, { query: ARBITRARY }, headers);
      expect(status).toBe(403);
      expect(body.data).toBeUndefined();
      expect(body.errors).toEqual([{ message: expect.stringMatching(/^This query is not accepted: only trusted documents are served here\. Send the id of a trusted document/), extensions: { code: 'PERSISTED_QUERY_ONLY' } }]);
      expect(body.errors?.[0].message).toContain('tessera documents manifest <dir>');
    }
    expect(gw.upstreamCalls().total).toBe(0);
  });

  test('an admin token may send any query', async () => {
    const admin = await post(gw.url, { query: ARBITRARY }, await asUser('1', ['admin']));
    expect(admin).toEqual({ status: 200, body: { data: { products: [{ id: expect.any(String) }] } } });
  });

  test('a bad token is told so (401), not refused as an untrusted query', async () => {
    const { status, body } = await post(gw.url, { query: ARBITRARY }, { authorization: 'Bearer not-a-token' });
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  test('APQ registration (query + hash) is refused, and the hash stays unknown', async () => {
    const hash = sha256(ARBITRARY);
    const { status, body } = await post(gw.url, { query: ARBITRARY, extensions: apq(hash) });
    expect(status).toBe(403);
    expect(body.errors).toEqual([{ message: expect.stringMatching(/^Registering a persisted query is not accepted: only trusted documents/), extensions: { code: 'PERSISTED_QUERY_ONLY' } }]);
    expect(await post(gw.url, { extensions: apq(hash) })).toMatchObject({ status: 404, body: { errors: [{ extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] } });
  });

  test('neither a query nor an id: 400 asking for an id', async () => {
    expect(await post(gw.url, {})).toMatchObject({ status: 400, body: { errors: [{ message: 'Must provide a documentId or extensions.persistedQuery.sha256Hash.' }] } });
  });

  test('GraphiQL: the page loads, and its queries (introspection first) run with an admin token only', async () => {
    const page = await fetch(gw.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Tessera</title>');
    expect(await post(gw.url, { query: INTROSPECTION }, await asUser('1', ['admin']))).toEqual({ status: 200, body: { data: { __schema: { queryType: { name: 'Query' } } } } });
    expect(await post(gw.url, { query: INTROSPECTION })).toMatchObject({ status: 403, body: { errors: [{ extensions: { code: 'PERSISTED_QUERY_ONLY' } }] } });
  });
});

test('allowAdmins: false refuses arbitrary queries from admins too', async () => {
  const manifests = await writeManifests();
  const gw = await startDemoGateway({ configure: withTrustedDocuments([manifests.codegen], { only: true, allowAdmins: false }) });
  try {
    expect(await post(gw.url, { query: INTROSPECTION }, await asUser('1', ['admin']))).toMatchObject({ status: 403, body: { errors: [{ extensions: { code: 'PERSISTED_QUERY_ONLY' } }] } });
    expect((await post(gw.url, { documentId: sha256(PRODUCTS) })).status).toBe(200);
  } finally {
    await gw.close();
    await manifests.remove();
  }
});

test('manifests are read again on reload; a broken one fails the reload and the last good documents stay', async () => {
  const manifests = await writeManifests();
  const { logger, lines: logged } = capturedLogger('warn');
  const gw = await startDemoGateway({ configure: withTrustedDocuments([manifests.codegen], { only: true }), logger });
  try {
    expect((await post(gw.url, { documentId: sha256(PRODUCTS) })).status).toBe(200);
    expect((await post(gw.url, { documentId: sha256(ORDERS) })).status).toBe(404);

    await manifests.write('persisted-documents.json', JSON.stringify({ [sha256(ORDERS)]: ORDERS }));
    await gw.gateway.reload('test');
    expect((await post(gw.url, { documentId: sha256(ORDERS) })).status).toBe(200);
    expect((await post(gw.url, { documentId: sha256(PRODUCTS) })).status).toBe(404);

    await manifests.write('persisted-documents.json', JSON.stringify({ [sha256(PRODUCTS)]: ORDERS }));
    await gw.gateway.reload('test');
    expect(logged.find((line) => line.level === 50)?.msg).toMatch(/schema reload \(.*\) failed.*persisted-documents\.json#[0-9a-f]{64}: the id is not the SHA-256 of its document/);
    expect((await post(gw.url, { documentId: sha256(ORDERS) })).status).toBe(200);
  } finally {
    await gw.close();
    await manifests.remove();
  }
});

test('a trusted document that no longer validates is logged at start, naming it and why; its clients get the validation error', async () => {
  const manifests = await writeManifests();
  const stale = 'query Stale {\n  products(limit: 1) { id sku }\n}\n';
  await manifests.write('stale.json', JSON.stringify({ [sha256(stale)]: stale }));
  const { logger, lines: logged } = capturedLogger('warn');
  const gw = await startDemoGateway({ configure: withTrustedDocuments([manifests.codegen, `${manifests.dir}/stale.json`]), logger });
  try {
    const warnings = logged.filter((line) => typeof line.msg === 'string' && line.msg.startsWith('trusted document'));
    expect(warnings).toEqual([
      expect.objectContaining({
        level: 40,
        documentId: sha256(stale),
        msg: expect.stringMatching(new RegExp(`^trusted document .*stale\\.json#${sha256(stale)} does not validate against the schema: Cannot query field "sku" on type "Product"\\.`)),
      }),
    ]);
    const { status, body } = await post(gw.url, { documentId: sha256(stale) });
    expect(status).toBe(400);
    expect(body.errors?.[0].message).toContain('Cannot query field "sku" on type "Product".');
    // Recomposing (a reload, or every poll while a source stays down) does not say it again.
    await gw.gateway.reload('test');
    expect(logged.filter((line) => typeof line.msg === 'string' && line.msg.startsWith('trusted document'))).toHaveLength(1);
  } finally {
    await gw.close();
    await manifests.remove();
  }
});

test('start-up says how many trusted documents are served; the request log line names the document id the client sent', async () => {
  const manifests = await writeManifests();
  const { logger, lines } = capturedLogger('info');
  const gw = await startDemoGateway({ configure: withTrustedDocuments([manifests.codegen]), logger });
  try {
    expect(lines.filter((line) => String(line.msg).startsWith('trusted documents:'))).toEqual([
      expect.objectContaining({ level: 30, trustedDocuments: 1, only: false, msg: 'trusted documents: 1, only trusted documents accepted: no' }),
    ]);
    await post(gw.url, { documentId: `sha256:${sha256(PRODUCTS)}` });
    await post(gw.url, { query: PRODUCTS });
    expect(lines.filter((line) => line.msg === 'graphql request').map(({ operation, documentId, status }) => ({ operation, documentId, status }))).toEqual([
      { operation: 'ProductTitles', documentId: `sha256:${sha256(PRODUCTS)}`, status: 200 },
      { operation: 'ProductTitles', documentId: undefined, status: 200 },
    ]);
  } finally {
    await gw.close();
    await manifests.remove();
  }
});

test('an edited manifest file is picked up without a SIGHUP (files are watched, like specs)', async () => {
  const manifests = await writeManifests();
  const gw = await startDemoGateway({ configure: withTrustedDocuments([manifests.codegen]) });
  try {
    expect((await post(gw.url, { documentId: sha256(ORDERS) })).status).toBe(404);
    await manifests.write('persisted-documents.json', JSON.stringify({ [sha256(PRODUCTS)]: PRODUCTS, [sha256(ORDERS)]: ORDERS }));
    expect(await until(async () => (await post(gw.url, { documentId: sha256(ORDERS) })).status === 200)).toBe(true);
  } finally {
    await gw.close();
    await manifests.remove();
  }
});
