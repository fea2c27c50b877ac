import {
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLString,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLArgument,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type GraphQLType,
} from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { publicPath } from '../inputs/enforce';
import { describeValue } from '../inputs/validate';
import { NO_RELAXING, type InputScalarRelaxing } from '../inputs/scalars';
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

/**
 * The subgraph's one pass over its types (each pass over a large spec's schema costs about half a
 * second): input scalars relaxed (../inputs/scalars), then identifier fields and arguments exposed
 * as `ID` (REST specs type them as integer or string). ID arguments are converted back to the
 * spec's type before the upstream call, so an integer id is still sent as a number in JSON bodies.
 */
export function retypeIds(schema: GraphQLSchema, relaxing: InputScalarRelaxing, naming: IdErrorNaming): GraphQLSchema {
  const { relax } = relaxing;
  // Arguments relaxed, and retyped as ids where `retype` (root fields: the ones converted back).
  const relaxArgs = <T extends Record<string, { type: GraphQLInputType }>>(args: T | undefined, retype: boolean): T | undefined => {
    if (!args || (relaxing === NO_RELAXING && !retype)) return args;
    const entries = Object.entries(args).map(([name, arg]) => {
      const relaxed = { ...arg, type: relax(arg.type) };
      return [name, retype ? retypeIfId(relaxed, name) : relaxed];
    });
    return Object.fromEntries(entries) as T;
  };
  return mapSchema(schema, {
    [MapperKind.SCALAR_TYPE]: relaxing.scalar,
    [MapperKind.OBJECT_FIELD]: (field, fieldName) => ({ ...retypeIfId(field, fieldName), args: relaxArgs(field.args, false) }),
    [MapperKind.INTERFACE_FIELD]: (field) => ({ ...field, args: relaxArgs(field.args, false) }),
    [MapperKind.INPUT_OBJECT_FIELD]: (field, fieldName) => retypeIfId({ ...field, type: relax(field.type) }, fieldName),
    [MapperKind.ROOT_FIELD]: (field, fieldName, typeName) => {
      const originalArgs = (schema.getType(typeName) as GraphQLObjectType).getFields()[fieldName]?.args ?? [];
      const resolve = field.resolve;
      const args = relaxArgs(field.args, true);
      if (!resolve || !originalArgs.some((arg) => needsConversion(arg.name, arg.type, relax))) return { ...field, args };
      const operation = typeName === schema.getMutationType()?.name ? 'Mutation' : 'Query';
      const argTypes = new Map(originalArgs.map((arg) => [arg.name, arg.type]));
      const convertingResolve: GraphQLFieldResolver<unknown, unknown> = (root, args, context, info) => {
        let converted: Record<string, unknown>;
        try {
          converted = convertArgs(args, originalArgs, relax);
        } catch (error) {
          if (!(error instanceof NotAnIntegerId)) throw error;
          // Named as the spec constraints name theirs (../inputs/enforce.ts): the public path, the constraint, the source.
          const argument = publicPath(operation, fieldName, error, argTypes, naming.renamer());
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
      return { ...field, args, resolve: convertingResolve };
    },
  });
}

function retypeIfId<T extends { type: GraphQLType }>(field: T, fieldName: string): T {
  return isIdCandidate(fieldName, field.type) ? { ...field, type: asId(field.type) } : field;
}

type Relax = InputScalarRelaxing['relax'];

/**
 * Does an argument (by its name and original type, as relaxed) hold an integer id somewhere inside
 * it? Only then is the resolver wrapped: `limit: Int` or `quantity: Int` alone cost no conversion per call.
 */
function needsConversion(name: string, type: GraphQLInputType, relax: Relax, seen = new Set<string>()): boolean {
  const named = relax(getNamedType(type));
  if (named === GraphQLInt) return isIdName(name);
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((field) => needsConversion(field.name, field.type, relax, seen));
}

function convertArgs(args: Record<string, unknown>, originalArgs: readonly GraphQLArgument[], relax: Relax): Record<string, unknown> {
  const converted: Record<string, unknown> = shallowCopy(args);
  for (const arg of originalArgs) {
    if (args[arg.name] !== undefined) converted[arg.name] = convertValue(args[arg.name], arg.type, arg.name, [arg.name], relax);
  }
  return converted;
}

function convertValue(value: unknown, type: GraphQLInputType, name: string, path: Array<string | number>, relax: Relax): unknown {
  if (value === null || value === undefined) return value;
  if (isNonNullType(type)) return convertValue(value, type.ofType, name, path, relax);
  if (isListType(type)) {
    return Array.isArray(value) ? value.map((item, i) => convertValue(item, type.ofType, name, [...path, i], relax)) : value;
  }
  if (isInputObjectType(type) && typeof value === 'object') {
    const fields = type.getFields();
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [
        key,
        fields[key] ? convertValue(item, fields[key].type, key, [...path, key], relax) : item,
      ]),
    );
  }
  if (relax(type) === GraphQLInt && isIdName(name) && typeof value === 'string') {
    if (!/^-?\d+$/.test(value)) throw new NotAnIntegerId(path, value);
    return Number(value);
  }
  return value;
}
