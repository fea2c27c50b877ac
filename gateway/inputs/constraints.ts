import { isObjectType, type GraphQLSchema } from 'graphql';
import { getDirective } from '@graphql-tools/utils';
import { sanitizeNameForGraphQL } from '@graphql-mesh/utils';
import { escapePointer, HTTP_METHODS, resolvePointer, type OpenApiDocument } from '../compose/spec';
import type { WarningSink } from '../compose/warnings';
import { ENFORCED_FORMATS } from './formats';
import { compilePattern } from './regex';

/** A JSON Schema (draft 2019-09 subset that ajv runs) over one root field's GraphQL arguments. */
export type JsonSchema = { [keyword: string]: unknown };

/** Root fields (`Query.getUser`, `Mutation.createOrder`, by the loader's names) → the schema of their arguments. */
export type FieldConstraints = Map<string, JsonSchema>;

type Node = Record<string, unknown>;

/** The keywords enforced, and only these: anything else in a spec (type, required, oneOf…) is GraphQL's business or not checked. */
const COUNTS = ['minLength', 'maxLength', 'minItems', 'maxItems'] as const;
const BOUNDS = ['minimum', 'maximum'] as const;

/**
 * Reads, for every root field the loader generated from an operation, what the spec constrains in
 * its arguments: parameters (path, query, header, cookie; named as the loader names them) and the
 * JSON request body (the `input` argument), following `$ref`s and `allOf` into nested objects and
 * array items. Fields are matched to operations by their @httpOperation directive (method and path
 * template), so operations without an operationId are covered too. Only fields with at least one
 * constraint are returned. Patterns RE2 cannot run are left out with a warning.
 */
export function extractConstraints(spec: OpenApiDocument, schema: GraphQLSchema, source: string, warn: WarningSink): FieldConstraints {
  const operations = new Map<string, { operation: Node; pathItem: Node; pointer: string }>();
  for (const [path, pathItem] of Object.entries(spec.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem?.[method];
      if (operation && typeof operation === 'object') {
        operations.set(routeKey(method, path), { operation: operation as Node, pathItem: pathItem!, pointer: `#/paths/${escapePointer(path)}/${method}` });
      }
    }
  }
  const constraints: FieldConstraints = new Map();
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!isObjectType(root)) continue;
    for (const field of Object.values(root.getFields())) {
      const http = getDirective(schema, field, 'httpOperation')?.[0] as { path?: string; httpMethod?: string } | undefined;
      if (!http?.path || !http.httpMethod) continue;
      const found = operations.get(routeKey(http.httpMethod, http.path.split('?')[0]));
      if (!found) continue;
      const converter = new Converter(spec, (pointer, message) => warn({ source, pointer, message }));
      const fieldSchema = converter.operation(found.operation, found.pathItem, found.pointer);
      if (converter.constrains) constraints.set(`${root.name}.${field.name}`, fieldSchema);
    }
  }
  return constraints;
}

