import { getNamedType, isListType, isNonNullType, isObjectType, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema, type GraphQLType } from 'graphql';
import { getDirectiveExtensions } from '@graphql-tools/utils';
import type { OpenApiSourceConfig } from '../config/schema';
import { PARSED_BODY, type ParsedBodySlot } from '../upstream/parsed-body';
import { instanceUrls } from '../upstream/pool';
import { createUpstreamAuthorizer } from '../upstream/upstream-auth';
import type { Upstreams } from '../upstream/upstreams';
import { enforceInputConstraints } from '../inputs/enforce';
import { extractConstraints } from '../inputs/constraints';
import { inputScalarRelaxing } from '../inputs/scalars';
import { copyWith } from '../shared/copy-with';
import { toFieldError } from './field-errors';
import { markNullListItems, restoreNullItems } from './null-items';
import { retypeIds } from './ids';
import { computeNaming } from './naming';
import { loadOpenApiSchema } from './openapi-loader';
import { withLastKnownGood } from './last-known-good';
import { createOperationMatcher, findUnresolvedRefs, parseSpec, readSpecText } from './spec';
import type { Subgraph } from './subgraph';
import { createSourceNaming, type Renamer } from './transforms';
import type { WarningSink } from './warnings';

export async function buildOpenApiSubgraph(source: OpenApiSourceConfig, upstreams: Upstreams, warn: WarningSink, specCache: string): Promise<Subgraph> {
  const { value: spec, stale } = await withLastKnownGood(
    source,
    specCache,
    'spec',
    () => readSpecText(source.spec, source.name, source.tls),
    (text) => parseSpec(text, source.spec, source.name),
    warn,
  );
  for (const { pointer, ref } of findUnresolvedRefs(spec)) {
    warn({ source: source.name, pointer, message: `$ref "${ref}" points at nothing in this spec` });
  }
  const fetch = upstreams.client(source, createOperationMatcher(spec), {
    adaptBody: markNullListItems,
    authorize: createUpstreamAuthorizer(source, spec.components?.securitySchemes ?? spec.securityDefinitions),
  });
  const loaded = await loadOpenApiSchema({ source: source.name, spec, endpoint: instanceUrls(source)[0], fetch, warn, cacheDir: specCache });
  // The loaded schema is this composition's own: its root resolvers are wrapped in place, as
  // graphql-tools' addResolversToSchema does with updateResolversInPlace, rather than by one more pass.
  normalizeFieldErrors(loaded, source.name);
  // The spec's input constraints are checked before the call (after ids are converted back to the spec's types).
  let renamer: Renamer | undefined; // set below from the naming; requests only come after composition
  enforceInputConstraints(loaded, extractConstraints(spec, loaded, source.name, warn), { source: source.name, renamer: () => renamer });
  const schema = retypeIds(loaded, inputScalarRelaxing(loaded), { source: source.name, renamer: () => renamer });
  const componentNames = Object.keys(spec.components?.schemas ?? spec.definitions ?? {});
  const naming = computeNaming(schema, componentNames);
  renamer = createSourceNaming(naming, source.transforms).renamer;
  return {
    name: source.name,
    stale,
    schema,
    naming,
    localSchema: () => schema,
    // REST answers whole objects whatever the selection, so the batch operation's own resolver is
    // called directly and the key is read from the raw JSON.
    batchCaller: (rawField, matchField) => {
      const resolve = schema.getQueryType()!.getFields()[rawField].resolve as GraphQLFieldResolver<unknown, unknown>;
      return {
        call: async (args, context, info) => resolve(undefined, args, context, info),
        keyOf: (item) => (item as Record<string, unknown>)[matchField],
      };
    },
  };
}

/**
 * The loader returns upstream failures as GraphQLErrors carrying the upstream URL, headers and body;
 * each root field (in place) gives the client a normalized field error instead. Fields whose
 * answer needs none of the loader's response metadata take a successful reply's JSON from the
 * upstream client directly (../upstream/parsed-body).
 */
function normalizeFieldErrors(schema: GraphQLSchema, source: string): void {
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      const resolve = field.resolve;
      if (!resolve) continue;
      const direct = readsNoMetadata(schema, field.type);
      const list = isListReturn(field.type);
      field.resolve = async (parent, args, context, info) => {
        const slot: ParsedBodySlot | undefined = direct ? { parsed: false } : undefined;
        let result: unknown;
        try {
          result = await resolve(parent, args, context, slot ? (copyWith(info, { [PARSED_BODY]: slot }) as GraphQLResolveInfo) : info);
        } catch (error) {
          throw toFieldError(error, source);
        }
        if (slot?.parsed) result = asReturnShape(slot.value, list);
        if (result instanceof Error) throw toFieldError(result, source);
        return Array.isArray(result) ? restoreNullItems(result, source) : result;
      };
    }
  }
}

/** The loader's own directives whose resolvers read the getters it puts on each answered object. */
const METADATA_DIRECTIVES = ['responseMetadata', 'oas_link'];

/**
 * Does an answer of this type need no response metadata? Only an object type qualifies (the loader
 * resolves unions by status code from the metadata) whose fields read none of it.
 */
function readsNoMetadata(schema: GraphQLSchema, type: GraphQLType): boolean {
  const named = getNamedType(type);
  if (!isObjectType(named)) return false;
  return Object.values(named.getFields()).every((field) => {
    const directives = getDirectiveExtensions(field, schema);
    return !METADATA_DIRECTIVES.some((name) => directives?.[name]);
  });
}

function isListReturn(type: GraphQLType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** As the loader does: an object where a list is expected becomes a list of one, and a list where an object is expected its first item. */
function asReturnShape(value: unknown, list: boolean): unknown {
  if (list) return Array.isArray(value) ? value : [value];
  return Array.isArray(value) ? value[0] : value;
}
