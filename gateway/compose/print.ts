import { createHash } from 'node:crypto';
import { GraphQLSchema, isSpecifiedDirective, lexicographicSortSchema, printSchema } from 'graphql';
import { pruneSchema } from '@graphql-tools/utils';

/**
 * The public SDL: sorted, without the loaders' transport directives (they carry upstream URLs)
 * and without types nothing reaches, so it is byte-identical whatever the hosts, ports or
 * environment the sources run on.
 */
export function printComposedSchema(schema: GraphQLSchema): string {
  const withoutDirectives = new GraphQLSchema({
    ...schema.toConfig(),
    directives: schema.getDirectives().filter(isSpecifiedDirective),
  });
  return `${printSchema(lexicographicSortSchema(pruneSchema(withoutDirectives)))}\n`;
}

const versions = new WeakMap<GraphQLSchema, string>();

/**
 * A short hash of the public SDL: the schema's version in /status and the response cache's
 * namespace. Printed once per schema object, since a large schema takes about a second to print.
 */
export function schemaVersion(schema: GraphQLSchema): string {
  let version = versions.get(schema);
  if (!version) versions.set(schema, (version = createHash('sha256').update(printComposedSchema(schema)).digest('hex').slice(0, 12)));
  return version;
}
