import { join } from 'node:path';
import { byId, getDataset } from '../data';
import {
  batchByIdsRoute,
  createServiceHandler,
  getByIdRoute,
  intQuery,
  INT32_MAX,
  ok,
  type DemoHandler,
  type ServiceOptions,
} from '../http';

const SPEC_FILE = join(__dirname, 'openapi.yaml');

/** Kept in step with `maxItems` / `maximum` in openapi.yaml. */
export const MAX_BATCH_IDS = 500;
export const MAX_PAGE_SIZE = 200;

export function createProductsService(options: ServiceOptions = {}): DemoHandler {
  const { products } = getDataset();
  return createServiceHandler(
    {
      name: 'products',
      specFile: SPEC_FILE,
      routes: [
        {
          method: 'GET',
          path: '/products',
          operationId: 'listProducts',
          handler: ({ url }) => {
            const limit = intQuery(url, 'limit', { min: 1, max: MAX_PAGE_SIZE, default: 20 });
            const offset = intQuery(url, 'offset', { min: 0, max: INT32_MAX, default: 0 });
            return ok(products.slice(offset, offset + limit));
          },
        },
        // Must precede `/products/{id}`: the router takes the first match.
        batchByIdsRoute('/products/by-ids', 'getProductsByIds', MAX_BATCH_IDS, (id) => byId(products, id)),
        getByIdRoute('/products/{id}', 'getProduct', 'Product', (id) => byId(products, id)),
      ],
    },
    options,
  );
}
