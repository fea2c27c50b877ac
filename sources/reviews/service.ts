import { join } from 'node:path';
import { getDataset, type Review } from '../data';
import { createServiceHandler, idListQuery, intQuery, INT32_MAX, ok, type DemoHandler, type ServiceOptions } from '../http';

const SPEC_FILE = join(__dirname, 'openapi.yaml');

/** Kept in step with `maxItems` in openapi.yaml. */
export const MAX_BATCH_IDS = 500;

function indexByProduct(reviews: readonly Review[]): Map<number, readonly Review[]> {
  const index = new Map<number, Review[]>();
  // Seeded reviews are in id order, so each group comes out in id order too.
  for (const review of reviews) {
    const group = index.get(review.productId);
    if (group) group.push(review);
    else index.set(review.productId, [review]);
  }
  return index;
}

export function createReviewsService(options: ServiceOptions = {}): DemoHandler {
  const byProduct = indexByProduct(getDataset().reviews);
  const reviewsOf = (productId: number): readonly Review[] => byProduct.get(productId) ?? [];

  return createServiceHandler(
    {
      name: 'reviews',
      specFile: SPEC_FILE,
      routes: [
        {
          method: 'GET',
          path: '/reviews',
          operationId: 'listReviews',
          handler: ({ url }) =>
            ok(reviewsOf(intQuery(url, 'productId', { min: 1, max: INT32_MAX, required: true }))),
        },
        {
          method: 'GET',
          path: '/reviews/by-products',
          operationId: 'listReviewsByProductIds',
          handler: ({ url }) => {
            // Duplicated ids are collapsed: repeating a group would double-count reviews for the caller.
            const productIds = new Set(idListQuery(url, 'productIds', { maxItems: MAX_BATCH_IDS }));
            return ok([...productIds].flatMap(reviewsOf));
          },
        },
      ],
    },
    options,
  );
}
