import { isInputObjectType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';

export interface SchemaChange {
  added: string[];
  removed: string[];
}

/** Types and fields (`Type.field`) one schema has and the other has not, for the reload log line. */
export function diffSchemas(before: GraphQLSchema, after: GraphQLSchema): SchemaChange {
  const old = namesOf(before);
  const now = namesOf(after);
  return { added: [...now].filter((name) => !old.has(name)).sort(), removed: [...old].filter((name) => !now.has(name)).sort() };
}

function namesOf(schema: GraphQLSchema): Set<string> {
  const names = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    names.add(type.name);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.keys(type.getFields())) names.add(`${type.name}.${field}`);
    }
  }
  return names;
}
