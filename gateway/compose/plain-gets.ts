import { getNamedType, isSpecifiedScalarType, type GraphQLField, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { getDirectiveExtensions } from '@graphql-tools/utils';
import { stringify, type IStringifyOptions } from 'qs';
import urlJoin from 'url-join';
import type { ContextualFetch } from '../upstream/fetch';
import { parsedBodySlotOf } from '../upstream/parsed-body';

/** The arguments of @graphql-mesh/transport-rest's `@httpOperation` that decide the request. */
interface HttpOperation {
  path?: string;
  httpMethod?: string;
  operationSpecificHeaders?: unknown;
  isBinary?: boolean;
  requestBaseBody?: unknown;
  queryParamArgMap?: unknown;
  queryStringOptionsByParam?: unknown;
  queryStringOptions?: unknown;
  jsonApiFields?: boolean;
}

interface PlainGet {
  /** The endpoint joined with the path as url-join joins them, placeholders still in. */
  template: string;
  pathArgs: Array<{ placeholder: string; arg: string }>;
  queryArgs: Array<{ param: string; arg: string; options: IStringifyOptions }>;
  headers: Record<string, string>;
}

type Resolver = GraphQLFieldResolver<unknown, unknown>;

/**
 * Root fields of plain GET operations build their request once per field rather than once per call.
 *
 * @graphql-mesh/transport-rest's resolver, on every call, parses its URL and header templates again
 * (a RegExp per template), joins the URL with url-join's regular expressions, wraps the arguments in
 * a Proxy, copies the resolve info and reads the reply as text to parse it: ~6 µs of CPU per call,
 * against ~1.3 µs here (about 1.3 % of a one-user query, bench Q1). For an operation whose request
 * is a GET with static headers, `{args.x}` path parameters and query parameters, the same request
 * is built here from a template joined when the schema is loaded, and qs (what the loader uses)
 * writes the query string with the loader's own options.
 *
 * Only where the reply's parsed JSON is handed over (../upstream/parsed-body) and the arguments
 * are plain (numbers, booleans, unreserved-character strings of the built-in scalar types in the
 * path; scalars and lists in the query): everything else, and every reply not handed over (errors,
 * no JSON, null items), goes to the loader's resolver, which reads that same reply, so answers and
 * errors stay the loader's.
 */
export function withPlainGets(schema: GraphQLSchema, options: { endpoint: string; fetch: ContextualFetch }): void {
  const transport = getDirectiveExtensions<{ transport: Record<string, unknown> }>(schema)?.transport?.[0];
  // Source-wide headers, query parameters or query-string options are the loader's to apply.
  if (transport?.headers != null || transport?.queryParams != null || transport?.queryStringOptions != null) return;
  if (options.endpoint.includes('{')) return;
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      const plan = plainGetOf(schema, field, options.endpoint);
      if (plan && field.resolve) field.resolve = plainGetResolver(plan, field.resolve, options.fetch);
    }
  }
}

function plainGetOf(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>, endpoint: string): PlainGet | undefined {
  const operation = getDirectiveExtensions<{ httpOperation: HttpOperation }>(field, schema)?.httpOperation?.[0];
  if (!operation || operation.httpMethod !== 'GET' || typeof operation.path !== 'string') return undefined;
  if (operation.isBinary || operation.requestBaseBody != null || operation.jsonApiFields || operation.queryStringOptions != null) return undefined;
  // The loader sends an `input` argument as a body even on a GET; a File answer is read as a blob.
  if (field.args.some((arg) => arg.name === 'input') || getNamedType(field.type).name === 'File') return undefined;
  const argTypes = new Map(field.args.map((arg) => [arg.name, getNamedType(arg.type)]));

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(objectOf(operation.operationSpecificHeaders) ?? {})) {
    if (typeof value !== 'string' || value.includes('{')) return undefined;
    headers[name.toLowerCase()] = value;
  }

  const pathArgs: PlainGet['pathArgs'] = [];
  for (const [placeholder, key] of operation.path.matchAll(/\{([^}]+)\}/g)) {
    const arg = /^args\.([A-Za-z_]\w*)$/.exec(key)?.[1];
    // The loader writes a path value as its type serializes it: only the built-in scalars write a
    // number, boolean or string as String() does (a format's scalar, a date say, may rewrite it).
    const type = arg === undefined ? undefined : argTypes.get(arg);
    if (!arg || !type || !isSpecifiedScalarType(type)) return undefined;
    pathArgs.push({ placeholder, arg });
  }

  const byParam = objectOf(operation.queryStringOptionsByParam) ?? {};
  const queryArgs: PlainGet['queryArgs'] = [];
  for (const [param, arg] of Object.entries(objectOf(operation.queryParamArgMap) ?? {})) {
    // The loader's options for this parameter: its defaults, then the parameter's own.
    const options = { indices: false, ...(byParam[param] as IStringifyOptions | undefined) } as IStringifyOptions & { jsonStringify?: boolean };
    if (typeof arg !== 'string' || options.jsonStringify) return undefined;
    queryArgs.push({ param, arg, options });
  }
  return { template: urlJoin(endpoint, operation.path), pathArgs, queryArgs, headers };
}

function plainGetResolver(plan: PlainGet, loaderResolve: Resolver, fetch: ContextualFetch): Resolver {
  const { template, pathArgs, queryArgs, headers } = plan;
  return async (root, args: Record<string, unknown>, context, info) => {
    const slot = parsedBodySlotOf(info);
    if (!slot) return loaderResolve(root, args, context, info);
    let url = template;
    for (const { placeholder, arg } of pathArgs) {
      const segment = pathSegment(args[arg]);
      if (segment === undefined) return loaderResolve(root, args, context, info);
      url = url.replace(placeholder, segment);
    }
    for (const { param, arg, options } of queryArgs) {
      const value = args[arg];
      if (value == null) continue;
      // Objects (URL values, objects the loader may destructure) are the loader's to write.
      if (typeof value === 'object' && !Array.isArray(value)) return loaderResolve(root, args, context, info);
      url += (url.includes('?') ? '&' : '?') + stringify({ [param]: value }, options);
    }
    // The upstream client reads the headers into a record of its own (it never changes these).
    const response = await fetch(url, { method: 'GET', headers }, context, info);
    // normalizeFieldErrors (./openapi-subgraph) answers with the slot's value.
    if (slot.parsed) return undefined;
    return loaderResolve(root, args, replaying(context, response), info);
  };
}

/**
 * A path value the loader would write as is: its template interpolation writes `String(value)`
 * (for `$` patterns, `null` and objects it writes something else) and url-join's rewrites touch
 * only `/`, `?`, `&` and `#`, none of which these contain.
 */
function pathSegment(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string' && /^[A-Za-z0-9._~-]+$/.test(value)) return value;
  return undefined;
}

/** The context the loader's resolver reads a reply from: its fetch (`context.fetch` first) answers with the reply already received. */
function replaying(context: unknown, response: Response): unknown {
  return Object.create((context ?? null) as object | null, { fetch: { value: async () => response } });
}

/** Directive arguments arrive as objects, JSON strings (ObjMap) or lists of pairs. */
function objectOf(value: unknown): Record<string, unknown> | undefined {
  if (value == null) return undefined;
  if (typeof value === 'string') return objectOf(JSON.parse(value));
  if (Array.isArray(value)) return Object.fromEntries(value as Array<[string, unknown]>);
  return typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}
