import type { GraphQLSchema } from 'graphql';
import { rulesPresentIn, subjectBoundCoordinates } from '../auth/rules';
import type { TesseraConfig } from '../config/schema';
import { checkCacheCoordinates } from './check';

/**
 * Which fields make a cached response per user, for each composition the gateway serves: its
 * config's `cache.private`, plus every field behind an owner or argument rule (it answers
 * differently per caller, whatever `cache.private` says). Worked out per composition, so a reload
 * of the rules or a renamed type can never turn a user's field public.
 */
export function createCachePrivacy(initial: readonly string[]) {
  const bySchema = new WeakMap<GraphQLSchema, readonly string[]>();
  let latest = initial;
  return {
    /**
     * Records the private fields of a composition, checked against its schema (a typo in
     * `cache.private` would cache a user's data as public: refused at start and on reload).
     */
    register(served: GraphQLSchema, composed: GraphQLSchema, config: TesseraConfig): void {
      const fields = [...new Set([...config.cache.private, ...subjectBoundCoordinates(rulesPresentIn(composed, config.auth.rules))])];
      if (config.cache.enabled) checkCacheCoordinates({ ...config.cache, private: fields }, composed);
      bySchema.set(served, fields);
      latest = fields;
    },
    /** A schema it does not know (a plugin's wrapper of one) gets the newest composition's set. */
    privateFor: (schema: GraphQLSchema): readonly string[] => bySchema.get(schema) ?? latest,
  };
}
