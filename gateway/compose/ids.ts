import {
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLSchema,
  GraphQLString,
  getNamedType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLType,
} from 'graphql';
import { publicPath } from '../inputs/enforce';
import { describeValue } from '../inputs/validate';
import type { InputScalarRelaxing } from '../inputs/scalars';
import { shallowCopy } from '../shared/copy-with';
import { fieldError } from './field-errors';
import type { Renamer } from './transforms';

/** Who the errors of the id conversion name: the source, and its public names once they are known. */
export interface IdErrorNaming {
  source: string;
  renamer: () => Renamer | undefined;
}

/** An id argument (or input field) that is not an integer where the spec wants one: where, and what was sent. */
class NotAnIntegerId {
  constructor(
    readonly path: Array<string | number>,
    readonly value: string,
  ) {}
}

/** `id`, `ids`, `userId`, `productIds`: the names that denote identifiers. */
export function isIdName(name: string): boolean {
  return /^ids?$/.test(name) || /[a-z0-9]Ids?$/.test(name);
}

function isIdCandidate(name: string, type: GraphQLType): boolean {
  const named = getNamedType(type);
  return isIdName(name) && (named === GraphQLInt || named === GraphQLString);
}

function asId<T extends GraphQLType>(type: T): T {
  if (isNonNullType(type)) return new GraphQLNonNull(asId(type.ofType)) as unknown as T;
  if (isListType(type)) return new GraphQLList(asId(type.ofType)) as unknown as T;
  return GraphQLID as unknown as T;
}

const asIdIfNamedSo = <T extends GraphQLType>(type: T, name: string): T => (isIdCandidate(name, type) ? asId(type) : type);

/** An argument's or input field's type as the spec gives it (after relaxing), which id conversion needs. */
type SpecTypeOf = (input: GraphQLArgument | GraphQLInputField) => GraphQLInputType;

/**
 * The subgraph's one pass over its types: input scalars relaxed (../inputs/scalars), then
 * identifier fields and arguments exposed as `ID` (REST specs type them as integer or string). ID
 * arguments are converted back to the spec's type before the upstream call, so an integer id is
 * still sent as a number in JSON bodies.
 *
 * In place, on the schema this composition built from SDL (as the loader's processDirectives and
 * ../inputs/enforce change it): a mapSchema copy rebuilds every type about seven times, ~0.5 s and
 * one more schema's worth of garbage for a 12 MiB spec. Only the GraphQLSchema object is new, so
 * its type map holds ID and what relaxing left out is gone.
 */
export function retypeIds(schema: GraphQLSchema, relaxing: InputScalarRelaxing, naming: IdErrorNaming): GraphQLSchema {
  const { relax } = relaxing;
  // Errors name a subscription field's arguments as a query's, as mapSchema's ROOT_FIELD did.
  const roots = new Map<GraphQLObjectType, 'Query' | 'Mutation'>();
  for (const [type, operation] of [[schema.getQueryType(), 'Query'], [schema.getMutationType(), 'Mutation'], [schema.getSubscriptionType(), 'Query']] as const) {
    if (type) roots.set(type, operation);
  }
  // Kept for the arguments and input fields whose type changes here; the others' is their own.
  const specTypes = new Map<GraphQLArgument | GraphQLInputField, GraphQLInputType>();
  const specTypeOf: SpecTypeOf = (input) => specTypes.get(input) ?? input.type;
  const retype = (input: GraphQLArgument | GraphQLInputField, asIdToo: boolean) => {
    const relaxed = relax(input.type);
    const published = asIdToo ? asIdIfNamedSo(relaxed, input.name) : relaxed;
    if (published === input.type) return;
    specTypes.set(input, relaxed);
    input.type = published;
  };
  const types = Object.values(schema.getTypeMap()).filter((type) => !type.name.startsWith('__') && !isSpecifiedScalarType(type));
  for (const type of types) {
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) retype(field, true);
    } else if (isObjectType(type) || isInterfaceType(type)) {
      // Root fields keep their return types; their arguments (only theirs) are converted back.
      const root = isObjectType(type) && roots.has(type);
      for (const field of Object.values(type.getFields())) {
        for (const arg of field.args) retype(arg, root);
        if (!root && isObjectType(type)) field.type = asIdIfNamedSo(field.type, field.name);
      }
    }
  }
  for (const [root, operation] of roots) {
    for (const field of Object.values(root.getFields())) withIdConversion(field, operation, specTypeOf, naming);
  }
  return new GraphQLSchema({ ...schema.toConfig(), types: types.filter((type) => !isScalarType(type) || relaxing.relaxScalar(type)) });
}

