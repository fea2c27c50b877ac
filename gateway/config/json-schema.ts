import { z } from 'zod';
import { configSchema } from './schema';

type JsonSchemaNode = { [key: string]: unknown };

const PLACEHOLDER = { type: 'string', pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}', description: '${ENV} or ${ENV:-default}' };

/**
 * JSON Schema of the config as written (defaults optional), for editor completion and checks.
 * Any string may be an `${ENV}` placeholder that is only checked after interpolation, so every
 * constrained string (URL, pattern) also accepts a placeholder.
 */
export function configJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  return `${JSON.stringify({ ...(allowPlaceholders(schema) as JsonSchemaNode), title: 'Tessera gateway configuration' }, null, 2)}\n`;
}

function allowPlaceholders(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowPlaceholders);
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node as JsonSchemaNode).map(([key, value]) =>
    // propertyNames constrain keys ("Type.field"), which are never interpolated.
    [key, key === 'propertyNames' ? value : allowPlaceholders(value)],
  );
  const copy = Object.fromEntries(entries) as JsonSchemaNode;
  if (copy.type === 'string' && (copy.format || copy.pattern)) {
    const { description, default: fallback, ...constraint } = copy;
    return { ...(description ? { description } : {}), ...(fallback !== undefined ? { default: fallback } : {}), anyOf: [constraint, PLACEHOLDER] };
  }
  return copy;
}
