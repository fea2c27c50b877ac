import {
  GraphQLSchema,
  getNamedType,
  isInterfaceType,
  isObjectType,
  isSpecifiedDirective,
  lexicographicSortSchema,
  printSchema,
  type GraphQLNamedType,
} from 'graphql';
import { sha256 } from '../shared/hash';

/**
 * The public SDL: sorted, without the loaders' transport directives (they carry upstream URLs)
 * and without types nothing reaches, so it is byte-identical whatever the hosts, ports or
 * environment the sources run on.
 */
export function printComposedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(reachableSchema(schema)))}\n`;
}

/**
 * The schema's root types, the specified directives and what they reach. What @graphql-tools/utils'
 * pruneSchema keeps (an interface a field returns keeps the types implementing it, so fragments on
 * them stay valid), found by graphql-js's own collection of referenced types: pruneSchema rebuilds
 * every type to drop the unreached ones, about a third of a second and 150 MB of garbage for a
 * 12 MiB spec, while this allocates only the new type map.
 */
function reachableSchema(schema: GraphQLSchema): GraphQLSchema {
  const directives = schema.getDirectives().filter(isSpecifiedDirective);
  const extraTypes = new Set<GraphQLNamedType>();
  for (;;) {
    const reachable = new GraphQLSchema({
      query: schema.getQueryType(),
      mutation: schema.getMutationType(),
      subscription: schema.getSubscriptionType(),
      directives,
      types: [...extraTypes],
      assumeValid: true,
    });
    const before = extraTypes.size;
    for (const type of Object.values(reachable.getTypeMap())) {
      if (!isObjectType(type) && !isInterfaceType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        const returned = getNamedType(field.type);
        if (isInterfaceType(returned)) schema.getPossibleTypes(returned).forEach((implementation) => extraTypes.add(implementation));
      }
    }
    if (extraTypes.size === before) return reachable;
  }
}

const versions = new WeakMap<GraphQLSchema, string>();

/**
 * A short hash of the public SDL: the schema's version in /status and the response cache's
 * namespace. Printed once per schema object, since a large schema takes about a second to print.
 */
export function schemaVersion(schema: GraphQLSchema): string {
  let version = versions.get(schema);
  if (!version) versions.set(schema, (version = sha256(printComposedSchema(schema)).slice(0, 12)));
  return version;
}
