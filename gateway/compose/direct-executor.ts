import {
  GraphQLError,
  Kind,
  defaultFieldResolver,
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  locatedError,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { executorFromSchema, getVariableValues } from '@graphql-tools/executor';
import { getArgumentValues, inspect, isIterableObject, isPromise, type ExecutionRequest, type ExecutionResult, type Executor, type Path, type VariableValues } from '@graphql-tools/utils';
import { createRequestState } from '../shared/request-state';

/**
 * The executor of a source's in-process schema (the one stitching delegates to): root fields run
 * as usual, but what they return (a REST reply's JSON) is completed by a plan of the delegated
 * selection instead of a second full GraphQL execution.
 *
 * Why our own: every object a REST source answers went through GraphQL execution twice, once in
 * the source's schema and once in the gateway's, and the inner pass (a resolve info, an argument
 * map and a result dictionary per field, for fields that only read a JSON property) was about half
 * of the field executions of a list query. Below the root, those schemas' fields are plain JSON
 * properties, so a selection is read with the executor's own rules (default resolver, non-null,
 * lists, leaf serialization, errors with paths) without the per-field machinery.
 *
 * Only documents whose selections below the root read plain properties of object and leaf types
 * take this path (see `planOf`); anything else (a field with its own resolver, an interface or
 * union, a directive, a subscription) runs through @graphql-tools/executor unchanged.
 */
export function createDirectExecutor(schema: GraphQLSchema): Executor {
  const standard = executorFromSchema(schema);
  // Planned once per document: root delegation sends the same document object again for every call
  // of a client's field (./root-delegation), so planning it anew was 1 % of the bench's Q1 CPU. Kept
  // on the document itself, which a one-off document takes with it when it dies (../shared/request-state).
  const plans = createRequestState<DocumentNode, Map<string | undefined, DirectPlan | null>>('tessera.directPlans');
  const planOf = (document: DocumentNode, operationName: string | undefined): DirectPlan | null => {
    const known = plans.get(document) ?? plans.set(document, new Map());
    let plan = known.get(operationName);
    if (plan === undefined) known.set(operationName, (plan = directPlan(schema, document, operationName)));
    return plan;
  };
  // Executor is generic in the data it returns; ours returns what the schema's resolvers give.
  return ((request: ExecutionRequest) => {
    const plan = planOf(request.document, request.operationName);
    if (!plan) return standard(request);
    return run(schema, request, plan, standard);
  }) as Executor;
}

/** How the direct executor runs a document's operation (null: the standard executor does). */
interface DirectPlan {
  operation: OperationDefinitionNode;
  rootType: GraphQLObjectType;
  roots: PlannedField[];
  fragments: Record<string, FragmentDefinitionNode>;
}

function directPlan(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): DirectPlan | null {
  const operation = singleOperation(document, operationName);
  if (!operation || operation.operation === 'subscription') return null;
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return null;
  const fragments = fragmentsOf(document);
  const roots = planSelection(schema, rootType, [operation.selectionSet], fragments, true);
  return roots ? { operation, rootType, roots, fragments } : null;
}

/** One response key of a selection on an object type, with the plan of its own selection. */
interface PlannedField {
  responseKey: string;
  fieldName: string;
  field: GraphQLField<unknown, unknown>;
  nodes: FieldNode[];
  /** For object (or list of object) fields: the sub-selection's plan. */
  selection?: PlannedField[];
}

function singleOperation(document: DocumentNode, operationName: string | undefined): OperationDefinitionNode | undefined {
  let found: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operationName === undefined ? found : definition.name?.value !== operationName) {
      if (operationName === undefined) return undefined; // several operations: let the executor say so
      continue;
    }
    found = definition;
  }
  return found;
}

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
}

/**
 * The plan of a selection on `type`, or undefined when part of it needs the full executor. Below the
 * root every field must read a property (no resolver of its own) of a leaf or object type; root
 * fields keep their resolvers (they call the upstream).
 */
