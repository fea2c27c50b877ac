import {
  TypeInfo,
  getNamedType,
  isInputObjectType,
  isLeafType,
  typeFromAST,
  validate,
  visit,
  visitWithTypeInfo,
  type GraphQLSchema,
} from 'graphql';
import type { ClientOperation } from './operations';

/** How one operation fares against the new schema. */
export interface OperationImpact {
  operation: ClientOperation;
  /** Validation errors against the new schema: the operation breaks, here. */
  errors: { message: string; line?: number }[];
  /** Schema coordinates the operation uses (against the registered schema). */
  coordinates: Set<string>;
}

/**
 * Checks each operation against the new schema and records the coordinates it uses in the registered
 * one. Operations that were already invalid against the registered schema are returned apart: no
 * schema change broke them. Trusted documents are not: the gateway serves them as they are, so an
 * invalid one is broken whenever it broke.
 */
export function assessOperations(
  operations: ClientOperation[],
  registered: GraphQLSchema,
  next: GraphQLSchema,
): { impacts: OperationImpact[]; invalidBefore: ClientOperation[] } {
  const impacts: OperationImpact[] = [];
  const invalidBefore: ClientOperation[] = [];
  for (const operation of operations) {
    if (!operation.trusted && validate(registered, operation.document).length > 0) {
      invalidBefore.push(operation);
      continue;
    }
    const errors = validate(next, operation.document).map((error) => ({ message: error.message, line: error.locations?.[0]?.line }));
    impacts.push({ operation, errors, coordinates: coordinatesOf(operation, registered) });
  }
  return { impacts, invalidBefore };
}

/**
 * Does an operation that uses `coordinates` depend on the schema element at `path`? A change to a
 * type touches every field of it the operation selects; a change to an argument, to every use of its
 * field (a new required argument breaks calls that do not pass it); a change to an enum or input
 * type, to every operation that reads or sends it.
 */
export function uses(coordinates: Set<string>, path: string): boolean {
  if (!path) return false;
  for (const coordinate of coordinates) {
    if (coordinate === path || coordinate.startsWith(`${path}.`) || path.startsWith(`${coordinate}.`)) return true;
  }
  return false;
}

/**
 * Fields (`Type.field`), arguments (`Type.field.arg`), input fields (`Input.field`) and the enum,
 * scalar and input types an operation reads or sends. Object types are recorded only through their
 * selected fields, so a field added to or removed from a type elsewhere does not count as used.
 */
function coordinatesOf(operation: ClientOperation, schema: GraphQLSchema): Set<string> {
  const coordinates = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  const addLeafOrInput = (type: unknown) => {
    const named = type ? getNamedType(type as Parameters<typeof getNamedType>[0]) : undefined;
    if (named && (isLeafType(named) || isInputObjectType(named))) coordinates.add(named.name);
  };
  visit(
    operation.document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent || node.name.value.startsWith('__')) return;
        coordinates.add(`${parent.name}.${node.name.value}`);
        addLeafOrInput(typeInfo.getType());
      },
      Argument(node) {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (parent && field) coordinates.add(`${parent.name}.${field.name}.${node.name.value}`);
        addLeafOrInput(typeInfo.getInputType());
      },
      ObjectField(node) {
        const parent = getNamedType(typeInfo.getParentInputType() ?? undefined);
        if (parent) coordinates.add(`${parent.name}.${node.name.value}`);
        addLeafOrInput(typeInfo.getInputType());
      },
      VariableDefinition(node) {
        addLeafOrInput(typeFromAST(schema, node.type as Parameters<typeof typeFromAST>[1]));
      },
    }),
  );
  return coordinates;
}