/** Wraps a root field's resolver (in place) to convert its id arguments back to the spec's integers, when it has any. */
function withIdConversion(field: GraphQLField<unknown, unknown>, operation: 'Query' | 'Mutation', specTypeOf: SpecTypeOf, naming: IdErrorNaming): void {
  const resolve = field.resolve;
  if (!resolve || !field.args.some((arg) => needsConversion(arg.name, specTypeOf(arg), specTypeOf))) return;
  const argTypes = new Map(field.args.map((arg) => [arg.name, specTypeOf(arg)]));
  field.resolve = (root, args, context, info) => {
    let converted: Record<string, unknown>;
    try {
      converted = convertArgs(args, field.args, specTypeOf);
    } catch (error) {
      if (!(error instanceof NotAnIntegerId)) throw error;
      // Named as the spec constraints name theirs (../inputs/enforce.ts): the public path, the constraint, the source.
      const argument = publicPath(operation, field.name, error, argTypes, naming.renamer());
      throw fieldError(`Argument ${argument} must be an integer id (got ${describeValue(error.value)}).`, {
        code: 'BAD_USER_INPUT',
        argument,
        constraint: 'type',
        expected: 'integer',
        source: naming.source,
      });
    }
    return resolve(root, converted, context, info);
  };
}

/**
 * Does an argument (by its name and spec type) hold an integer id somewhere inside it? Only then
 * is the resolver wrapped: `limit: Int` or `quantity: Int` alone cost no conversion per call.
 */
function needsConversion(name: string, type: GraphQLInputType, specTypeOf: SpecTypeOf, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (named === GraphQLInt) return isIdName(name);
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((field) => needsConversion(field.name, specTypeOf(field), specTypeOf, seen));
}

function convertArgs(args: Record<string, unknown>, argDefs: readonly GraphQLArgument[], specTypeOf: SpecTypeOf): Record<string, unknown> {
  const converted: Record<string, unknown> = shallowCopy(args);
  for (const arg of argDefs) {
    if (args[arg.name] !== undefined) converted[arg.name] = convertValue(args[arg.name], specTypeOf(arg), arg.name, [arg.name], specTypeOf);
  }
  return converted;
}

function convertValue(value: unknown, type: GraphQLInputType, name: string, path: Array<string | number>, specTypeOf: SpecTypeOf): unknown {
  if (value === null || value === undefined) return value;
  if (isNonNullType(type)) return convertValue(value, type.ofType, name, path, specTypeOf);
  if (isListType(type)) {
    return Array.isArray(value) ? value.map((item, i) => convertValue(item, type.ofType, name, [...path, i], specTypeOf)) : value;
  }
  if (isInputObjectType(type) && typeof value === 'object') {
    const fields = type.getFields();
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [
        key,
        fields[key] ? convertValue(item, specTypeOf(fields[key]), key, [...path, key], specTypeOf) : item,
      ]),
    );
  }
  if (type === GraphQLInt && isIdName(name) && typeof value === 'string') {
    if (!/^-?\d+$/.test(value)) throw new NotAnIntegerId(path, value);
    return Number(value);
  }
  return value;
}
