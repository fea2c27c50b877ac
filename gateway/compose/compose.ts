import type { GraphQLSchema } from 'graphql';
import { Subschema } from '@graphql-tools/delegate';
import { stitchSchemas } from '@graphql-tools/stitch';
import type { SourceConfig, TesseraConfig } from '../config/schema';
import { createUpstreams, type Upstreams } from '../upstream/upstreams';
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
  /** Releases the upstream connections composing opened (none when `upstreams` was given). */
  close(): Promise<void>;
}

export interface ComposeOptions {
  /** The sources' pools (a gateway's, kept across reloads); without them composing makes its own. */
  upstreams?: Upstreams;
  /** Told about each warning as it is found (the full list is also returned). */
  onWarning?: (warning: CompositionWarning) => void;
}

/**
 * Sources → subgraphs (OpenAPI through @omnigraph/openapi, GraphQL by introspection or SDL) → public
 * subschemas (naming rules, renames, hides) → one stitched schema with the configured links.
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
  const built = await Promise.allSettled(config.sources.map((source) => buildSubgraph(source, upstreams, warn)));
  const subgraphs = built.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const close = async () => {
    if (!options.upstreams) await upstreams.close();
  };
  const failed = built.findIndex((result) => result.status === 'rejected');
  if (failed >= 0) {
    await close();
    const reason: unknown = (built[failed] as PromiseRejectedResult).reason;
    throw new CompositionError(`sources[${failed}]`, reason instanceof Error ? reason.message : String(reason));
  }
  try {
    return { schema: stitch(config, subgraphs), warnings, subgraphs, close };
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
      resolvers: linkResolvers(plans, (subgraph) => linkSubschemas.get(subgraph)!),
      // Types of the same name from several sources (e.g. a shared `Error`) merge rather than clash.
      mergeTypes: true,
    });
  } catch (error) {
    throw new CompositionError('sources', `the sources could not be stitched together: ${(error as Error).message}`);
  }
}

function buildSubgraph(source: SourceConfig, upstreams: Upstreams, warn: (w: CompositionWarning) => void): Promise<Subgraph> {
  return source.kind === 'graphql' ? buildGraphqlSubgraph(source, upstreams) : buildOpenApiSubgraph(source, upstreams, warn);
}
