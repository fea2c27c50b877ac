import { useGraphQLMiddleware } from '@envelop/graphql-middleware';
import { isObjectType, type GraphQLSchema } from 'graphql';
import { middleware, type IMiddleware } from 'graphql-middleware';
import { allow, deny, shield } from 'graphql-shield';
import type { AuthConfig } from '../config/schema';
import { compileRules, forbiddenError } from './rules';

/**
 * graphql-shield over the stitched schema: the configured rules, and `defaultPolicy` for every
 * field no rule names. A denied field resolves to null with a FORBIDDEN error at its path; the
 * resolver never runs, so a denied mutation never reaches its upstream.
 */
export function useAuthorization(auth: AuthConfig) {
  const permissions = shield(compileRules(auth.rules), {
    fallbackRule: auth.defaultPolicy === 'deny' ? deny : allow,
    fallbackError: forbiddenError(auth.rules),
    // Upstream errors thrown by resolvers keep their own message and code (shield would otherwise
    // replace every error with the fallback one).
    allowExternalErrors: true,
  });
  if (auth.defaultPolicy === 'deny') return useGraphQLMiddleware([permissions]);
  // Under allow-by-default, shield still wraps every field of the schema in an async rule check
  // that can only say yes; keep only the fields a rule names (same decisions, no per-field cost
  // on the rest: the list queries resolve thousands of fields).
  const named = new Set(Object.keys(auth.rules));
  return useGraphQLMiddleware([
    middleware((schema: GraphQLSchema) => pick(permissions.generate(schema) as IMiddleware, named, schema)),
  ]);
}

function pick(full: IMiddleware, named: Set<string>, schema: GraphQLSchema): IMiddleware {
  const kept: Record<string, Record<string, unknown>> = {};
  for (const [typeName, fields] of Object.entries(full as Record<string, Record<string, unknown>>)) {
    const type = schema.getType(typeName);
    if (!type || !isObjectType(type) || typeof fields !== 'object') continue;
    for (const [fieldName, fieldMiddleware] of Object.entries(fields)) {
      if (named.has(typeName) || named.has(`${typeName}.${fieldName}`)) (kept[typeName] ??= {})[fieldName] = fieldMiddleware;
    }
  }
  return kept as IMiddleware;
}
