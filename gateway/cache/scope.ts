import { TypeInfo, getNamedType, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import { identityOf } from '../auth/identity';

/**
 * Which cache entry a request may read and write. A cache hit skips execution, and with it every
 * authorization rule and field rate limit, so the key carries everything those may depend on:
 *
 * - the caller's roles and scopes, always: a user without a role never reads an entry made for one
 *   who had it;
 * - the caller's identity, when the document selects a private type or field (`User.email`): such
 *   entries are per user, and a public entry never holds a private field;
 * - anonymous callers with a private selection get no entry at all (`null`).
 *
 * @envelop/response-cache has a PRIVATE scope, but it only decides after execution and treats any
 * logged-in caller as one session; deciding from the document lets logged-in users share public
 * entries with others holding the same grants.
 */
export type CacheScope = string | null;

/** The scope of anonymous callers' public queries: the only responses HTTP caches may share. */
export const ANONYMOUS_PUBLIC_SCOPE = 'public;anonymous';

/**
 * `privateFor` gives the private coordinates of the schema a request runs on: a live reload may
 * bring new rules (and so new private fields) with its schema, and answers are remembered per
 * schema and document, never across schemas.
 */
export function createScopeRule(privateFor: (schema: GraphQLSchema) => readonly string[]) {
  const perSchema = new WeakMap<GraphQLSchema, { privateSet: Set<string>; selectsPrivate: WeakMap<DocumentNode, boolean> }>();

  const documentSelectsPrivate = (schema: GraphQLSchema, document: DocumentNode): boolean => {
    let known = perSchema.get(schema);
    if (!known) perSchema.set(schema, (known = { privateSet: new Set(privateFor(schema)), selectsPrivate: new WeakMap() }));
    const { privateSet, selectsPrivate } = known;
    let found = selectsPrivate.get(document);
    if (found !== undefined) return found;
    found = false;
    const typeInfo = new TypeInfo(schema);
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const parent = typeInfo.getParentType();
          const type = typeInfo.getType();
          if (
            (parent && (privateSet.has(parent.name) || privateSet.has(`${parent.name}.${node.name.value}`))) ||
            (type && privateSet.has(getNamedType(type).name))
          ) {
            found = true;
          }
        },
      }),
    );
    selectsPrivate.set(document, found);
    return found;
  };

  return (schema: GraphQLSchema, document: DocumentNode, context: unknown): CacheScope => {
    const identity = identityOf(context);
    if (!identity) return documentSelectsPrivate(schema, document) ? null : ANONYMOUS_PUBLIC_SCOPE;
    const grants = JSON.stringify([[...identity.roles].sort(), [...identity.scopes].sort()]);
    if (!documentSelectsPrivate(schema, document)) return `public;${grants}`;
    return `private;${JSON.stringify([identity.kind, identity.subject])};${grants}`;
  };
}
