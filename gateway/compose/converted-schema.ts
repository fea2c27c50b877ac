import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildASTSchema, parse, print, visit, type GraphQLSchema } from 'graphql';
import { getDocumentNodeFromSchema } from '@graphql-tools/utils';
import type { Logger } from '@graphql-mesh/types';
import { version as loaderVersion } from '@omnigraph/openapi/package.json';
import { sha256 } from '../shared/hash';
import type { OpenApiDocument } from './spec';

export interface ConvertOptions {
  source: string;
  /** As read; the cache key is taken over it. */
  spec: OpenApiDocument;
  /**
   * The copy the loader converts (it dereferences in place), with what it gets wrong rewritten.
   * Made only on a miss; its code is part of the cache key, so changing it converts again.
   */
  prepare: (spec: OpenApiDocument) => OpenApiDocument;
  endpoint: string;
  logger: Logger;
  /** Folder of converted schemas (resilience.specCache); none: convert every time. */
  cacheDir?: string;
}

/**
 * Converted with this endpoint and given the real one on the way out: the SDL names it only in
 * @transport (requests take theirs from processDirectives' options), and a key without it keeps
 * one entry per spec, not one per host and port the source ever ran on.
 */
const ENDPOINT_PLACEHOLDER = 'http://tessera-endpoint.invalid';

/**
 * The OpenAPI → GraphQL conversion (@omnigraph/openapi's non-executable half: dereferencing,
 * JSON Schema → types, every operation as @httpOperation directives) as SDL, kept on disk by a
 * hash of the spec, the source name and the loader's version. Converting is the expensive part of
 * composing a large spec; rebuilding from SDL is what Mesh/Hive gateways do with a supergraph.
 * Every composition goes through the SDL, cached or not, so both paths serve the same schema.
 */
export async function convertedSdl(options: ConvertOptions): Promise<string> {
  return (await converted(options)).replaceAll(ENDPOINT_PLACEHOLDER, options.endpoint);
}

async function converted(options: ConvertOptions): Promise<string> {
  const { source, spec, prepare, cacheDir, logger } = options;
  const hash = sha256(`${loaderVersion}\0${prepare.toString()}\0${source}\0${JSON.stringify(spec)}`);
  const file = cacheDir && join(cacheDir, 'converted', `${source}-${hash.slice(0, 32)}.json`);
  const cached = file && (await readFile(file, 'utf8').then((text) => JSON.parse(text) as Converted).catch(() => undefined));
  if (cached) {
    // The loader's warnings are told again: a cached start reports what a cold one does.
    for (const warning of cached.warnings) logger.warn(warning);
    return cached.sdl;
  }
  const warnings: string[] = [];
  const told = (...args: unknown[]) => {
    warnings.push(args.map(String).join(' '));
    logger.warn(...args);
  };
  // Loaded only on a miss: the converter's dependencies are a good part of start-up time.
  const { loadNonExecutableGraphQLSchemaFromOpenAPI } = await import('@omnigraph/openapi');
  const schema = await loadNonExecutableGraphQLSchemaFromOpenAPI(source, {
    // The loader accepts a parsed document although its type says string.
    source: prepare(spec) as unknown as string,
    endpoint: ENDPOINT_PLACEHOLDER,
    // Without this, operations with declared error responses become `Result | Error` unions that
    // break links and force inline fragments on clients; errors become field errors instead.
    ignoreErrorResponses: true,
    logger: { ...logger, warn: told, error: told, child: () => ({ ...logger, warn: told, error: told }) } as Logger,
  });
  const sdl = printExactly(schema);
  if (file) {
    // Written aside and renamed, so a crash mid-write never leaves half a schema behind; a
    // read-only folder only costs the next start the conversion.
    await mkdir(join(cacheDir, 'converted'), { recursive: true })
      .then(() => writeFile(`${file}.${process.pid}.tmp`, JSON.stringify({ sdl, warnings } satisfies Converted)))
      .then(() => rename(`${file}.${process.pid}.tmp`, file))
      .catch((error: unknown) => logger.warn(`could not keep the converted schema in ${file}: ${(error as Error).message}`));
  }
  return sdl;
}

interface Converted {
  sdl: string;
  /** What the loader warned about while converting. */
  warnings: string[];
}

/**
 * SDL with directives whose descriptions parse back to the same strings: block strings ("""")
 * drop a trailing newline and common indentation, which YAML specs' descriptions often have.
 */
function printExactly(schema: GraphQLSchema): string {
  return print(visit(getDocumentNodeFromSchema(schema), { StringValue: (node) => (node.block ? { ...node, block: false } : undefined) }));
}

export function schemaFromSdl(sdl: string): GraphQLSchema {
  // Printed by us from a schema graphql-js built: validating it again costs time and finds nothing.
  return buildASTSchema(parse(sdl, { noLocation: true }), { assumeValidSDL: true, assumeValid: true });
}
