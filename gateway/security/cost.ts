import {
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type GraphQLSchema,
  type GraphQLNamedType,
  type SelectionSetNode,
} from 'graphql';
import { fragmentsByName } from '../shared/fragments';

export interface CostOptions {
  /** Assumed length of a list field without a size argument. */
  defaultListSize: number;
}

const SIZE_ARGUMENTS = ['limit', 'first', 'last'];

/**
 * The cost model of the GraphQL cost directives (`@cost`/`@listSize`) with their defaults: each
 * field costs 1, and a list field multiplies the cost of its selection by its size argument
 * (`limit`/`first`/`last`, from the literal or the variable) or by the default list size.
 *
 * graphql-armor's cost limit prices fields by depth, not by list sizes, so it cannot tell
 * `orders(limit: 5)` from `orders(limit: 5000)`; this walk runs at execution, where the
 * variables are known. Its result is remembered per schema, document and operation name when no
 * size argument is a variable (the cost is then the document's alone, and clients send the same
 * few documents again and again: the walk was ~2 % of a cache hit's CPU).
 */
export function createOperationCost(
  options: CostOptions,
): (schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined) => number {
  const known = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, number>>>();
  return (schema, document, operationName, variables) => {
    const key = operationName ?? '';
    const remembered = known.get(schema)?.get(document)?.get(key);
    if (remembered !== undefined) return remembered;
    const { cost, readsVariables } = walkCost(schema, document, operationName, variables, options);
    if (!readsVariables) {
      let byDocument = known.get(schema);
      if (!byDocument) known.set(schema, (byDocument = new WeakMap()));
      let byName = byDocument.get(document);
      if (!byName) byDocument.set(document, (byName = new Map()));
      byName.set(key, cost);
    }
    return cost;
  };
}

function walkCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  options: CostOptions,
): { cost: number; readsVariables: boolean } {
  let readsVariables = false;
  const fragments = fragmentsByName(document);
  const operation = document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return { cost: 0, readsVariables };
  const root = schema.getRootType(operation.operation);
  if (!root) return { cost: 0, readsVariables };

  const costOf = (selectionSet: SelectionSetNode, parent: GraphQLNamedType, visiting: Set<string>): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        const fields = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields() : undefined;
        const field = fields?.[selection.name.value];
        if (!field) continue;
        const children = selection.selectionSet ? costOf(selection.selectionSet, getNamedType(field.type), visiting) : 0;
        const size = isListType(getNullableType(field.type)) ? sizeOf(selection.arguments ?? [], variables, options, () => (readsVariables = true)) : 1;
        total += 1 + size * children;
      } else {
        const name = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : undefined;
        // Validation rejects fragment cycles before execution; the guard keeps this walk total anyway.
        if (name && visiting.has(name)) continue;
        const fragment = name ? fragments.get(name) : selection;
        if (!fragment || fragment.kind === Kind.FRAGMENT_SPREAD) continue;
        const typeName = fragment.typeCondition?.name.value;
        const type = (typeName && schema.getType(typeName)) || parent;
        const next = name ? new Set(visiting).add(name) : visiting;
        total += costOf(fragment.selectionSet, type, next);
      }
    }
    return total;
  };
  const cost = costOf(operation.selectionSet, root, new Set());
  return { cost, readsVariables };
}

/** The list size a field's arguments give; `readsVariable` is told when one it looks at is a variable. */
function sizeOf(
  args: ReadonlyArray<{ name: { value: string }; value: Parameters<typeof valueFromASTUntyped>[0] }>,
  variables: Record<string, unknown> | null | undefined,
  options: CostOptions,
  readsVariable: () => void,
): number {
  for (const arg of args) {
    if (!SIZE_ARGUMENTS.includes(arg.name.value)) continue;
    if (arg.value.kind === Kind.VARIABLE) readsVariable();
    const value = valueFromASTUntyped(arg.value, variables ?? undefined);
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  }
  return options.defaultListSize;
}
