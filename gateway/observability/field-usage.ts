import { TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';

/**
 * The `Type.field` coordinates an operation selects, each once, introspection left out. Cached per
 * parsed document: yoga's parse cache hands the same document object to repeated queries, so a
 * hot query pays the walk once.
 */
export function createFieldUsage() {
  const cache = new WeakMap<DocumentNode, readonly string[]>();
  return (schema: GraphQLSchema, document: DocumentNode): readonly string[] => {
    let fields = cache.get(document);
    if (!fields) {
      fields = coordinatesOf(schema, document);
      cache.set(document, fields);
    }
    return fields;
  };
}

function coordinatesOf(schema: GraphQLSchema, document: DocumentNode): string[] {
  const typeInfo = new TypeInfo(schema);
  const found = new Set<string>();
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent && !node.name.value.startsWith('__') && !parent.name.startsWith('__')) found.add(`${parent.name}.${node.name.value}`);
      },
    }),
  );
  return [...found];
}
