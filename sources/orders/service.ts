import { join } from 'node:path';
import { byId, getDataset, ORDER_STATUSES } from '../data';
import { verifyIdentityHeaders } from '../../gateway/upstream/identity-headers';
import {
  createServiceHandler,
  dateTimeQuery,
  denied,
  getByIdRoute,
  intQuery,
  INT32_MAX,
  ok,
  oneOfQuery,
  problem,
  readJsonBody,
  type DemoHandler,
  type ServiceOptions,
} from '../http';
import { validateOrderInput } from './input';
import { OrderStore } from './store';

const SPEC_FILE = join(__dirname, 'openapi.yaml');

/** Kept in step with `maximum` in openapi.yaml. */
export const MAX_PAGE_SIZE = 200;

export interface OrdersServiceOptions extends ServiceOptions {
  /** Clock for `createdAt` of new orders; injectable so tests can pin it. */
  now?: () => Date;
}

export function createOrdersService(options: OrdersServiceOptions = {}): DemoHandler {
  const { users, products, orders } = getDataset();
  const store = new OrderStore(orders);
  const now = options.now ?? (() => new Date());
  const refs = {
    userExists: (id: number) => byId(users, id) !== undefined,
    productExists: (id: number) => byId(products, id) !== undefined,
  };

  return createServiceHandler(
    {
      name: 'orders',
      specFile: SPEC_FILE,
      routes: [
        {
          method: 'GET',
          path: '/orders',
          operationId: 'listOrders',
          handler: ({ url }) =>
            ok(
              store.list({
                limit: intQuery(url, 'limit', { min: 1, max: MAX_PAGE_SIZE, default: 20 }),
                offset: intQuery(url, 'offset', { min: 0, max: INT32_MAX, default: 0 }),
                userId: intQuery(url, 'userId', { min: 1, max: INT32_MAX }),
                status: oneOfQuery(url, 'status', ORDER_STATUSES),
                placedAfter: dateTimeQuery(url, 'placedAfter'),
              }),
            ),
        },
        {
          method: 'POST',
          path: '/orders',
          operationId: 'createOrder',
          handler: async ({ req }) => {
            const caller = options.identitySecret
              ? verifyIdentityHeaders(req.headers, { secret: options.identitySecret, method: 'POST', path: req.url ?? '/orders' })
              : undefined;
            if (caller && !caller.ok) return denied(401, caller.reason);
            const input = validateOrderInput(await readJsonBody(req), refs);
            if (!input.ok) return problem(input.errors);
            // Defence in depth: the gateway's rules say the same, but this service does not rely on them.
            if (caller?.ok && caller.identity.subject !== String(input.value.userId) && !caller.identity.roles.includes('admin')) {
              return denied(403, `user ${caller.identity.subject} may not order for user ${input.value.userId}`);
            }
            const order = store.create(input.value, now());
            return ok(order, 201, { Location: `/orders/${order.id}` });
          },
        },
        getByIdRoute('/orders/{id}', 'getOrder', 'Order', (id) => store.get(id)),
      ],
    },
    options,
  );
}
