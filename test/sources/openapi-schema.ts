/**
 * Turns OpenAPI 3.0 Schema Objects into JSON Schema (draft-07) that ajv can
 * compile, so the conformance test checks real responses against the very
 * file the gateway reads.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

// A JSON Schema is arbitrary JSON; `unknown` values are narrowed where used.
export type JsonSchema = { [key: string]: unknown };

/** OpenAPI-only annotations that draft-07 ajv (strict mode) would reject as unknown keywords. */
const OPENAPI_ONLY = new Set(['example', 'xml', 'externalDocs', 'discriminator', 'deprecated', 'nullable']);

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * - `nullable: true` becomes `anyOf: [schema, {type: null}]`. Wrapping (rather
 *   than widening `type`) also covers `allOf`/`$ref` schemas that have no
 *   `type`, which is how the specs mark batch slots nullable.
 * - `#/components/schemas/X` refs are pointed at `#/definitions/X`.
 * - Objects that list `properties` get `additionalProperties: false` unless
 *   the spec says otherwise, so a service leaking undocumented fields fails.
 *   (The specs stay open for evolution; only the test is strict.)
 */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!isObject(schema)) return schema;

  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (OPENAPI_ONLY.has(key)) continue;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.replace('#/components/schemas/', '#/definitions/');
    } else if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v)]));
    } else {
      out[key] = toJsonSchema(value);
    }
  }
  if (isObject(out.properties) && !('additionalProperties' in out)) out.additionalProperties = false;
  return schema.nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  // OpenAPI numeric formats; int32 is checked for real because the specs promise it.
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  return ajv;
}

/** Compiles one schema of a spec, with all of the spec's named schemas available to its refs. */
export function compileSchema(ajv: Ajv, schema: unknown, componentSchemas: JsonSchema): ValidateFunction {
  const definitions = Object.fromEntries(Object.entries(componentSchemas).map(([k, v]) => [k, toJsonSchema(v)]));
  const converted = toJsonSchema(schema);
  if (!isObject(converted)) throw new Error('schema must be an object');
  return ajv.compile({ ...converted, definitions });
}
