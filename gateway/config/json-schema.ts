import { z } from 'zod';
import { configSchema } from './schema';

/** JSON Schema of the config as written (defaults optional), for editor completion and checks. */
export function configJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
  return `${JSON.stringify({ ...schema, title: 'Tessera gateway configuration' }, null, 2)}\n`;
}
