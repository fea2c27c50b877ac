import { isObjectType, type GraphQLSchema } from 'graphql';
import { Subschema } from '@graphql-tools/delegate';
import { stitchSchemas } from '@graphql-tools/stitch';
import type { IResolvers } from '@graphql-tools/utils';
import { relaxGuardedFields } from '../auth/guarded-fields';
import { checkRuleTargets, ownerFieldsByCoordinate, rulesPresentIn } from '../auth/rules';
import type { SourceConfig, TesseraConfig } from '../config/schema';
import { createUpstreams, type Upstreams } from '../upstream/upstreams';
import { withDeprecations } from './deprecations';
import { createDirectExecutor } from './direct-executor';
import { CompositionError } from './errors';
import { buildGraphqlSubgraph } from './graphql-subgraph';
import { linkResolvers, linkTypeDefs, planLinks, withBatchFields, type PlannedSource } from './links';
import { buildOpenApiSubgraph } from './openapi-subgraph';
import { createRootDelegation } from './root-delegation';
import type { Subgraph } from './subgraph';
import { createSourceNaming } from './transforms';
import { checkPublicSchema, checkTransformTargets } from './transform-targets';
import type { CompositionWarning, WarningSink } from './warnings';

export interface ComposedGateway {
  schema: GraphQLSchema;
  warnings: CompositionWarning[];
  /** Sources that could not be read: built from their last known good spec, or left out (`whenDown`). */
  degraded: DegradedSource[];
  subgraphs: Subgraph[];
  /** Releases the upstream connections composing opened (none when `upstreams` was given). */
  close(): Promise<void>;
}

export interface DegradedSource {
  source: string;
  how: 'last-known-good' | 'skipped';
  reason: string;
}

export interface ComposeOptions {
  /** The sources' pools (a gateway's, kept across reloads); without them composing makes its own. */
  upstreams?: Upstreams;
  /** Told about each warning as it is found (the full list is also returned). */
  onWarning?: (warning: CompositionWarning) => void;
}

/**
 * Sources → subgraphs (OpenAPI through @omnigraph/openapi, GraphQL by introspection or SDL) → public
 * subschemas (naming rules, renames, hides, deprecations) → one stitched schema with the configured
 * links, in which every field an authorization rule guards is nullable.
 */
export async function composeGateway(config: TesseraConfig, options: ComposeOptions = {}): Promise<ComposedGateway> {
  const warnings: CompositionWarning[] = [];
  // Loaders keep their logger at run time; later warnings go to onWarning only, so the returned
  // list never grows while the gateway serves.
  let composing = true;
  const warn = (warning: CompositionWarning) => {
    if (composing) warnings.push(warning);
    options.onWarning?.(warning);
  };
  const upstreams = options.upstreams ?? createUpstreams();
  const built = await Promise.allSettled(config.sources.map((source) => buildSubgraph(source, upstreams, warn, config.resilience.specCache)));
  const close = async () => {
    if (!options.upstreams) await upstreams.close();
  };
  const kept: Array<{ source: SourceConfig; subgraph: Subgraph; index: number }> = [];
  const degraded: DegradedSource[] = [];
  for (const [i, result] of built.entries()) {
    const source = config.sources[i];
    if (result.status === 'fulfilled') {
      kept.push({ source, subgraph: result.value, index: i });
      if (result.value.stale) degraded.push({ source: source.name, how: 'last-known-good', reason: result.value.stale });
      continue;
    }
    const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
    if (source.resilience.whenDown !== 'skip') {
      await close();
      throw new CompositionError(`sources[${i}]`, reason);
    }
    degraded.push({ source: source.name, how: 'skipped', reason });
    warn({ source: source.name, pointer: '#', message: `left out of the schema until it can be read: ${reason}` });
  }
  const skipping = kept.length < config.sources.length;
  try {
    const subgraphs = kept.map(({ source, subgraph, index }) =>
      source.kind === 'openapi' ? withDeprecations(`sources[${index}]`, subgraph, source, warn) : subgraph,
    );
    const stitched = stitch({ ...config, sources: kept.map((k) => k.source) }, subgraphs, skipping ? warn : undefined);
    const rules = skipping
      ? rulesPresentIn(stitched, config.auth.rules, (target) => warn({ source: 'auth.rules', pointer: target, message: 'rule waits for its source, left out while it is down' }))
      : config.auth.rules;
    checkRuleTargets(rules, stitched);
    return { schema: relaxGuardedFields(stitched, rules), warnings, degraded, subgraphs, close };
  } catch (error) {
    await close();
    throw error;
  } finally {
    composing = false;
  }
}

