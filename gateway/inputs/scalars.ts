import {
  GraphQLFloat,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  GraphQLString,
  GraphQLError,
  Kind,
  getNamedType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { getDirective, MapperKind, type SchemaMapper } from '@graphql-tools/utils';

/**
 * The loader's scalars that say less than the spec (`minimum: 5` becomes PositiveInt, `maximum: 10`
 * is dropped) or validate with JavaScript's backtracking RegExp (`@regexp` scalars): on inputs they
 * become the base type, and the spec's constraints are enforced by ./enforce instead, exactly and
 * with errors that name the argument. On outputs they stay (they describe what the upstream sends).
 */
const LOSSY: Record<string, GraphQLScalarType> = {
  PositiveInt: GraphQLInt,
  NonNegativeInt: GraphQLInt,
  NegativeInt: GraphQLInt,
  NonPositiveInt: GraphQLInt,
  PositiveFloat: GraphQLFloat,
  NonNegativeFloat: GraphQLFloat,
  NegativeFloat: GraphQLFloat,
  NonPositiveFloat: GraphQLFloat,
  NonEmptyString: GraphQLString,
};

/**
 * Exact format scalars stay in the public schema (they tell clients what is expected), but accept
 * any string on input: the format is checked by ./enforce, so the error names the argument, never
 * echoes a long value, and no graphql-scalars regex runs on client input. The value reaches the
 * upstream as the client wrote it (DateTime no longer becomes a Date and back).
 */
export const KEPT_FORMAT_SCALARS = ['DateTime', 'EmailAddress', 'UUID', 'URL'] as const;

/**
 * The mappers (for @graphql-tools/utils' mapSchema) that relax input scalars: given to the pass the
 * subgraph makes anyway, since each extra pass over a large spec's schema costs about a second.
 * Empty when the schema has nothing to relax.
 */
export function inputScalarMappers(schema: GraphQLSchema): SchemaMapper {
  const replacements = new Map<string, GraphQLScalarType>();
  const kept = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isScalarType(type)) continue;
    if ((KEPT_FORMAT_SCALARS as readonly string[]).includes(type.name)) kept.add(type.name);
    else if (LOSSY[type.name]) replacements.set(type.name, LOSSY[type.name]);
    else if (getDirective(schema, type, 'regexp')?.length || getDirective(schema, type, 'length')?.length) replacements.set(type.name, GraphQLString);
  }
  if (replacements.size === 0 && kept.size === 0) return {};
  const retype = <T extends GraphQLInputType>(type: T): T => {
    if (isNonNullType(type)) return new GraphQLNonNull(retype(type.ofType)) as T;
    if (isListType(type)) return new GraphQLList(retype(type.ofType)) as T;
    return (replacements.get((type as GraphQLNamedType).name) as T | undefined) ?? type;
  };
  // A relaxed scalar no output uses is left out rather than published unused.
  const onOutputs = outputScalars(schema);
  return {
    [MapperKind.ARGUMENT]: (arg) => ({ ...arg, type: retype(arg.type) }),
    [MapperKind.INPUT_OBJECT_FIELD]: (field) => ({ ...field, type: retype(field.type) }),
    [MapperKind.SCALAR_TYPE]: (scalar) => {
      if (kept.has(scalar.name)) return stringOnInput(scalar);
      return replacements.has(scalar.name) && !onOutputs.has(scalar.name) ? null : scalar;
    },
  };
}

function stringOnInput(scalar: GraphQLScalarType): GraphQLScalarType {
  const config = scalar.toConfig();
  const expectString = (value: unknown) => {
    if (typeof value !== 'string') throw new GraphQLError(`${scalar.name} must be a string`);
    return value;
  };
  return new GraphQLScalarType({
    ...config,
    parseValue: expectString,
    parseLiteral: (ast) => {
      if (ast.kind !== Kind.STRING) throw new GraphQLError(`${scalar.name} must be a string`);
      return ast.value;
    },
  });
}

function outputScalars(schema: GraphQLSchema): Set<string> {
  const used = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (isScalarType(named)) used.add(named.name);
    }
  }
  return used;
}

