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
  type GraphQLNullableType,
  type GraphQLSchema,
} from 'graphql';
import { getDirective } from '@graphql-tools/utils';

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

/** How a schema's input scalars are relaxed, for the one pass the subgraph makes over its types (../compose/ids). */
export interface InputScalarRelaxing {
  /** An argument's or input field's type with relaxed scalars replaced by their base type. */
  relax<T extends GraphQLInputType>(type: T): T;
  /**
   * Called once for each scalar of the schema: a kept format scalar is changed in place to accept
   * any string on input. False for a relaxed scalar no output uses: it is left out rather than
   * published unused.
   */
  relaxScalar(scalar: GraphQLScalarType): boolean;
}

export const NO_RELAXING: InputScalarRelaxing = { relax: (type) => type, relaxScalar: () => true };

export function inputScalarRelaxing(schema: GraphQLSchema): InputScalarRelaxing {
  const replacements = new Map<string, GraphQLScalarType>();
  const kept = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isScalarType(type)) continue;
    if ((KEPT_FORMAT_SCALARS as readonly string[]).includes(type.name)) kept.add(type.name);
    else if (LOSSY[type.name]) replacements.set(type.name, LOSSY[type.name]);
    else if (getDirective(schema, type, 'regexp')?.length || getDirective(schema, type, 'length')?.length) replacements.set(type.name, GraphQLString);
  }
  if (replacements.size === 0 && kept.size === 0) return NO_RELAXING;
  // The type itself when nothing in it is relaxed: ../compose/ids keeps a spec type only for what changed.
  const relax = <T extends GraphQLInputType>(type: T): T => {
    if (isNonNullType(type) || isListType(type)) {
      const inner = relax(type.ofType as GraphQLInputType);
      if (inner === type.ofType) return type;
      return (isNonNullType(type) ? new GraphQLNonNull(inner as GraphQLNullableType) : new GraphQLList(inner)) as T;
    }
    return (replacements.get((type as GraphQLNamedType).name) as T | undefined) ?? type;
  };
  const onOutputs = outputScalars(schema);
  return {
    relax,
    relaxScalar: (scalar) => {
      if (kept.has(scalar.name)) acceptStringsOnInput(scalar);
      return !replacements.has(scalar.name) || onOutputs.has(scalar.name);
    },
  };
}

/**
 * In place: the scalar belongs to the schema this composition built from SDL (the loader's
 * processDirectives sets its graphql-scalars logic on it the same way), and a copy would need every
 * field that uses it rewired, a pass over the whole schema.
 */
function acceptStringsOnInput(scalar: GraphQLScalarType): void {
  const expectString = (value: unknown) => {
    if (typeof value !== 'string') throw new GraphQLError(`${scalar.name} must be a string`);
    return value;
  };
  scalar.parseValue = expectString;
  scalar.parseLiteral = (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError(`${scalar.name} must be a string`);
    return ast.value;
  };
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

