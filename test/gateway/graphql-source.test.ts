import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSchema, createYoga } from 'graphql-yoga';
import { buildSchema, printSchema } from 'graphql';
import { startDemoGateway, type RunningGateway } from '../support/harness';
import { sourceSchema } from '../../gateway/config/schema';

const INVENTORY_SDL = /* GraphQL */ `
  type Stock { productId: ID! available: Int! warehouse: String }
  type Query {
    stock(productId: ID!): Stock
    "Batch lookup. Answers in reverse order and leaves out products divisible by 5, like a careless service."
    stocks(productIds: [ID!]!): [Stock!]!
    broken: String
  }
`;

/** An existing GraphQL service (graphql-yoga), counting the requests it receives. */
async function startInventory(): Promise<{ url: string; server: Server; requests: () => number }> {
  let requests = 0;
  const stockOf = (productId: string) => ({ productId, available: Number(productId) * 3, warehouse: `W${Number(productId) % 3}` });
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: INVENTORY_SDL,
      resolvers: {
        Query: {
          stock: (_: unknown, { productId }: { productId: string }) => stockOf(productId),
          stocks: (_: unknown, { productIds }: { productIds: string[] }) =>
            productIds.filter((id) => Number(id) % 5 !== 0).map(stockOf).reverse(),
          broken: () => {
            throw new Error('inventory is being restocked');
          },
        },
      },
    }),
    maskedErrors: false,
    logging: false,
  });
  const server = createServer((req, res) => {
    requests++;
    void yoga(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, server, requests: () => requests };
}

describe.each([['introspection'], ['an SDL file']])('a GraphQL service as a source, schema by %s', (how) => {
  let inventory: Awaited<ReturnType<typeof startInventory>>;
  let gw: RunningGateway;
  beforeAll(async () => {
    inventory = await startInventory();
    let sdl: string | undefined;
    if (how === 'an SDL file') {
      sdl = join(mkdtempSync(join(tmpdir(), 'tessera-')), 'inventory.graphql');
      writeFileSync(sdl, printSchema(buildSchema(INVENTORY_SDL)));
    }
    gw = await startDemoGateway({
      configure: (config) => ({
        ...config,
        sources: [
          ...config.sources,
          sourceSchema.parse({
            kind: 'graphql',
            name: 'inventory',
            url: inventory.url,
            headers: {},
            forwardHeaders: [],
            timeoutMs: 2_000,
            transforms: { rename: { types: {}, fields: {} }, hide: [] },
            ...(sdl ? { sdl } : {}),
          }),
        ],
        links: {
          ...config.links,
          'Product.stock': { type: 'Stock', from: 'id', query: 'stocks', argument: 'productIds', matchOn: 'productId', args: {}, batchSize: 200 },
          'Product.stockById': { type: 'Stock', from: 'id', query: 'stock', argument: 'productId', matchOn: 'id', args: {}, batchSize: 200 },
        },
      }),
    });
  });
  afterAll(async () => {
    await gw.close();
    inventory.server.closeAllConnections();
    await new Promise((resolve) => inventory.server.close(resolve));
  });

  test('stitched next to the REST sources and linked in one batched call, matched by key', async () => {
    const before = inventory.requests();
    const { body } = await gw.query<{ products: Array<{ id: string; stock: { available: number; warehouse: string } | null }> }>(
      '{ products(limit: 12) { id stock { available warehouse } } }',
    );
    expect(inventory.requests() - before).toBe(1);
    body.data!.products.forEach((product, index) => {
      if (Number(product.id) % 5 === 0) {
        expect(product.stock).toBeNull();
        expect(body.errors?.find((e) => e.path?.join('.') === `products.${index}.stock`)?.extensions).toMatchObject({
          code: 'NOT_FOUND',
          source: 'inventory',
        });
      } else {
        expect(product.stock).toEqual({ available: Number(product.id) * 3, warehouse: `W${Number(product.id) % 3}` });
      }
    });
  });

  test('per-key links to the by-id field: one call per distinct product', async () => {
    const before = inventory.requests();
    const { body } = await gw.query<{ orders: Array<{ product: { id: string; stockById: { productId: string } } }> }>(
      '{ orders(limit: 30) { product { id stockById { productId } } } }',
    );
    expect(body.errors).toBeUndefined();
    const distinct = new Set(body.data!.orders.map((o) => o.product.id)).size;
    for (const order of body.data!.orders) expect(order.product.stockById.productId).toBe(order.product.id);
    expect(inventory.requests() - before).toBe(distinct);
  });

  test('its own root fields are served, and its errors carry the source', async () => {
    const { body } = await gw.query<{ stock: { available: number }; broken: null; user: { name: string } }>(
      '{ stock(productId: "7") { available } broken user(id: "1") { name } }',
    );
    expect(body.data!.stock.available).toBe(21);
    expect(body.data!.user.name).toEqual(expect.any(String));
    expect(body.data!.broken).toBeNull();
    expect(body.errors?.[0]).toMatchObject({ path: ['broken'], message: 'inventory is being restocked', extensions: { source: 'inventory' } });
  });
});
