import { join } from 'node:path';
import { parseConfig } from '../../gateway/config/load';
import { loadTrustedDocuments, TrustedDocumentsError } from '../../gateway/trusted-documents/manifest';
import { ORDERS, PRODUCTS, USER, sha256, writeManifests, type Manifests } from './support';

describe('manifests', () => {
  let manifests: Manifests;
  beforeEach(async () => {
    manifests = await writeManifests();
  });
  afterEach(() => manifests.remove());

  test('each format gives its documents, ids as bare lower-case hex, named by file and entry', async () => {
    const documents = await loadTrustedDocuments([manifests.codegen, manifests.apollo, manifests.folder], manifests.dir);
    expect(documents).toEqual([
      { id: sha256(PRODUCTS), body: PRODUCTS, source: `persisted-documents.json#${sha256(PRODUCTS)}` },
      { id: sha256(USER), body: USER, source: `apollo-manifest.json#${sha256(USER)}` },
      { id: sha256(ORDERS), body: ORDERS, source: 'documents/orders/order-statuses.graphql' },
    ]);
  });

  test('sha256:-prefixed and upper-case ids are the same document; other ids are kept as written', async () => {
    const file = await manifests.write('mixed.json', JSON.stringify({ [`sha256:${sha256(PRODUCTS).toUpperCase()}`]: PRODUCTS, 'relay-42': USER }));
    expect((await loadTrustedDocuments([file])).map((document) => document.id)).toEqual([sha256(PRODUCTS), 'relay-42']);
  });

  test.each([
    ['codegen', (hash: string) => ({ [hash]: ORDERS })],
    ['Apollo', (hash: string) => ({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: hash, name: 'X', type: 'query', body: ORDERS }] })],
  ])('%s manifest whose id is not the SHA-256 of its document: a load error naming the file and entry', async (_format, manifest) => {
    const file = await manifests.write('tampered.json', JSON.stringify(manifest(sha256(PRODUCTS))));
    await expect(loadTrustedDocuments([file], manifests.dir)).rejects.toThrow(
      new TrustedDocumentsError(`tampered.json#${sha256(PRODUCTS)}: the id is not the SHA-256 of its document (which is ${sha256(ORDERS)}); regenerate the manifest from the documents`),
    );
  });

  test('clear load errors: missing path, empty folder, not JSON, not a document, a wrong format, one id for two documents', async () => {
    const load = (file: string) => loadTrustedDocuments([file], manifests.dir);
    await expect(load(join(manifests.dir, 'nope.json'))).rejects.toThrow(/trusted documents manifest ".*nope\.json" does not exist \(trustedDocuments\.manifests\)/);
    await manifests.write('empty/readme.txt', 'no documents here');
    await expect(load(join(manifests.dir, 'empty'))).rejects.toThrow(/no \.graphql or \.gql files in ".*empty"/);
    await expect(load(await manifests.write('bad.json', '{'))).rejects.toThrow(/^bad\.json: not JSON: /);
    await expect(load(await manifests.write('broken.json', JSON.stringify({ x: 'query {' })))).rejects.toThrow(/^broken\.json#x: not a GraphQL document: Syntax Error/);
    await expect(load(await manifests.write('broken.graphql', 'query {'))).rejects.toThrow(/^broken\.graphql: not a GraphQL document: Syntax Error/);
    await expect(load(await manifests.write('number.json', JSON.stringify({ x: 1 })))).rejects.toThrow('number.json#x: expected the document as a string, found number');
    await expect(load(await manifests.write('v2.json', JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 2, operations: [] })))).rejects.toThrow(
      'v2.json: expected format "apollo-persisted-query-manifest", version 1 and an "operations" array, found format "apollo-persisted-query-manifest", version 2',
    );
    const twice = await manifests.write('twice.json', JSON.stringify({ 'id-1': PRODUCTS }));
    const again = await manifests.write('again.json', JSON.stringify({ 'id-1': ORDERS }));
    await expect(loadTrustedDocuments([twice, again], manifests.dir)).rejects.toThrow('again.json#id-1: id id-1 is also twice.json#id-1, with another document; an id names one document');
  });

  test('the same document in two manifests is one document', async () => {
    const copy = await manifests.write('copy.json', JSON.stringify({ [sha256(ORDERS)]: ORDERS }));
    expect(await loadTrustedDocuments([manifests.folder, copy], manifests.dir)).toEqual([{ id: sha256(ORDERS), body: ORDERS, source: 'documents/orders/order-statuses.graphql' }]);
  });
});

describe('trustedDocuments config', () => {
  const FILE = '/srv/gw/tessera.config.yaml';
  const config = (profile: string, trusted: string) =>
    parseConfig(`profile: ${profile}\nsources: [{ name: users, spec: users.yaml, url: "http://127.0.0.1:1" }]\n${trusted}`, FILE, { env: {} }).config.trustedDocuments;

  test('`only` is on by default in production when manifests are given, off otherwise; paths resolve against the config file', () => {
    expect(config('production', 'trustedDocuments: { manifests: [docs/manifest.json] }')).toEqual({ manifests: ['/srv/gw/docs/manifest.json'], only: true, allowAdmins: true });
    expect(config('production', '')).toMatchObject({ manifests: [], only: false });
    expect(config('development', 'trustedDocuments: { manifests: [docs] }')).toMatchObject({ only: false });
    expect(config('production', 'trustedDocuments: { manifests: [docs], only: false }')).toMatchObject({ only: false });
    expect(config('development', 'trustedDocuments: { only: true }')).toMatchObject({ only: true });
  });

  test('a bad value fails at its path', () => {
    expect(() => config('development', 'trustedDocuments: { only: "yes" }')).toThrow(/trustedDocuments\.only.*expected boolean.*found "yes"/s);
    expect(() => config('development', 'trustedDocuments: { manifest: [x] }')).toThrow(/trustedDocuments\.manifest.*did you mean "manifests"/s);
  });
});