/** With `dropLinksFor` (some source was left out), links that need a missing source are dropped with a warning. */
function stitch(config: TesseraConfig, subgraphs: Subgraph[], dropLinksFor?: WarningSink): GraphQLSchema {
  const rootDelegation = createRootDelegation();
  const sources = subgraphs.map((subgraph, i) => {
    const path = `sources[${i}].transforms`;
    const transforms = config.sources[i].transforms;
    checkTransformTargets(path, transforms, subgraph);
    const naming = createSourceNaming(subgraph.naming, transforms);
    // A remote source's own executor, else its in-process schema's (shared by both subschemas
    // below), recording what root fields' first delegations send (./root-delegation).
    const executor = rootDelegation.recording(subgraph.executor ?? createDirectExecutor(subgraph.schema));
    const publicSubschema = new Subschema({
      name: subgraph.name,
      schema: subgraph.schema,
      executor,
      transforms: naming.transforms({ hide: true }),
      createProxyingResolver: rootDelegation.proxyingResolver,
    });
    return {
      subgraph,
      naming,
      executor,
      publicSubschema,
      renamer: naming.renamer,
      // Built on first use (links, owner rules): stitching transforms the source again over its
      // own wrapping schema, so a source nothing asks about is transformed once.
      get publicSchema() {
        return publicSubschema.transformedSchema;
      },
    };
  });

  const plans = planLinks(dropLinksFor ? usableLinks(config.links, sources, dropLinksFor) : config.links, sources);
  // Links resolve through their own subschema of the target source: the public names, none of the
  // hides (a link may use a root field the public schema hides), plus the hidden batch fields.
  const linkSubschemas = new Map(
    sources
      .filter(({ subgraph }) => plans.some((plan) => plan.target === subgraph))
      .map(({ subgraph, naming, executor }) => {
        const withBatch = withBatchFields(subgraph, plans);
        const subschema = new Subschema({
          name: `${subgraph.name} (links)`,
          // With batch fields the schema runs in-process (its root fields reach the upstream themselves).
          schema: withBatch ?? subgraph.schema,
          executor: withBatch ? rootDelegation.recording(createDirectExecutor(withBatch)) : executor,
          transforms: naming.transforms({ hide: false }),
        });
        // Transformed now rather than by the first request that follows a link, which waited for it.
        void subschema.transformedSchema;
        return [subgraph, subschema];
      }),
  );

  // Owner rules compare a parent field with a claim: fetch it even when the client did not ask.
  const resolvers = withRequiredFields(
    linkResolvers(plans, (subgraph) => linkSubschemas.get(subgraph)!, rootDelegation.delegator),
    ownerFieldsByCoordinate(config.auth.rules),
    (typeName, fieldName) =>
      sources.some(({ publicSchema }) => {
        const type = publicSchema.getType(typeName);
        return isObjectType(type) && fieldName in type.getFields();
      }),
  );
  const own = resolveFunctionsOf(resolvers);
  // Hides can leave a source's public schema invalid: the config entry is named. Checked on the
  // public schemas stitching made, as a source's own would cost one more pass over its schema.
  const checkPublicSchemas = (publicSchemaOf: (subschema: Subschema) => { transformedSchema: GraphQLSchema }) =>
    sources.forEach(({ publicSubschema }, i) => checkPublicSchema(`sources[${i}].transforms`, config.sources[i].transforms, publicSchemaOf(publicSubschema)));
  let stitched: GraphQLSchema;
  try {
    stitched = stitchSchemas({
      subschemas: sources.map((source) => source.publicSubschema),
      typeDefs: plans.length ? linkTypeDefs(plans) : undefined,
      resolvers,
      // Types of the same name from several sources (e.g. a shared `Error`) merge rather than clash.
      mergeTypes: true,
    });
  } catch (error) {
    checkPublicSchemas((subschema) => subschema);
    throw new CompositionError('sources', `the sources could not be stitched together: ${(error as Error).message}`);
  }
  const stitchedSubschemas = (stitched.extensions as { stitchingInfo?: { subschemaMap?: Map<unknown, Subschema> } }).stitchingInfo?.subschemaMap;
  checkPublicSchemas((subschema) => stitchedSubschemas?.get(subschema) ?? subschema);
  return withoutLocalResultMerging(stitched, own);
}

