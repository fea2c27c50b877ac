import type { GraphQLSchema } from 'graphql';
import { processDirectives } from '@graphql-mesh/transport-rest';
import type { Logger } from '@graphql-mesh/types';
import type { ContextualFetch } from '../upstream/fetch';
import { convertedSdl, schemaFromSdl } from './converted-schema';
import { withPlainGets } from './plain-gets';
import { HTTP_METHODS, listOperations, type OpenApiDocument, type SpecOperation } from './spec';
import type { CompositionWarning, WarningSink } from './warnings';

export interface OpenApiLoadOptions {
  source: string;
  spec: OpenApiDocument;
  endpoint: string;
  fetch: ContextualFetch;
  warn: WarningSink;
  /** Where converted schemas are kept by spec hash (resilience.specCache). */
  cacheDir?: string;
}

/**
 * Turns one spec into an executable GraphQL schema with @omnigraph/openapi. When the loader throws on
 * a construct, the operations that use it are found (each loaded alone) and skipped with a warning
 * naming their JSON pointer, so one bad operation never costs the whole source.
 */
export async function loadOpenApiSchema(options: OpenApiLoadOptions): Promise<GraphQLSchema> {
  const { source, spec, warn } = options;
  // The loader's own warnings are kept only from the load whose schema is used: isolating a bad
  // operation loads the spec many times and would otherwise repeat each of them. Once a load
  // succeeds its logger forwards directly, since resolvers keep using it at run time.
  const loadReporting = async (document: OpenApiDocument) => {
    const told: CompositionWarning[] = [];
    let sink: WarningSink = (w) => told.push(w);
    const schema = await load(options, document, (w) => sink(w));
    told.forEach(warn);
    sink = warn;
    return schema;
  };
  try {
    return await loadReporting(spec);
  } catch (wholeSpecError) {
    const failing: Array<{ operation: SpecOperation; error: unknown }> = [];
    for (const operation of listOperations(spec)) {
      try {
        await load({ ...options, cacheDir: undefined }, keepOperations(spec, [operation]), () => {}); // probes are not kept
      } catch (error) {
        failing.push({ operation, error });
      }
    }
    if (failing.length === 0) {
      throw new Error(`source "${source}": the OpenAPI loader rejected the spec: ${messageOf(wholeSpecError)}`);
    }
    for (const { operation, error } of failing) {
      warn({
        source,
        pointer: operation.pointer,
        message: `operation ${operation.operationId ?? `${operation.method.toUpperCase()} ${operation.path}`} skipped: ${messageOf(error)}`,
      });
    }
    const failed = new Set(failing.map((f) => f.operation.pointer));
    const usable = listOperations(spec).filter((op) => !failed.has(op.pointer));
    if (usable.length === 0) throw new Error(`source "${source}": no operation of its spec could be loaded`);
    return loadReporting(keepOperations(spec, usable));
  }
}

/** Converted (or read from the cache) as SDL, then made executable: @httpOperation directives → resolvers (plain GETs ./plain-gets). */
async function load(options: OpenApiLoadOptions, spec: OpenApiDocument, warn: WarningSink): Promise<GraphQLSchema> {
  const logger = loaderLogger(options.source, warn);
  const sdl = await convertedSdl({ source: options.source, spec, prepare: forLoader, endpoint: options.endpoint, logger, cacheDir: options.cacheDir });
  const schema = processDirectives(schemaFromSdl(sdl), {
    endpoint: options.endpoint,
    globalFetch: options.fetch as unknown as NonNullable<Parameters<typeof processDirectives>[1]>['globalFetch'],
    logger,
  });
  withPlainGets(schema, { endpoint: options.endpoint, fetch: options.fetch });
  return schema;
}

/**
 * A copy (the loader dereferences the document in place) in which constructs the loader gets wrong
 * are rewritten into equivalent ones it gets right. All of it is one function because its text is
 * part of the converted-schema cache key: editing it converts again.
 */
function forLoader(spec: OpenApiDocument): OpenApiDocument {
  const seen = new WeakSet<object>();
  const normalize = (node: unknown): void => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) return node.forEach(normalize);
    const schema = node as Record<string, unknown>;
    // With a discriminator exactly one member applies, as with oneOf; the loader merges anyOf members
    // into one object type with every member's required fields non-null.
    if (Array.isArray(schema.anyOf) && schema.discriminator && !schema.oneOf) {
      schema.oneOf = schema.anyOf;
      delete schema.anyOf;
    }
    // OpenAPI 3.1 `type: [X, 'null']`: the loader drops 'null' without making the schema nullable.
    if (Array.isArray(schema.type) && schema.type.includes('null')) schema.nullable = true;
    Object.values(schema).forEach(normalize);
  };
  const copy = structuredClone(spec);
  normalize(copy);
  return copy;
}

/** Keeps only the given operations (and the path items they live in). */
function keepOperations(spec: OpenApiDocument, operations: SpecOperation[]): OpenApiDocument {
  const paths: NonNullable<OpenApiDocument['paths']> = {};
  for (const op of operations) {
    const item = spec.paths?.[op.path] ?? {};
    const kept = (paths[op.path] ??= Object.fromEntries(
      Object.entries(item).filter(([key]) => !(HTTP_METHODS as readonly string[]).includes(key)),
    ));
    kept[op.method] = item[op.method];
  }
  return { ...spec, paths };
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/**
 * The loader's own warnings become composition warnings; its per-call debug logging is dropped
 * cheaply (it creates a child logger for every resolver call).
 */
function loaderLogger(source: string, warn: WarningSink): Logger {
  const ignore = () => {};
  const logger: Logger = {
    name: source,
    log: ignore,
    info: ignore,
    debug: ignore,
    error: (...args: unknown[]) => warn({ source, pointer: '#', message: args.map(String).join(' ') }),
    warn: (...args: unknown[]) => warn({ source, pointer: '#', message: args.map(String).join(' ') }),
    child: () => logger,
  };
  return logger;
}
