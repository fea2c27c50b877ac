import { GraphQLObjectType, isObjectType, isOutputType, parseType, print, typeFromAST, visit, type GraphQLOutputType, type TypeNode } from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import type { OpenApiSourceConfig, SourceDeprecation } from '../config/schema';
import { CompositionError } from './errors';
import type { Subgraph } from './subgraph';
import { createSourceNaming } from './transforms';
import type { WarningSink } from './warnings';

/**
 * `sources[].deprecations`: marks fields @deprecated, and keeps fields the spec no longer has (with
 * the type they had), so clients can migrate before the field goes. A kept field reads its JSON
 * property from the upstream's answer: services usually still send a property for a while after
 * their spec drops it; when they stop, the field is null (or a field error if its type is non-null).
 */
export function withDeprecations(path: string, subgraph: Subgraph, source: OpenApiSourceConfig, warn: WarningSink, today = new Date()): Subgraph {
  const entries = Object.entries(source.deprecations);
  if (entries.length === 0) return subgraph;
  const { renamer } = createSourceNaming(subgraph.naming, source.transforms);
  const rawTypeOf = new Map(Object.keys(subgraph.schema.getTypeMap()).map((raw) => [renamer.type(raw), raw]));

  // raw type name → raw field name → what to do with it
  const plans = new Map<string, Map<string, { deprecation: SourceDeprecation; keep?: TypeNode }>>();
  for (const [coordinate, deprecation] of entries) {
    const at = `${path}.deprecations[${JSON.stringify(coordinate)}]`;
    const [typeName, fieldName] = coordinate.split('.');
    const rawType = rawTypeOf.get(typeName);
    const type = rawType ? subgraph.schema.getType(rawType) : undefined;
    if (!rawType || !isObjectType(type)) throw new CompositionError(at, `source "${source.name}" has no object type ${typeName}`);
    const rawField = Object.keys(type.getFields()).find((raw) => renamer.objectField(typeName, raw) === fieldName);
    if (!rawField && !deprecation.type) {
      throw new CompositionError(at, `${coordinate} is no longer in the spec; give its GraphQL \`type\` (e.g. "String!") to keep it as deprecated`);
    }
    if (deprecation.removeAfter && deprecation.removeAfter < today.toISOString().slice(0, 10)) {
      warn({ source: source.name, pointer: coordinate, message: `deprecated field kept past its removeAfter date (${deprecation.removeAfter}): remove it from the config` });
    }
    const fields = plans.get(rawType) ?? new Map();
    plans.set(rawType, fields);
    fields.set(rawField ?? fieldName, { deprecation, ...(rawField ? {} : { keep: parseType(deprecation.type!) }) });
  }

  // The config names types publicly; the subgraph still has the loader's names.
  const outputType = (node: TypeNode, at: string): GraphQLOutputType => {
    const raw = visit(node, { NamedType: (named) => ({ ...named, name: { ...named.name, value: rawTypeOf.get(named.name.value) ?? named.name.value } }) });
    const type = typeFromAST(subgraph.schema, raw);
    if (!type || !isOutputType(type)) throw new CompositionError(at, `no output type ${print(node)} in source "${source.name}" for the kept field`);
    return type;
  };

  const schema = mapSchema(subgraph.schema, {
    [MapperKind.OBJECT_TYPE]: (type) => {
      const fields = plans.get(type.name);
      if (!fields) return type;
      const config = type.toConfig();
      for (const [name, { deprecation, keep }] of fields) {
        const deprecationReason = deprecation.removeAfter ? `${deprecation.reason} (removed after ${deprecation.removeAfter})` : deprecation.reason;
        if (!keep) {
          config.fields[name] = { ...config.fields[name], deprecationReason };
          continue;
        }
        const property = deprecation.property ?? name;
        config.fields[name] = {
          type: outputType(keep, `${path}.deprecations["${renamer.type(type.name)}.${name}"].type`),
          deprecationReason,
          resolve: (parent: Record<string, unknown>) => parent[property],
        };
      }
      return new GraphQLObjectType(config);
    },
  });
  return { ...subgraph, schema, localSchema: () => schema };
}
