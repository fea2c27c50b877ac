import {
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type GraphQLNamedType,
  type SelectionSetNode,
} from 'graphql';

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
 * variables are known.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  options: CostOptions,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const operation = document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return 0;
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;

  const costOf = (selectionSet: SelectionSetNode, parent: GraphQLNamedType, visiting: Set<string>): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        const fields = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields() : undefined;
        const field = fields?.[selection.name.value];
        if (!field) continue;
        const children = selection.selectionSet ? costOf(selection.selectionSet, getNamedType(field.type), visiting) : 0;
        total += 1 + (isListType(getNullableType(field.type)) ? sizeOf(selection.arguments ?? [], variables, options) : 1) * children;
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
  return costOf(operation.selectionSet, root, new Set());
}

function sizeOf(
  args: ReadonlyArray<{ name: { value: string }; value: Parameters<typeof valueFromASTUntyped>[0] }>,
  variables: Record<string, unknown> | null | undefined,
  options: CostOptions,
): number {
  for (const arg of args) {
    if (!SIZE_ARGUMENTS.includes(arg.name.value)) continue;
    const value = valueFromASTUntyped(arg.value, variables ?? undefined);
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  }
  return options.defaultListSize;
}
