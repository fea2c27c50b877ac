import type { GraphQLSchema } from 'graphql';
import { Subschema } from '@graphql-tools/delegate';
import { stitchSchemas } from '@graphql-tools/stitch';
import type { SourceConfig, TesseraConfig } from '../config/schema';
import type { UpstreamObserver } from '../upstream/fetch';
import { CompositionError } from './errors';
import { buildGraphqlSubgraph } from './graphql-subgraph';
import { linkResolvers, linkTypeDefs, planLinks, withBatchFields, type PlannedSource } from './links';
import { buildOpenApiSubgraph } from './openapi-subgraph';
import type { Subgraph } from './subgraph';
import { buildTransforms, createRenamer } from './transforms';
import { checkTransformTargets } from './transform-targets';
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
  /** Told about each warning as it is found (the full list is also returned). */
  onWarning?: (warning: CompositionWarning) => void;
}

/**
 * Sources → subgraphs (OpenAPI through @omnigraph/openapi, GraphQL by introspection or SDL) → public
 * subschemas (naming rules, renames, hides) → one stitched schema with the configured links.
 */
export async function composeGateway(config: TesseraConfig, options: ComposeOptions = {}): Promise<ComposedGateway> {
  const warnings: CompositionWarning[] = [];
  const warn = (warning: CompositionWarning) => {
    warnings.push(warning);
    options.onWarning?.(warning);
  };
  const observe = options.observe ?? (() => {});
  const built = await Promise.allSettled(config.sources.map((source) => buildSubgraph(source, observe, warn)));
  const subgraphs = built.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const close = async () => {
    await Promise.all(subgraphs.map((subgraph) => subgraph.close()));
  };
  const failed = built.findIndex((result) => result.status === 'rejected');
  if (failed >= 0) {
    await close();
    throw new CompositionError(`sources[${failed}]`, ((built[failed] as PromiseRejectedResult).reason as Error).message);
  }
  try {
    return { ...stitch(config, subgraphs), warnings, subgraphs, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function stitch(config: TesseraConfig, subgraphs: Subgraph[]): { schema: GraphQLSchema } {

  const planned = subgraphs.map((subgraph, i): PlannedSource & { publicSubschema: Subschema } => {
    const transforms = config.sources[i].transforms;
    const publicSubschema = new Subschema({
      name: subgraph.name,
      schema: subgraph.schema,
      executor: subgraph.executor,
      transforms: buildTransforms(subgraph.naming, transforms, { hide: true }),
    });
    checkTransformTargets(`sources[${i}].transforms`, transforms, subgraph);
    return { subgraph, renamer: createRenamer(subgraph.naming, transforms), publicSchema: publicSubschema.transformedSchema, publicSubschema };
  });

  const plans = planLinks(config.links, planned);
  // Links resolve through their own subschema of the target source: the public names, none of the
  // hides (a link may use a root field the public schema hides), plus the hidden batch fields.
  const linkSubschemas = new Map(
    subgraphs.map((subgraph, i) => {
      const withBatch = withBatchFields(subgraph, plans);
      const subschema = new Subschema({
        name: `${subgraph.name} (links)`,
        // With batch fields the schema runs in-process (its root fields reach the upstream themselves).
        schema: withBatch ?? subgraph.schema,
        executor: withBatch ? undefined : subgraph.executor,
        transforms: buildTransforms(subgraph.naming, config.sources[i].transforms, { hide: false }),
      });
      return [subgraph, subschema];
    }),
  );

  let schema: GraphQLSchema;
  try {
    schema = stitchSchemas({
      subschemas: planned.map((p) => p.publicSubschema),
      typeDefs: plans.length ? linkTypeDefs(plans) : undefined,
      resolvers: linkResolvers(plans, (subgraph) => linkSubschemas.get(subgraph)!),
      // Types of the same name from several sources (e.g. a shared `Error`) merge rather than clash.
      mergeTypes: true,
    });
  } catch (error) {
    throw new CompositionError('sources', `the sources could not be stitched together: ${(error as Error).message}`);
  }
  return { schema };
}

function buildSubgraph(source: SourceConfig, observe: UpstreamObserver, warn: (w: CompositionWarning) => void): Promise<Subgraph> {
  return source.kind === 'graphql' ? buildGraphqlSubgraph(source, observe, warn) : buildOpenApiSubgraph(source, observe, warn);
}