function planSelection(
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
  fragments: Record<string, FragmentDefinitionNode>,
  root: boolean,
): PlannedField[] | undefined {
  if (type.isTypeOf) return undefined;
  const byKey = new Map<string, FieldNode[]>();
  const collect = (selectionSet: SelectionSetNode): boolean => {
    for (const selection of selectionSet.selections) {
      if (selection.directives?.length) return false;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const nodes = byKey.get(key);
        if (nodes) nodes.push(selection);
        else byKey.set(key, [selection]);
        continue;
      }
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments[selection.name.value] : selection;
      if (!fragment || fragment.directives?.length) return false;
      if (fragment.typeCondition && fragment.typeCondition.name.value !== type.name) return false;
      if (!collect(fragment.selectionSet)) return false;
    }
    return true;
  };
  for (const selectionSet of selectionSets) if (!collect(selectionSet)) return undefined;
  const fields = type.getFields();
  const planned: PlannedField[] = [];
  for (const [responseKey, nodes] of byKey) {
    const fieldName = nodes[0].name.value;
    if (fieldName === '__typename') {
      planned.push({ responseKey, fieldName, field: TYPENAME, nodes });
      continue;
    }
    const field = fields[fieldName];
    if (!field) return undefined; // introspection fields, or unknown ones: the executor's business
    if (!root && field.resolve) return undefined;
    const named = getNamedType(field.type);
    if (isLeafType(named)) {
      planned.push({ responseKey, fieldName, field, nodes });
      continue;
    }
    if (!isObjectType(named)) return undefined;
    const selection = planSelection(
      schema,
      named,
      nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : [])),
      fragments,
      false,
    );
    if (!selection) return undefined;
    planned.push({ responseKey, fieldName, field, nodes, selection });
  }
  return planned;
}

/** Stands for `__typename` in a plan; its value is the parent type's name. */
const TYPENAME = { name: '__typename' } as GraphQLField<unknown, unknown>;

interface Run {
  errors: GraphQLError[];
  /** The response path of the value being completed (pushed and popped, copied only for an error). */
  path: Array<string | number>;
  /** What a resolve info holds beside the field and its path. */
  shared: Omit<GraphQLResolveInfo, 'fieldName' | 'fieldNodes' | 'returnType' | 'parentType' | 'path'> & { signal?: AbortSignal };
  request: ExecutionRequest;
  variables: VariableValues;
}

async function run(schema: GraphQLSchema, request: ExecutionRequest, { operation, rootType, roots, fragments }: DirectPlan, standard: Executor): Promise<ExecutionResult> {
  const signal = request.signal ?? (request.info as { signal?: AbortSignal } | undefined)?.signal;
  signal?.throwIfAborted();
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {}, { maxErrors: 50 });
  if (coerced.errors) return standard(request) as Promise<ExecutionResult>; // it words (and flags) these errors itself
  const variables = coerced.variableValues;
  const shared: Run['shared'] = { schema, fragments, rootValue: request.rootValue, operation, variableValues: variables.coerced, signal };
  const errors: GraphQLError[] = [];
  const data: Record<string, unknown> = Object.create(null);
  const resolveRoot = async (planned: PlannedField): Promise<unknown> => {
    const { field, responseKey } = planned;
    const state: Run = { errors, path: [responseKey], shared, request, variables };
    if (field === TYPENAME) return rootType.name;
    try {
      const resolved = await resolveField(state, rootType, planned, request.rootValue, field.resolve ?? defaultFieldResolver);
      signal?.throwIfAborted();
      return complete(state, field.type, planned, rootType, resolved);
    } catch (error) {
      if (error === signal?.reason) throw error;
      return fieldFailed(state, error, field.type, planned.nodes);
    }
  };
  try {
    if (operation.operation === 'mutation') {
      for (const planned of roots) data[planned.responseKey] = await resolveRoot(planned);
    } else {
      const values = await Promise.all(roots.map(resolveRoot));
      roots.forEach((planned, i) => (data[planned.responseKey] = values[i]));
    }
  } catch (error) {
    if (error === signal?.reason) throw error;
    errors.push(error as GraphQLError); // a non-null root field failed: no data at all
    return { errors, data: null };
  }
  return errors.length === 0 ? { data } : { errors, data };
}

/** As the executor's handleFieldError: located, then null unless the type is non-null (then it propagates). */
function fieldFailed(state: Run, raw: unknown, type: GraphQLOutputType, nodes: readonly FieldNode[]): null {
  const error = locatedError(coerceError(raw), nodes, [...state.path]); // one already located keeps its path
  if (isNonNullType(type)) throw error;
  state.errors.push(error);
  return null;
}