/** `POST /things/{}`: the loader writes path parameters as `{args.code}`, the spec as `{code}`. */
function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path.replace(/\{[^}]*\}/g, '{}')}`;
}

/** The request body the loader types as `input`: as its pickRequestContentKey, a form before JSON when listed first. */
function requestContentType(types: string[]): string | undefined {
  const media = (type: string) => type.split(';')[0].trim().toLowerCase();
  const form = types.find((type) => media(type) === 'application/x-www-form-urlencoded');
  const json = types.find((type) => media(type).includes('json'));
  if (form !== undefined && (json === undefined || types.indexOf(form) < types.indexOf(json))) return form;
  return json ?? types[0];
}

/** OpenAPI 3.0/3.1 and Swagger 2.0 schemas → the JSON Schema ajv runs, keeping only the enforced keywords. */
class Converter {
  /** Set once any enforced keyword is found: fields without any are not wrapped at all. */
  constrains = false;
  private readonly defs: Record<string, JsonSchema> = {};
  private readonly defNames = new Map<string, string>();

  constructor(
    private readonly spec: OpenApiDocument,
    private readonly warn: (pointer: string, message: string) => void,
  ) {}

  operation(operation: Node, pathItem: Node, pointer: string): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    // Operation parameters override path-level ones with the same name and location.
    const parameters = new Map<string, { parameter: Node; pointer: string }>();
    const collect = (list: unknown, at: string) => {
      if (!Array.isArray(list)) return;
      list.forEach((item, i) => {
        const parameter = this.deref(item);
        if (typeof parameter?.name === 'string') parameters.set(`${String(parameter.in)} ${parameter.name}`, { parameter, pointer: `${at}/${i}` });
      });
    };
    collect(pathItem.parameters, pointer.replace(/\/[^/]+$/, '/parameters'));
    collect(operation.parameters, `${pointer}/parameters`);
    for (const { parameter, pointer: at } of parameters.values()) {
      if (parameter.in === 'body') {
        properties.input = this.schema(parameter.schema, `${at}/schema`); // Swagger 2.0's body parameter
        continue;
      }
      const content = parameter.content as Record<string, { schema?: unknown }> | undefined;
      // Swagger 2.0 parameters carry their schema keywords themselves.
      const schema = parameter.schema ?? content?.['application/json']?.schema ?? parameter;
      properties[sanitizeNameForGraphQL(parameter.name as string)] = this.schema(schema, `${at}/schema`);
    }
    const body = this.deref(operation.requestBody);
    const content = body?.content as Record<string, { schema?: unknown }> | undefined;
    const bodyType = content && requestContentType(Object.keys(content));
    if (bodyType) properties.input = this.schema(content[bodyType].schema, `${pointer}/requestBody/content/${escapePointer(bodyType)}/schema`);
    return { properties, ...(Object.keys(this.defs).length ? { $defs: this.defs } : {}) };
  }

  private deref(node: unknown): Node | undefined {
    const seen = new Set<unknown>();
    while (node && typeof node === 'object' && typeof (node as Node).$ref === 'string' && !seen.has(node)) {
      seen.add(node);
      node = resolvePointer(this.spec, (node as Node).$ref as string);
    }
    return node && typeof node === 'object' ? (node as Node) : undefined;
  }

  private schema(node: unknown, pointer: string): JsonSchema {
    if (!node || typeof node !== 'object') return {};
    const ref = (node as Node).$ref;
    if (typeof ref === 'string' && ref.startsWith('#')) {
      // Kept as a reference (in $defs) so recursive schemas (trees, linked lists) stay finite.
      let name = this.defNames.get(ref);
      if (!name) {
        name = `d${this.defNames.size}`;
        this.defNames.set(ref, name);
        this.defs[name] = {};
        this.defs[name] = this.schema(resolvePointer(this.spec, ref), ref);
      }
      return { $ref: `#/$defs/${name}` };
    }
    const source = node as Node;
    const out: JsonSchema = {};
    // Values a JSON Schema meta-schema refuses (a negative length, a bound given as a string) are
    // skipped: ajv would refuse to compile the field's whole schema.
    for (const keyword of COUNTS) {
      if (Number.isSafeInteger(source[keyword]) && (source[keyword] as number) >= 0) out[keyword] = source[keyword];
    }
    for (const keyword of BOUNDS) {
      if (Number.isFinite(source[keyword])) out[keyword] = source[keyword];
    }
    // OpenAPI 3.0 (and JSON Schema draft 4) write exclusive bounds as booleans beside minimum/maximum;
    // OpenAPI 3.1 as numbers of their own.
    for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
      if (Number.isFinite(source[exclusive])) out[exclusive] = source[exclusive];
      else if (source[exclusive] === true && Number.isFinite(source[bound])) {
        out[exclusive] = source[bound];
        delete out[bound];
      }
    }
    if (typeof source.format === 'string' && (ENFORCED_FORMATS as readonly string[]).includes(source.format)) out.format = source.format;
    if (Array.isArray(source.enum) && source.enum.length && source.enum.every((value) => typeof value === 'string')) {
      out.enum = [...source.enum, null]; // null is GraphQL's "absent"; required-ness is the field's non-null type
    }
    if (typeof source.pattern === 'string') {
      const compiled = compilePattern(source.pattern);
      if (compiled.ok) out.pattern = source.pattern;
      else this.warn(`${pointer}/pattern`, `pattern ${JSON.stringify(source.pattern)} is not enforced: the linear-time regex engine (RE2) cannot run it (${compiled.reason})`);
    }
    if (Object.keys(out).length) this.constrains = true;
    if (source.properties && typeof source.properties === 'object') {
      out.properties = Object.fromEntries(
        Object.entries(source.properties as Node).map(([name, sub]) => [sanitizeNameForGraphQL(name), this.schema(sub, `${pointer}/properties/${escapePointer(name)}`)]),
      );
    }
    if (source.items && typeof source.items === 'object' && !Array.isArray(source.items)) out.items = this.schema(source.items, `${pointer}/items`);
    if (Array.isArray(source.allOf)) out.allOf = source.allOf.map((sub, i) => this.schema(sub, `${pointer}/allOf/${i}`));
    return out;
  }
}
