import { isObjectType, type GraphQLSchema } from 'graphql';
import { applyMiddleware, type IMiddleware } from 'graphql-middleware';
import { allow, deny, shield } from 'graphql-shield';
import type { AuthConfig } from '../config/schema';
import { compileRules, forbiddenError, rulesPresentIn } from './rules';

/**
 * graphql-shield over the stitched schema: the configured rules, and `defaultPolicy` for every
 * field no rule names. A denied field resolves to null with a FORBIDDEN error at its path; the
 * resolver never runs, so a denied mutation never reaches its upstream.
 *
 * A schema transform (graphql-middleware's applyMiddleware) rather than the envelop plugin: the
 * gateway serves a schema that live reload swaps, and the plugin would re-wrap the whole schema
 * on every request that hands it the unwrapped one; here each composition is wrapped once.
 */
export function authorizeSchema(schema: GraphQLSchema, auth: AuthConfig): GraphQLSchema {
  // Composition checked every rule; one missing now belongs to a source left out while it is down.
  const rules = rulesPresentIn(schema, auth.rules);
  const permissions = shield(compileRules(rules), {
    fallbackRule: auth.defaultPolicy === 'deny' ? deny : allow,
    fallbackError: forbiddenError(rules),
    // Upstream errors thrown by resolvers keep their own message and code (shield would otherwise
    // replace every error with the fallback one).
    allowExternalErrors: true,
  });
  if (auth.defaultPolicy === 'deny') return applyMiddleware(schema, permissions);
  // Under allow-by-default, shield still wraps every field of the schema in an async rule check
  // that can only say yes; keep only the fields a rule names (same decisions, no per-field cost
  // on the rest: the list queries resolve thousands of fields).
  const named = new Set(Object.keys(rules));
  if (named.size === 0) return schema;
  return applyMiddleware(schema, pick(permissions.generate(schema) as IMiddleware, named, schema));
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
