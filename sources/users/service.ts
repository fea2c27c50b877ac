import { join } from 'node:path';
import { byId, getDataset } from '../data';
import {
  batchById,
  createServiceHandler,
  idListQuery,
  notFound,
  ok,
  pathId,
  type DemoHandler,
  type ServiceOptions,
} from '../http';

const SPEC_FILE = join(__dirname, 'openapi.yaml');

/** Kept in step with `maxItems` in openapi.yaml. */
export const MAX_BATCH_IDS = 500;

export function createUsersService(options: ServiceOptions = {}): DemoHandler {
  const { users } = getDataset();
  return createServiceHandler(
    {
      name: 'users',
      specFile: SPEC_FILE,
      routes: [
        {
          method: 'GET',
          path: '/users/{id}',
          operationId: 'getUser',
          handler: ({ params }) => {
            const id = pathId(params, 'id');
            const user = byId(users, id);
            return user ? ok(user) : notFound(`User ${id} not found`);
          },
        },
        {
          method: 'GET',
          path: '/users',
          operationId: 'getUsersByIds',
          handler: ({ url }) => batchById(idListQuery(url, 'ids', { maxItems: MAX_BATCH_IDS }), (id) => byId(users, id)),
        },
      ],
    },
    options,
  );
}
