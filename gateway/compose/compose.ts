import { isObjectType, type GraphQLSchema } from 'graphql';
import { Subschema } from '@graphql-tools/delegate';
import type { IResolvers } from '@graphql-tools/utils';
import { stitchSchemas } from '@graphql-tools/stitch';
import type { SourceConfig, TesseraConfig } from '../config/schema';
import type { UpstreamHooks, UpstreamObserver, UpstreamTrace } from '../upstream/fetch';
import { relaxGuardedFields } from '../auth/guarded-fields';
import { checkRuleTargets, ownerFieldsByCoordinate } from '../auth/rules';
import { withDeprecations } from './deprecations';
import { CompositionError } from './errors';
import { buildGraphqlSubgraph } from './graphql-subgraph';
import { linkResolvers, linkTypeDefs, planLinks, withBatchFields } from './links';
import { buildOpenApiSubgraph } from './openapi-subgraph';
import type { Subgraph } from './subgraph';
import { createSourceNaming } from './transforms';
import { checkPublicSchema, checkTransformTargets } from './transform-targets';
import type { CompositionWarning } from './warnings';

export interface ComposedGateway {
  schema: GraphQLSchema;
  warnings: CompositionWarning[];
  subgraphs: Subgraph[];
  /** Releases every source's upstream connections. */
  close(): Promise<void>;
}

export interface ComposeOptions {
  /** Told about every upstream call (metrics, logs); composing alone needs none. */
  observe?: UpstreamObserver;
  /** Traces every upstream call (W3C trace context sent upstream); absent when tracing is off. */
  trace?: UpstreamTrace;
  /** Told about each warning as it is found (the full list is also returned). */
  onWarning?: (warning: CompositionWarning) => void;
}

/**
 * Sources → subgraphs (OpenAPI through @omnigraph/openapi, GraphQL by introspection or SDL) → public
 * subschemas (naming rules, renames, hides) → one stitched schema with the configured links, in
 * which every field an authorization rule guards is nullable.
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
  const observe = options.observe ?? (() => {});
  const built = await Promise.allSettled(config.sources.map((source) => buildSubgraph(source, { observe, trace: options.trace }, warn)));
  const subgraphs = built.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const close = async () => {
    await Promise.all(subgraphs.map((subgraph) => subgraph.close()));
  };
  const failed = built.findIndex((result) => result.status === 'rejected');
  if (failed >= 0) {
    await close();
    const reason: unknown = (built[failed] as PromiseRejectedResult).reason;
    throw new CompositionError(`sources[${failed}]`, reason instanceof Error ? reason.message : String(reason));
  }
  try {
    const deprecated = subgraphs.map((subgraph, i) => {
      const source = config.sources[i];
      return source.kind === 'openapi' ? withDeprecations(`sources[${i}]`, subgraph, source, warn) : subgraph;
    });
    const stitched = stitch(config, deprecated);
    checkRuleTargets(config.auth.rules, stitched);
    return { schema: relaxGuardedFields(stitched, config.auth.rules), warnings, subgraphs: deprecated, close };
  } catch (error) {
    await close();
    throw error;
  } finally {
    composing = false;
  }
}

function stitch(config: TesseraConfig, subgraphs: Subgraph[]): GraphQLSchema {
  const sources = subgraphs.map((subgraph, i) => {
    const path = `sources[${i}].transforms`;
    const transforms = config.sources[i].transforms;
    checkTransformTargets(path, transforms, subgraph);
    const naming = createSourceNaming(subgraph.naming, transforms);
    const publicSubschema = new Subschema({
      name: subgraph.name,
      schema: subgraph.schema,
      executor: subgraph.executor,
      transforms: naming.transforms({ hide: true }),
    });
    checkPublicSchema(path, transforms, publicSubschema.transformedSchema);
    return { subgraph, naming, publicSubschema, renamer: naming.renamer, publicSchema: publicSubschema.transformedSchema };
  });

  const plans = planLinks(config.links, sources);
  // Links resolve through their own subschema of the target source: the public names, none of the
  // hides (a link may use a root field the public schema hides), plus the hidden batch fields.
  const linkSubschemas = new Map(
    sources.map(({ subgraph, naming }) => {
      const withBatch = withBatchFields(subgraph, plans);
      const subschema = new Subschema({
        name: `${subgraph.name} (links)`,
        // With batch fields the schema runs in-process (its root fields reach the upstream themselves).
        schema: withBatch ?? subgraph.schema,
        executor: withBatch ? undefined : subgraph.executor,
        transforms: naming.transforms({ hide: false }),
      });
      return [subgraph, subschema];
    }),
  );

  try {
    return stitchSchemas({
      subschemas: sources.map((source) => source.publicSubschema),
      typeDefs: plans.length ? linkTypeDefs(plans) : undefined,
      // Owner rules compare a parent field with a claim: fetch it even when the client did not ask.
      resolvers: withRequiredFields(
        linkResolvers(plans, (subgraph) => linkSubschemas.get(subgraph)!),
        ownerFieldsByCoordinate(config.auth.rules),
        (typeName, fieldName) =>
          sources.some(({ publicSchema }) => {
            const type = publicSchema.getType(typeName);
            return isObjectType(type) && fieldName in type.getFields();
          }),
      ),
      // Types of the same name from several sources (e.g. a shared `Error`) merge rather than clash.
      mergeTypes: true,
    });
  } catch (error) {
    throw new CompositionError('sources', `the sources could not be stitched together: ${(error as Error).message}`);
  }
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

function buildSubgraph(source: SourceConfig, hooks: UpstreamHooks, warn: (w: CompositionWarning) => void): Promise<Subgraph> {
  return source.kind === 'graphql' ? buildGraphqlSubgraph(source, hooks) : buildOpenApiSubgraph(source, hooks, warn);
}