/** The executor's value completion for a plan (no promises below the root: the values are JSON). */
function complete(state: Run, type: GraphQLOutputType, planned: PlannedField, parentType: GraphQLObjectType, value: unknown): unknown {
  if (value instanceof Error) throw value;
  if (isNonNullType(type)) {
    const completed = complete(state, type.ofType, planned, parentType, value);
    if (completed === null) throw new Error(`Cannot return null for non-nullable field ${parentType.name}.${planned.fieldName}.`);
    return completed;
  }
  if (value === null || value === undefined) return null;
  if (isListType(type)) {
    if (!isIterableObject(value)) {
      throw new GraphQLError(`Expected Iterable, but did not find one for field "${parentType.name}.${planned.fieldName}".`);
    }
    const itemType = type.ofType;
    const completed: unknown[] = [];
    let index = 0;
    for (const item of value) {
      state.path.push(index++);
      try {
        completed.push(complete(state, itemType, planned, parentType, item));
      } catch (error) {
        completed.push(fieldFailed(state, error, itemType, planned.nodes));
      } finally {
        state.path.pop();
      }
    }
    return completed;
  }
  if (planned.selection === undefined) return serialize(type as GraphQLLeafType, value);
  return completeObject(state, type as GraphQLObjectType, planned.selection, value);
}

function completeObject(state: Run, type: GraphQLObjectType, selection: PlannedField[], source: unknown): Record<string, unknown> {
  const result: Record<string, unknown> = Object.create(null);
  for (const planned of selection) {
    const { responseKey, field } = planned;
    if (field === TYPENAME) {
      result[responseKey] = type.name;
      continue;
    }
    state.path.push(responseKey);
    try {
      const property = typeof source === 'object' || typeof source === 'function' ? (source as Record<string, unknown>)[planned.fieldName] : undefined;
      // A method is called as the default resolver would (never so for JSON.parse's values).
      const value = typeof property === 'function' ? resolveField(state, type, planned, source, defaultFieldResolver) : property;
      if (isPromise(value)) throw new Error(`${type.name}.${planned.fieldName} answered a promise where JSON was expected`);
      result[responseKey] = complete(state, field.type, planned, type, value);
    } catch (error) {
      result[responseKey] = fieldFailed(state, error, field.type, planned.nodes);
    } finally {
      state.path.pop();
    }
  }
  return result;
}

/** Calls a resolver with the arguments and resolve info the executor would give it. */
function resolveField(state: Run, parentType: GraphQLObjectType, planned: PlannedField, source: unknown, resolve: GraphQLFieldResolver<unknown, unknown>): unknown {
  const { field, nodes } = planned;
  let path: Path | undefined;
  for (const key of state.path) path = { prev: path, key, typename: key === state.path.at(-1) ? parentType.name : undefined };
  const { schema, fragments, rootValue, operation, variableValues, signal } = state.shared;
  // A literal, not a spread of `shared` (../shared/copy-with says why).
  const info: GraphQLResolveInfo & { signal?: AbortSignal } = { fieldName: planned.fieldName, fieldNodes: nodes, returnType: field.type, parentType, path: path!, schema, fragments, rootValue, operation, variableValues };
  if (signal) info.signal = signal;
  const args = getArgumentValues(field, nodes[0], state.variables.coerced, state.variables.sources);
  return resolve(source, args, state.request.context, info);
}

/** As the executor's completeLeafValue. */
function serialize(type: GraphQLLeafType, value: unknown): unknown {
  let serialized: unknown;
  try {
    serialized = type.serialize(value);
  } catch (error) {
    // The executor turns a GraphQLError into an Error, as non-null checks do.
    if (error instanceof GraphQLError) throw new Error(error.message);
    throw error;
  }
  if (serialized === null || serialized === undefined) {
    throw new Error(`Expected \`${inspect(type)}.serialize(${inspect(value)})\` to return non-nullable value, returned: ${inspect(serialized)}`);
  }
  return serialized;
}

/** As the executor's coerceError. */
function coerceError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return new Error((error as { message: string }).message);
  }
  return new Error(String(error));
}
