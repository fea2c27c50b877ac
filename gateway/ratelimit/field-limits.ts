import { defaultFieldResolver, isObjectType, type FieldNode, type GraphQLSchema } from 'graphql';
import { CompositionError } from '../compose/errors';
import type { RateLimitsConfig } from '../config/schema';
import { closestName } from '../config/suggest';
import { createRequestState } from '../shared/request-state';
import type { ClientOf } from './client-identity';
import { readDirectivesFile } from './directives-file';
import { rateLimitedError, storeUnavailableError, type Limit } from './errors';
import type { Check } from './limiter';
import { windowSeconds } from './window';

/** A field limit and where it was written (for errors about it). */
export interface FieldLimit extends Limit {
  path: string;
}

/** `rateLimits.fields` and the directives file, as one list; a field limited in both is an error. */
export function fieldLimitsOf(config: RateLimitsConfig): FieldLimit[] {
  const fromConfig = Object.entries(config.fields).map(([name, limit]) => ({ name, ...limit, path: `rateLimits.fields[${JSON.stringify(name)}]` }));
  const fromFile = config.directivesFile ? Object.entries(readDirectivesFile(config.directivesFile)).map(([name, limit]) => ({ name, ...limit })) : [];
  for (const limit of fromFile) {
    if (config.fields[limit.name]) throw new CompositionError(limit.path, `${limit.name} is limited in rateLimits.fields too; keep one of the two`);
  }
  return [...fromConfig, ...fromFile].map((limit) => ({ ...limit, windowSeconds: windowSeconds(limit.window)! }));
}

/**
 * Every limit must name a field of the composed schema: a typo would leave the field unprotected.
 * A source left out while it is down (`whenDown: skip`) takes its fields with it: their limits wait
 * for it (`onAbsent`) instead of failing the composition.
 */
export function checkLimitTargets(limits: FieldLimit[], schema: GraphQLSchema, onAbsent?: (limit: FieldLimit) => void): FieldLimit[] {
  return limits.filter((limit) => {
    const [typeName, fieldName] = limit.name.split('.');
    const type = schema.getType(typeName);
    const fields = isObjectType(type) ? Object.keys(type.getFields()) : [];
    if (isObjectType(type) && fields.includes(fieldName)) return true;
    if (onAbsent) {
      onAbsent(limit);
      return false;
    }
    if (!isObjectType(type)) {
      const types = Object.keys(schema.getTypeMap()).filter((name) => !name.startsWith('__') && isObjectType(schema.getType(name)));
      throw new CompositionError(limit.path, `the schema has no object type ${typeName}${didYouMean(typeName, types)} (names are the public ones, after renames)`);
    }
    throw new CompositionError(limit.path, `${typeName} has no field ${fieldName}${didYouMean(fieldName, fields)} (it has ${fields.join(', ')})`);
  });
}

/**
 * Wraps the resolvers of the limited fields of one composition, in place (like tracing: a rebuilt
 * schema would give stitching's merged types new identities). The wrapper counts before the
 * field's own resolver runs, so a refused root field never reaches its upstream; the field
 * resolves to null with a RATE_LIMITED error at its path and the rest of the response is served.
 *
 * This replaces @envelop/rate-limiter's onExecute hook, which on any exceeded limit stops the
 * whole operation (`setResultAndStopExecution`: no `data` at all). Like the library, a field counts
 * once per occurrence in an operation (per field node, however many list items resolve it), and a
 * field that does not execute (under a null parent, `@skip`) does not count. A response served
 * from the response cache executes nothing and counts against no field limit: field limits
 * protect upstreams, which a cache hit does not reach (the client quota counts it).
 */
export function limitFields(schema: GraphQLSchema, limits: FieldLimit[], check: Check, clientOf: ClientOf): GraphQLSchema {
  // Per request, per field node: the one count and its outcome, shared by the field's list items.
  const verdicts = createRequestState<object, Map<FieldNode, Promise<Error | undefined>>>('tessera.fieldLimits');
  const verdictOf = (limit: FieldLimit, context: object, node: FieldNode) => {
    let byNode = verdicts.get(context);
    if (!byNode) verdicts.set(context, (byNode = new Map()));
    let verdict = byNode.get(node);
    if (!verdict) {
      const client = clientOf(context);
      verdict = check(limit, client, 'field').then((outcome) => {
        if ('unavailable' in outcome) return storeUnavailableError(limit);
        if ('decision' in outcome && !outcome.decision.allowed) return rateLimitedError(limit, outcome.decision, client.key);
        return undefined;
      });
      byNode.set(node, verdict);
    }
    return verdict;
  };
  for (const limit of limits) {
    const [typeName, fieldName] = limit.name.split('.');
    const type = schema.getType(typeName);
    const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    if (!field) continue;
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = async (source, args, context: object, info) => {
      const refused = await verdictOf(limit, context, info.fieldNodes[0]);
      if (refused) throw refused;
      return resolve(source, args, context, info);
    };
  }
  return schema;
}

function didYouMean(name: string, candidates: string[]): string {
  const close = closestName(name, candidates);
  return close ? ` (did you mean ${close}?)` : '';
}
