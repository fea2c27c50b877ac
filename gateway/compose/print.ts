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
