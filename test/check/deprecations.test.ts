import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckResult } from '../../gateway/check/evaluate';
import { CompositionError } from '../../gateway/compose/errors';
import { composeGateway } from '../../gateway/compose/compose';
import { loadConfig } from '../../gateway/config/load';
import { checkWorkspace, runTessera } from '../support/check-workspace';
import { REPO_ROOT, startDemoGateway } from '../support/harness';

jest.setTimeout(120_000);

/** The products spec without Product.title (a field clients still read). */
async function specWithoutTitle(dir: string): Promise<string> {
  const spec = await readFile(join(REPO_ROOT, 'sources/products/openapi.yaml'), 'utf8');
  const edited = spec.replace('required: [id, title, price, inStock]', 'required: [id, price, inStock]').replace(/\n {8}title:\n(?: {10}.*\n)+/, '\n');
  expect(edited.match(/\n {8}title:/g)).toHaveLength(1); // Problem.title stays
  const file = join(dir, 'products.yaml');
  await writeFile(file, edited);
  return file;
}

describe('deprecations through the config', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-deprecations-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a field removed from a spec is kept as @deprecated and still answers from what the service sends', async () => {
    const spec = await specWithoutTitle(dir);
    const gateway = await startDemoGateway({
      configure: (config) => ({
        ...config,
        sources: config.sources.map((source) =>
          source.name === 'products' && source.kind === 'openapi'
            ? { ...source, spec, deprecations: { 'Product.title': { type: 'String!', reason: 'Use name.', removeAfter: '2099-01-01' } } }
            : source,
        ),
      }),
    });
    try {
      const { body } = await gateway.query(`{
        product(id: "1") { id title }
        __type(name: "Product") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } }
      }`);
      expect(body.errors).toBeUndefined();
      const data = body.data as { product: { title: string }; __type: { fields: { name: string; isDeprecated: boolean; deprecationReason: string | null }[] } };
      expect(data.product.title).toEqual(expect.any(String));
      expect(data.product.title.length).toBeGreaterThan(0);
      expect(data.__type.fields.find((f) => f.name === 'title')).toEqual({ name: 'title', isDeprecated: true, deprecationReason: 'Use name. (removed after 2099-01-01)' });
      expect(gateway.upstreamCalls().products).toBe(1);
    } finally {
      await gateway.close();
    }
  });

  test('without its type, a removed field cannot be kept: the error names the config entry', async () => {
    const spec = await specWithoutTitle(dir);
    const { config } = loadConfig(join(REPO_ROOT, 'tessera.config.yaml'));
    const sources = config.sources.map((source) =>
      source.name === 'products' && source.kind === 'openapi' ? { ...source, spec, deprecations: { 'Product.title': { reason: 'Use name.' } } } : source,
    );
    const error = await composeGateway({ ...config, sources }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CompositionError);
    expect((error as CompositionError).configPath).toBe('sources[1].deprecations["Product.title"]');
    expect((error as CompositionError).message).toMatch(/no longer in the spec; give its GraphQL `type`/);
  });

  test('tessera check: the kept field is a deprecation (safe) that lists the operations to migrate, not a breaking change', async () => {
    const ws = await checkWorkspace();
    try {
      await cp(await specWithoutTitle(dir), join(ws.dir, 'sources/products/openapi.yaml'));
      await ws.edit(
        'tessera.config.yaml',
        '    spec: sources/products/openapi.yaml\n',
        '    spec: sources/products/openapi.yaml\n    deprecations:\n      Product.title: { type: "String!", reason: "Use name." }\n',
      );
      const run = await runTessera(ws.dir, 'check', '--format', 'json');
      const result = JSON.parse(run.stdout) as CheckResult;
      expect(result.changes).toEqual([
        expect.objectContaining({
          level: 'safe',
          type: 'FIELD_DEPRECATION_ADDED',
          path: 'Product.title.@deprecated',
          usedBy: [
            'MyAccount (schema/operations/account.graphql:2)',
            'Catalog (schema/operations/catalog.graphql:2)',
            'PlaceOrder (schema/operations/checkout.graphql:2)',
            'OrdersDashboard (schema/operations/orders-dashboard.graphql:2)',
            'ProductPage (schema/operations/product-page.graphql:2)',
          ],
        }),
      ]);
      expect(run.code).toBe(0);
    } finally {
      await ws.remove();
    }
  });
});
