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
import { fieldError } from './field-errors';

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
 * Exposes identifier fields and arguments as `ID` (REST specs type them as integer or string), and
 * converts ID arguments back to the spec's type before the upstream call, so an integer id is still
 * sent as a number in JSON bodies.
 */
export function retypeIds(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: retypeIfId,
    [MapperKind.INPUT_OBJECT_FIELD]: retypeIfId,
    [MapperKind.ROOT_FIELD]: (field, fieldName, typeName) => {
      const originalArgs = (schema.getType(typeName) as GraphQLObjectType).getFields()[fieldName]?.args ?? [];
      const resolve = field.resolve;
      if (!resolve || !originalArgs.some((arg) => needsConversion(arg.name, arg.type))) {
        return { ...field, args: mapArgs(field.args) };
      }
      const convertingResolve: GraphQLFieldResolver<unknown, unknown> = (root, args, context, info) =>
        resolve(root, convertArgs(args, originalArgs), context, info);
      return { ...field, args: mapArgs(field.args), resolve: convertingResolve };
    },
  });
}

function retypeIfId<T extends { type: GraphQLType }>(field: T, fieldName: string): T {
  return isIdCandidate(fieldName, field.type) ? { ...field, type: asId(field.type) } : field;
}

function mapArgs<T extends Record<string, { type: GraphQLInputType }>>(args: T | undefined): T | undefined {
  if (!args) return args;
  return Object.fromEntries(
    Object.entries(args).map(([name, arg]) => [name, retypeIfId(arg, name)]),
  ) as T;
}

/**
 * Does an argument (by its name and original type) hold an integer id somewhere inside it? Only
 * then is the resolver wrapped: `limit: Int` or `quantity: Int` alone cost no conversion per call.
 */
function needsConversion(name: string, type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (named === GraphQLInt) return isIdName(name);
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((field) => needsConversion(field.name, field.type, seen));
}

function convertArgs(args: Record<string, unknown>, originalArgs: readonly GraphQLArgument[]): Record<string, unknown> {
  const converted: Record<string, unknown> = { ...args };
  for (const arg of originalArgs) {
    if (args[arg.name] !== undefined) converted[arg.name] = convertValue(args[arg.name], arg.type, arg.name, arg.name);
  }
  return converted;
}

function convertValue(value: unknown, type: GraphQLInputType, name: string, where: string): unknown {
  if (value === null || value === undefined) return value;
  if (isNonNullType(type)) return convertValue(value, type.ofType, name, where);
  if (isListType(type)) {
    return Array.isArray(value) ? value.map((item, i) => convertValue(item, type.ofType, name, `${where}[${i}]`)) : value;
  }
  if (isInputObjectType(type) && typeof value === 'object') {
    const fields = type.getFields();
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [
        key,
        fields[key] ? convertValue(item, fields[key].type, key, `${where}.${key}`) : item,
      ]),
    );
  }
  if (type === GraphQLInt && isIdName(name) && typeof value === 'string') {
    if (!/^-?\d+$/.test(value)) {
      throw fieldError(`Argument ${where} must be an integer id, got ${JSON.stringify(value)}`, { code: 'BAD_USER_INPUT', argument: where });
    }
    return Number(value);
  }
  return value;
}