type ResolverMap = Record<string, Record<string, { resolve?: unknown }>>;

function resolveFunctionsOf(resolvers: IResolvers): Map<string, unknown> {
  const own = new Map<string, unknown>();
  for (const [typeName, fields] of Object.entries(resolvers as ResolverMap)) {
    for (const [fieldName, field] of Object.entries(fields)) own.set(`${typeName}.${fieldName}`, field.resolve);
  }
  return own;
}

/**
 * Stitching wraps each resolver we give it (the links) so that an object it returns which lacks
 * some selected fields gets them from another subschema its type merges with. That takes a merge
 * resolver, which only a subschema's `merge` config makes, and ours have none: the wrapper always
 * hands the value back, after walking the selection against every object of it (~10% of the bytes
 * a list query with links allocated). So while no merged type has a merge resolver, the link
 * fields of the stitched schema get back the resolvers we gave.
 */
function withoutLocalResultMerging(schema: GraphQLSchema, own: Map<string, unknown>): GraphQLSchema {
  const merged = (schema.extensions as { stitchingInfo?: { mergedTypes?: Record<string, { resolvers?: Map<unknown, unknown> }> } }).stitchingInfo?.mergedTypes;
  if (!merged || Object.values(merged).some((info) => (info.resolvers?.size ?? 0) > 0)) return schema;
  for (const [coordinate, original] of own) {
    const [typeName, fieldName] = coordinate.split('.');
    const type = schema.getType(typeName);
    const target = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    if (typeof original === 'function' && target) target.resolve = original as typeof target.resolve;
  }
  return schema;
}

/** Stitching fetches a field's `selectionSet` from the parent's subschema whatever the client selected. */
function withRequiredFields(
  resolvers: IResolvers,
  requiredFields: Record<string, string[]>,
  fieldExists: (typeName: string, fieldName: string) => boolean,
): IResolvers {
  const merged = { ...resolvers } as Record<string, Record<string, { selectionSet?: string }>>;
  for (const [coordinate, fields] of Object.entries(requiredFields)) {
    const [typeName, fieldName] = coordinate.split('.');
    // A rule naming an unknown field is reported by checkRuleTargets, at its place in the config.
    if (!fieldExists(typeName, fieldName)) continue;
    const existing = merged[typeName]?.[fieldName];
    const selections = [existing?.selectionSet?.replace(/^\{|\}$/g, '').trim(), ...fields].filter(Boolean).join(' ');
    merged[typeName] = { ...merged[typeName], [fieldName]: { ...existing, selectionSet: `{ ${selections} }` } };
  }
  return merged as IResolvers;
}

function usableLinks(links: TesseraConfig['links'], sources: PlannedSource[], warn: WarningSink): TesseraConfig['links'] {
  return Object.fromEntries(
    Object.entries(links).filter(([coordinate, link]) => {
      try {
        planLinks({ [coordinate]: link }, sources);
        return true;
      } catch (error) {
        warn({ source: 'links', pointer: coordinate, message: `link left out while a source is missing: ${(error as Error).message}` });
        return false;
      }
    }),
  );
}

function buildSubgraph(source: SourceConfig, upstreams: Upstreams, warn: WarningSink, specCache: string): Promise<Subgraph> {
  return source.kind === 'graphql' ? buildGraphqlSubgraph(source, upstreams, warn, specCache) : buildOpenApiSubgraph(source, upstreams, warn, specCache);
}
