/**
 * Regression tests, each named after the bug it pins (found in review).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { graphql } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { printComposedSchema } from '../../gateway/compose/print';
import { composeGateway, type ComposedGateway } from '../../gateway/compose/compose';
import { loadConfig } from '../../gateway/config/load';
import { sourceSchema, type SourceConfig, type SourceTransforms, type TesseraConfig } from '../../gateway/config/schema';
import { REPO_ROOT } from '../support/harness';
import { run, startCannedServer, type CannedServer } from './canned';

const THINGS_SDL = join(__dirname, '..', 'fixtures', 'sdl', 'things.graphql');

function thingsSource(url: string, transforms: SourceTransforms = { rename: { types: {}, fields: {} }, hide: [] }): SourceConfig {
  return sourceSchema.parse({ kind: 'graphql', name: 'things', url, sdl: THINGS_SDL, headers: {}, forwardHeaders: [], timeoutMs: 2_000, transforms });
}

function withSources(...sources: SourceConfig[]): TesseraConfig {
  const { config } = loadConfig(join(REPO_ROOT, 'tessera.config.yaml'), { env: {} });
  return { ...config, sources, links: {}, auth: { ...config.auth, rules: {} } };
}

describe('hides and renames reach interface and input fields (they were validated, then ignored)', () => {
  test('hiding an interface field and an input field removes both from the public schema', async () => {
    const composed = await composeGateway(
      withSources(thingsSource('http://127.0.0.1:9/graphql', { rename: { types: {}, fields: {} }, hide: ['Node.secret_note', 'Thing.secret_note', 'ThingFilter.internal'] })),
    );
    const sdl = printComposedSchema(composed.schema);
    await composed.close();
    expect(sdl).not.toContain('secret_note');
    expect(sdl).not.toMatch(/\binternal:/);
    expect(sdl).toContain('name_like');
  });

  test('hiding an implementation field the interface requires is a start-up error naming the hide', async () => {
    await expect(
      composeGateway(withSources(thingsSource('http://127.0.0.1:9/graphql', { rename: { types: {}, fields: {} }, hide: ['Thing.secret_note'] }))),
    ).rejects.toThrow(/^sources\[0\]\.transforms\.hide: the resulting schema is invalid: .*Node\.secret_note/);
  });

  test('renaming an input field (and its type) applies to both', async () => {
    const { config } = loadConfig(join(REPO_ROOT, 'tessera.config.yaml'), { env: {} });
    const composed = await composeGateway({
      ...config,
      sources: config.sources.map((s) =>
        s.name === 'orders' ? { ...s, transforms: { rename: { types: { OrderInput: 'NewOrder' }, fields: { 'OrderInput.quantity': 'qty' } }, hide: [] } } : s,
      ),
    });
    const sdl = printComposedSchema(composed.schema);
    await composed.close();
    expect(sdl).toMatch(/input NewOrder \{[^}]*\bqty: Int!/);
    expect(sdl).toContain('createOrder(input: NewOrder)');
  });
});

describe('GraphQL sources never leak upstream bodies or error internals', () => {
  let upstream: CannedServer;
  beforeAll(async () => {
    upstream = await startCannedServer(({ body }) => {
      if (body.includes('crash')) return [500, { error: 'db at postgres://admin:pw@10.0.0.5 failed' }];
      if (body.includes('gatewayPage')) return [502, '<html>nginx 10.0.0.7 bad gateway</html>'];
      return [200, { data: { refused: null }, errors: [{ message: 'not allowed', path: ['refused'], extensions: { code: 'FORBIDDEN', stacktrace: ['at secret.js:1'], exception: { host: '10.0.0.9' } } }] }];
    });
  });
  afterAll(() => upstream.close());

  test.each([
    ['crash', { code: 'UPSTREAM_ERROR', source: 'things', status: 500 }],
    ['gatewayPage', { code: 'UPSTREAM_ERROR', source: 'things', status: 502 }],
    ['refused', { code: 'FORBIDDEN', source: 'things' }],
  ])('%s', async (field, extensions) => {
    const composed = await composeGateway(withSources(thingsSource(`${upstream.url}/graphql`)));
    try {
      const result = await run(composed.schema, `{ ${field} }`);
      expect(result.data).toEqual({ [field]: null });
      expect(result.errors?.[0].extensions).toEqual(extensions);
      const text = JSON.stringify(result.errors);
      for (const secret of ['postgres', '10.0.0', 'secret.js', 'nginx', '127.0.0.1']) expect(text).not.toContain(secret);
    } finally {
      await composed.close();
    }
  });
});

describe('renamed input fields reach a GraphQL service under their own names, wherever the input is written', () => {
  // Root field arguments reach the service as variables; a nested field's are copied into the
  // delegated document as written, so its object literals are renamed there.
  const FOLDERS_SDL = /* GraphQL */ `
    input FolderFilter { name_like: String sub_filter: FolderFilter }
    type Folder { name: String! children(filter: FolderFilter): [Folder!]! }
    type Query { folders(filter: FolderFilter): [Folder!]! }
  `;
  let server: Server;
  let composed: ComposedGateway;
  const received: string[] = [];
  beforeAll(async () => {
    // Each folder is named after the filter it was asked with, so the answer shows what arrived.
    const describeFilter = (filter?: { name_like?: string; sub_filter?: { name_like?: string } }) => `${filter?.name_like}/${filter?.sub_filter?.name_like}`;
    const yoga = createYoga({
      schema: createSchema({
        typeDefs: FOLDERS_SDL,
        resolvers: {
          Query: { folders: (_: unknown, { filter }: { filter?: Parameters<typeof describeFilter>[0] }) => [{ name: describeFilter(filter) }] },
          Folder: { children: (_: unknown, { filter }: { filter?: Parameters<typeof describeFilter>[0] }) => [{ name: describeFilter(filter) }] },
        },
      }),
      logging: false,
    });
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => received.push(body));
      void yoga(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    const transforms = { rename: { types: {}, fields: { 'FolderFilter.name_like': 'nameLike', 'FolderFilter.sub_filter': 'subFilter' } }, hide: [] };
    composed = await composeGateway(
      withSources(sourceSchema.parse({ kind: 'graphql', name: 'folders', url, headers: {}, forwardHeaders: [], timeoutMs: 2_000, transforms })),
    );
  });
  afterAll(async () => {
    await composed.close();
    await new Promise((resolve) => server.close(resolve));
  });

  test('in a root argument and in a nested field argument, inline and as a variable', async () => {
    received.length = 0;
    const result = await graphql({
      schema: composed.schema,
      contextValue: {},
      source: `query ($sub: FolderFilter) {
        folders(filter: { nameLike: "a", subFilter: { nameLike: "b" } }) {
          name
          inline: children(filter: { nameLike: "c", subFilter: { nameLike: "d" } }) { name }
          variable: children(filter: $sub) { name }
        }
      }`,
      variableValues: { sub: { nameLike: 'e', subFilter: { nameLike: 'f' } } },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ folders: [{ name: 'a/b', inline: [{ name: 'c/d' }], variable: [{ name: 'e/f' }] }] });
    expect(received.join('\n')).not.toMatch(/nameLike|subFilter/);
  });
});
