import { z } from 'zod';
import { configSchema } from './schema';

/**
 * The keys allowed at a path of the config, read from the schema itself so an "unknown key" error
 * can list the right ones (and suggest the closest) without a second copy of the key list.
 */
export function knownKeysAt(path: ReadonlyArray<PropertyKey>, raw: unknown): string[] {
  let schema: z.ZodType | undefined = configSchema;
  let value: unknown = raw;
  for (const key of path) {
    schema = unwrap(schema, value);
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
    if (schema instanceof z.ZodObject) schema = schema.shape[String(key)] as z.ZodType | undefined;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else return [];
  }
  const target = unwrap(schema, value);
  return target instanceof z.ZodObject ? Object.keys(target.shape).filter((k) => k !== '$schema') : [];
}

function unwrap(schema: z.ZodType | undefined, value: unknown): z.ZodType | undefined {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodPipe) current = current.in as z.ZodType; // a transform after validation
    else if (current instanceof z.ZodLazy) current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodDiscriminatedUnion) {
      const kind = value && typeof value === 'object' ? (value as { kind?: unknown }).kind : undefined;
      const options = current.options as z.ZodObject[];
      current = options.find((option) => {
        const literal = unwrap(option.shape.kind as z.ZodType, undefined);
        return literal instanceof z.ZodLiteral && literal.values.has((kind ?? 'openapi') as string);
      });
    } else return current;
  }
}
