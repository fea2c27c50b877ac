/* eslint-disable @typescript-eslint/no-require-imports -- the library is loaded only when a directives file is read */
import { readFileSync } from 'node:fs';
import {
  buildASTSchema,
  getDirectiveValues,
  Kind,
  parse,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLDirective,
} from 'graphql';
import { CompositionError } from '../compose/errors';
import type { FieldLimitConfig } from '../config/schema';
import { PLACEHOLDERS_EXPECTED, unknownPlaceholders } from './errors';
import { windowSeconds } from './window';

/** @envelop/rate-limiter's defaults when a directive leaves them out. */
const DEFAULT_MAX = 5;
const DEFAULT_WINDOW = '60s';

/** Arguments of the library's directive that Tessera does not apply: refused rather than ignored. */
const UNSUPPORTED = ['identityArgs', 'arrayLengthField', 'readOnly', 'uncountRejected'];

let rateLimitDirective: GraphQLDirective | undefined;

/**
 * Field limits written schema-first, with @envelop/rate-limiter's own `@rateLimit` directive
 * (its DIRECTIVE_SDL, so arguments are checked against its definition), in a file of their own:
 *
 *     extend type Mutation { createOrder: Order @rateLimit(max: 5, window: "60s") }
 *
 * The library applies the directive only to fields of the schema it is given, and a gateway cannot
 * redeclare fields generated from OpenAPI; read from this file by coordinate, the limits apply to
 * any field of the composed schema, and are checked against it like `rateLimits.fields`. The
 * field's type in the file is not read.
 */
export function readDirectivesFile(file: string): Record<string, FieldLimitConfig & { path: string }> {
  const where = 'rateLimits.directivesFile';
  let document: DocumentNode;
  try {
    document = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CompositionError(where, `cannot read ${file}: ${(error as Error).message}`);
  }
  // Required here: @envelop/rate-limiter (with its own copy of @graphql-tools/utils) costs ~30 ms
  // of start-up, for gateways that never read a directives file.
  const { DIRECTIVE_SDL } = require('@envelop/rate-limiter') as typeof import('@envelop/rate-limiter');
  rateLimitDirective ??= buildASTSchema(parse(DIRECTIVE_SDL), { assumeValidSDL: true }).getDirective('rateLimit')!;
  const limits: Record<string, FieldLimitConfig & { path: string }> = {};
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of definition.fields ?? []) {
      const coordinate = `${definition.name.value}.${field.name.value}`;
      const path = `${where} (${file}:${field.loc?.startToken.line ?? '?'}, ${coordinate})`;
      const limit = limitOf(field, path);
      if (!limit) continue;
      if (limits[coordinate]) throw new CompositionError(path, `${coordinate} has two @rateLimit directives; keep one`);
      limits[coordinate] = { ...limit, path };
    }
  }
  return limits;
}

function limitOf(field: FieldDefinitionNode, path: string): FieldLimitConfig | undefined {
  const node = field.directives?.find((directive) => directive.name.value === 'rateLimit');
  if (!node) return undefined;
  let values: Record<string, unknown> | undefined;
  try {
    values = getDirectiveValues(rateLimitDirective!, { directives: [node] });
  } catch (error) {
    throw new CompositionError(path, `@rateLimit: ${(error as Error).message}`);
  }
  const unsupported = UNSUPPORTED.filter((name) => values?.[name] !== undefined);
  if (unsupported.length) throw new CompositionError(path, `@rateLimit(${unsupported.join(', ')}) is not supported by Tessera; use max, window and message`);
  const max = (values?.max as number | null | undefined) ?? DEFAULT_MAX;
  const window = (values?.window as string | null | undefined) ?? DEFAULT_WINDOW;
  if (!Number.isInteger(max) || max < 1) throw new CompositionError(path, `@rateLimit(max:) expected a positive integer, found ${max}`);
  if (windowSeconds(window) === undefined) throw new CompositionError(path, `@rateLimit(window:) expected a window of whole seconds with its unit, e.g. "10s", found "${window}"`);
  const message = values?.message as string | null | undefined;
  const unknown = message ? unknownPlaceholders(message) : [];
  if (unknown.length) throw new CompositionError(path, `@rateLimit(message:) ${PLACEHOLDERS_EXPECTED}, found {{${unknown[0]}}}`);
  return { max, window, per: 'user', ...(message ? { message } : {}) };
}
