import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkWorkspace, runTessera } from '../support/check-workspace';
import { startDemoGateway } from '../support/harness';
import { ORDERS, PRODUCTS, post, sha256, withTrustedDocuments, writeManifests } from './support';
// Each CLI run pays tsx start-up (and the check a composition); on a loaded machine that is seconds each.
jest.setTimeout(120_000);

test('`tessera documents manifest <dir> -o file` writes { sha256 of each file: its text }, which the gateway serves', async () => {
  const manifests = await writeManifests();
  try {
    await manifests.write('documents/products.graphql', PRODUCTS);
    const run = await runTessera(manifests.dir, 'documents', 'manifest', 'documents', '-o', 'out/manifest.json');
    expect(run).toMatchObject({ code: 0, stderr: expect.stringContaining('2 trusted documents written to out/manifest.json') });
    const written = JSON.parse(await readFile(join(manifests.dir, 'out/manifest.json'), 'utf8')) as Record<string, string>;
    expect(written).toEqual({ [sha256(ORDERS)]: ORDERS, [sha256(PRODUCTS)]: PRODUCTS });

    const stdout = await runTessera(manifests.dir, 'documents', 'manifest', 'documents/orders');
    expect(JSON.parse(stdout.stdout)).toEqual({ [sha256(ORDERS)]: ORDERS });
    expect(await runTessera(manifests.dir, 'documents', 'manifest', 'missing')).toMatchObject({ code: 2, stderr: 'tessera: trusted documents manifest "missing" does not exist (trustedDocuments.manifests)\n' });
    // A document spreading a fragment another file defines could never run: refused, nothing written.
    await manifests.write('loose/cards.graphql', 'query Cards { products(limit: 1) { ...Card } }\n');
    await manifests.write('loose/card-fragment.graphql', 'fragment Card on Product { id title }\n');
    const loose = await runTessera(manifests.dir, 'documents', 'manifest', 'loose', '-o', 'out/loose.json');
    expect(loose.code).toBe(2);
    expect(loose.stderr).toContain('loose/cards.graphql: spreads fragment "Card", which it does not define');
    await expect(readFile(join(manifests.dir, 'out/loose.json'), 'utf8')).rejects.toThrow('ENOENT');

    const gw = await startDemoGateway({ configure: withTrustedDocuments([join(manifests.dir, 'out/manifest.json')], { only: true }) });
    try {
      const served = await post(gw.url, { documentId: sha256(PRODUCTS) });
      expect(served.status).toBe(200);
      expect(served.body.data?.products).toHaveLength(2);
      expect((await post(gw.url, { documentId: `sha256:${sha256(ORDERS)}` })).status).toBe(200);
    } finally {
      await gw.close();
    }
  } finally {
    await manifests.remove();
  }
});

test('`tessera check` reads the configured manifests: a change only a trusted document uses fails the check, naming it', async () => {
  const ws = await checkWorkspace();
  try {
    const stock = 'query StockLevels {\n  products(limit: 5) { id inStock }\n}\n';
    await writeFile(join(ws.dir, 'stock.graphql'), stock);
    const manifest = await runTessera(ws.dir, 'documents', 'manifest', 'stock.graphql', '-o', 'trusted/manifest.json');
    expect(manifest.code).toBe(0);
    // inStock is no longer required (Product.inStock becomes nullable): no operation in schema/operations reads it.
    await ws.edit('sources/products/openapi.yaml', 'required: [id, title, price, inStock]', 'required: [id, title, price]');
    const unconfigured = await runTessera(ws.dir, 'check', '--allow-unused-breaking');
    expect(unconfigured.stdout).toMatch(/UNUSED\s+Product\.inStock/);
    expect(unconfigured.code).toBe(0);

    await ws.edit('tessera.config.yaml', /^sources:/m, 'trustedDocuments:\n  manifests: [trusted/manifest.json]\nsources:');
    const run = await runTessera(ws.dir, 'check', '--allow-unused-breaking');
    expect(run.stdout).toMatch(/BREAKING\s+Product\.inStock/);
    expect(run.stdout).toContain(`used by: StockLevels (trusted/manifest.json#${sha256(stock)}:1)`);
    expect(run.stdout).toMatch(/^FAIL/m);
    expect(run.code).toBe(1);

    // A manifest that cannot be read is a check that cannot run (2), never a pass.
    await writeFile(join(ws.dir, 'trusted/manifest.json'), JSON.stringify({ [sha256(stock)]: ORDERS }));
    const broken = await runTessera(ws.dir, 'check');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`trusted/manifest.json#${sha256(stock)}: the id is not the SHA-256 of its document`);

    // A trusted document invalid against the new schema fails the check even if the registered schema
    // did not validate it either: the gateway serves it as written, and would refuse it every time.
    const ghost = 'query Ghost {\n  products(limit: 1) { id ghost }\n}\n';
    await writeFile(join(ws.dir, 'trusted/manifest.json'), JSON.stringify({ [sha256(ghost)]: ghost }));
    const invalid = await runTessera(ws.dir, 'check', '--allow-unused-breaking');
    expect(invalid.stdout).toContain('Cannot query field "ghost" on type "Product"');
    expect(invalid.stdout).not.toContain('Already invalid');
    expect(invalid.stdout).toMatch(/^FAIL: 1 trusted document\(s\) invalid against the new schema$/m);
    expect(invalid.code).toBe(1);
  } finally {
    await ws.remove();
  }
});
