import { GraphQLError, isObjectType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { allow, and, deny, not, or, rule } from 'graphql-shield';
import type { AuthConfig, RuleInput } from '../config/schema';
import { CompositionError } from '../compose/errors';
import { closestName } from '../config/suggest';
import { identityOf, type Identity } from './identity';

/** Any shield rule (the package does not export the type by name). */
type ShieldRule = Parameters<typeof and>[number];
type RuleTree = Record<string, ShieldRule | Record<string, ShieldRule>>;

/**
 * `auth.rules` → a graphql-shield rule tree. Each distinct rule (e.g. `{ role: admin }`) becomes
 * one shield rule instance, shared wherever it appears: shield refuses two rules of one name, and
 * one instance lets its per-request cache answer every field that uses it.
 */
export function compileRules(rules: AuthConfig['rules']): RuleTree {
  const instances = new Map<string, ShieldRule>();
  const compile = (input: RuleInput): ShieldRule => {
    const key = JSON.stringify(input);
    let compiled = instances.get(key);
    if (!compiled) {
      compiled = compileOne(input, compile);
      instances.set(key, compiled);
    }
    return compiled;
  };
  const tree: RuleTree = {};
  for (const [target, input] of Object.entries(rules)) {
    const [typeName, fieldName] = target.split('.');
    if (fieldName === undefined) tree[typeName] = compile(input);
    else {
      const fields = (tree[typeName] ??= {}) as Record<string, ShieldRule>;
      fields[fieldName] = compile(input);
    }
  }
  return tree;
}

function compileOne(input: RuleInput, compile: (input: RuleInput) => ShieldRule): ShieldRule {
  if (input === 'allow') return allow;
  if (input === 'deny') return deny;
  // Rules that read only the caller are cached per request ('contextual'); rules that read the
  // parent or the arguments must run per field ('no_cache': shield's 'strict' hashes the whole
  // parent object on every call, which costs more than the comparison it saves).
  if (input === 'authenticated') return rule('authenticated', { cache: 'contextual' })((_p, _a, ctx) => identityOf(ctx) !== null);
  if ('role' in input) {
    return rule(`role:${input.role}`, { cache: 'contextual' })((_p, _a, ctx) => identityOf(ctx)?.roles.includes(input.role) ?? false);
  }
  if ('scope' in input) {
    return rule(`scope:${input.scope}`, { cache: 'contextual' })((_p, _a, ctx) => identityOf(ctx)?.scopes.includes(input.scope) ?? false);
  }
  if ('owner' in input) {
    const { field, claim = 'sub' } = input.owner;
    return rule(`owner:${field}=${claim}`, { cache: 'no_cache' })((parent: Record<string, unknown>, _a, ctx) =>
      sameValue(parent?.[field], claimOf(identityOf(ctx), claim)),
    );
  }
  if ('argument' in input) {
    const { path, claim = 'sub' } = input.argument;
    return rule(`argument:${path}=${claim}`, { cache: 'no_cache' })((_p, args: Record<string, unknown>, ctx) =>
      sameValue(valueAt(args, path), claimOf(identityOf(ctx), claim)),
    );
  }
  if ('and' in input) return and(...input.and.map(compile));
  if ('or' in input) return or(...input.or.map(compile));
  return not(compile(input.not));
}

function claimOf(identity: Identity | null, claim: string): unknown {
  if (!identity) return undefined;
  return claim === 'sub' ? identity.subject : identity.claims[claim];
}

/** IDs reach resolvers as strings and claims may be numbers: compare as strings, never undefined. */
function sameValue(a: unknown, b: unknown): boolean {
  return a !== undefined && a !== null && b !== undefined && b !== null && String(a) === String(b);
}

function valueAt(args: Record<string, unknown>, path: string): unknown {
  let value: unknown = args;
  for (const key of path.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/** A sentence for the FORBIDDEN error: what the field needs, in the config's own terms. */
export function describeRule(input: RuleInput): string {
  if (input === 'allow') return 'nothing';
  if (input === 'deny') return 'access that no caller has';
  if (input === 'authenticated') return 'a signed-in caller';
  if ('role' in input) return `role "${input.role}"`;
  if ('scope' in input) return `scope "${input.scope}"`;
  if ('owner' in input) return `the owner (${input.owner.field} = token ${input.owner.claim ?? 'sub'})`;
  if ('argument' in input) return `argument ${input.argument.path} = token ${input.argument.claim ?? 'sub'}`;
  if ('and' in input) return input.and.map(describeRule).join(' and ');
  if ('or' in input) return `(${input.or.map(describeRule).join(' or ')})`;
  return `not ${describeRule(input.not)}`;
}

/** The error a denied field gets (its value becomes null; the rest of the response stays). */
export function forbiddenError(rules: AuthConfig['rules']) {
  return (_thrown: unknown, _parent: object, _args: object, context: unknown, info: GraphQLResolveInfo): GraphQLError => {
    const coordinate = `${info.parentType.name}.${info.fieldName}`;
    const input = rules[coordinate] ?? rules[info.parentType.name];
    const needs = input ? describeRule(input) : 'an explicit rule (auth.defaultPolicy is deny)';
    const who = identityOf(context) ? '' : '; the request is anonymous: send a bearer token or an API key';
    return new GraphQLError(`Forbidden: ${coordinate} requires ${needs}${who}`, { extensions: { code: 'FORBIDDEN' } });
  };
}

/**
 * The rules whose type (and field) the schema has. A source left out while it is down
 * (`whenDown: skip`) takes its types with it; its rules wait for it, with a warning.
 */
export function rulesPresentIn(schema: GraphQLSchema, rules: AuthConfig['rules'], onAbsent?: (target: string) => void): AuthConfig['rules'] {
  return Object.fromEntries(
    Object.entries(rules).filter(([target]) => {
      const [typeName, fieldName] = target.split('.');
      const type = schema.getType(typeName);
      const present = isObjectType(type) && (fieldName === undefined || fieldName in type.getFields());
      if (!present) onAbsent?.(target);
      return present;
    }),
  );
}

/**
 * Rules that name a type or field the composed schema lacks, and owner rules whose parent field
 * does not exist, are configuration errors at the rule's place: a typo must not leave a private
 * field unprotected.
 */
export function checkRuleTargets(rules: AuthConfig['rules'], schema: GraphQLSchema): void {
  for (const [target, input] of Object.entries(rules)) {
    const path = `auth.rules[${JSON.stringify(target)}]`;
    const [typeName, fieldName] = target.split('.');
    const type = schema.getType(typeName);
    if (!type || !isObjectType(type)) {
      const types = Object.keys(schema.getTypeMap()).filter((name) => !name.startsWith('__') && isObjectType(schema.getType(name)));
      throw new CompositionError(path, `the schema has no object type ${typeName}${suggest(typeName, types)}`);
    }
    const fields = Object.keys(type.getFields());
    if (fieldName !== undefined && !fields.includes(fieldName)) {
      throw new CompositionError(path, `${typeName} has no field ${fieldName}${suggest(fieldName, fields)} (it has ${fields.join(', ')})`);
    }
    for (const owner of ownerFieldsOf(input)) {
      if (!fields.includes(owner)) throw new CompositionError(`${path}.owner.field`, `${typeName} has no field ${owner} to compare with a claim`);
    }
  }
}

/**
 * Parent fields each rule-guarded field needs fetched even when the client did not select them
 * (an owner rule reads `parent.id`); stitching adds them to the upstream selection.
 */
export function ownerFieldsByCoordinate(rules: AuthConfig['rules']): Record<string, string[]> {
  const needed: Record<string, string[]> = {};
  for (const [target, input] of Object.entries(rules)) {
    const fields = ownerFieldsOf(input);
    if (fields.length && target.includes('.')) needed[target] = fields;
  }
  return needed;
}

/**
 * Fields whose answer depends on who asks, not only on roles and scopes (an owner or argument
 * rule compares with a claim): a response cache must key them by the caller.
 */
export function subjectBoundCoordinates(rules: AuthConfig['rules']): string[] {
  const bound = (input: RuleInput): boolean => {
    if (typeof input === 'string' || 'role' in input || 'scope' in input) return false;
    if ('owner' in input || 'argument' in input) return true;
    if ('and' in input) return input.and.some(bound);
    if ('or' in input) return input.or.some(bound);
    return bound(input.not);
  };
  return Object.entries(rules)
    .filter(([, input]) => bound(input))
    .map(([target]) => target);
}

function ownerFieldsOf(input: RuleInput): string[] {
  if (typeof input === 'string' || 'role' in input || 'scope' in input || 'argument' in input) return [];
  if ('owner' in input) return [input.owner.field];
  if ('and' in input) return input.and.flatMap(ownerFieldsOf);
  if ('or' in input) return input.or.flatMap(ownerFieldsOf);
  return ownerFieldsOf(input.not);
}

function suggest(name: string, candidates: string[]): string {
  const close = closestName(name, candidates);
  return close ? ` (did you mean ${close}?)` : '';
}
