import { isObjectType, type GraphQLSchema } from 'graphql';
import type { TesseraConfig } from '../config/schema';
import type { Subgraph } from '../compose/subgraph';
import { createSourceNaming } from '../compose/transforms';
import type { SchemaChange } from './compare';
import type { ChangeOrigin } from './evaluate';

/**
 * Traces a public schema coordinate back to where it comes from: root fields to the source and the
 * spec operation (operationId) that produced them, other types to the source and the spec's schema,
 * link fields to the config's `links`. Changes to elements the new composition no longer has are
 * traced through their type when it still exists (a removed `User.email` comes from `User`'s spec).
 */
export function createOriginLookup(
  config: TesseraConfig,
  subgraphs: Subgraph[],
  relativePath: (file: string) => string = (file) => file,
): (change: SchemaChange) => ChangeOrigin | undefined {
  const origins = new Map<string, ChangeOrigin>();
  subgraphs.forEach((subgraph, i) => {
    const source = config.sources[i];
    const location = source.kind === 'openapi' ? source.spec : source.sdl;
    const spec = location ? relativePath(location) : undefined;
    const { renamer } = createSourceNaming(subgraph.naming, source.transforms);
    for (const operation of ['Query', 'Mutation'] as const) {
      const root = operation === 'Query' ? subgraph.schema.getQueryType() : subgraph.schema.getMutationType();
      for (const raw of Object.keys(root?.getFields() ?? {})) {
        const element = source.kind === 'openapi' ? `operation ${raw}` : `field ${operation}.${raw}`;
        origins.set(`${operation}.${renamer.rootField(operation, raw)}`, { source: source.name, spec, element });
      }
    }
    for (const type of namedTypes(subgraph.schema)) {
      const name = renamer.type(type);
      if (!origins.has(name)) origins.set(name, { source: source.name, spec, element: source.kind === 'openapi' ? `schema ${type}` : `type ${type}` });
    }
  });
  for (const coordinate of Object.keys(config.links)) origins.set(coordinate, { source: 'config', element: `links["${coordinate}"]` });

  return (change) => {
    const segments = change.path.split('.');
    // Most specific first: Query.user.id → Query.user → Query.
    for (let length = Math.min(segments.length, 2); length > 0; length--) {
      const origin = origins.get(segments.slice(0, length).join('.'));
      if (origin) return origin;
    }
    return undefined;
  };
}

function namedTypes(schema: GraphQLSchema): string[] {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]);
  return Object.values(schema.getTypeMap())
    .filter((type) => !type.name.startsWith('__') && !(isObjectType(type) && roots.has(type)))
    .map((type) => type.name);
}
