import { join } from 'node:path';
import { byId, getDataset } from '../data';
import { batchByIdsRoute, createServiceHandler, getByIdRoute, type DemoHandler, type ServiceOptions } from '../http';

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
        getByIdRoute('/users/{id}', 'getUser', 'User', (id) => byId(users, id)),
        batchByIdsRoute('/users', 'getUsersByIds', MAX_BATCH_IDS, (id) => byId(users, id)),
      ],
    },
    options,
  );
}
