import {
  Kind,
  OperationTypeNode,
  getNamedType,
  isLeafType,
  print,
  typeFromAST,
  visit,
  BREAK,
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import {
  Transformer,
  createRequest,
  delegateRequest,
  getDelegatingOperation,
  getGraphQLResolveInfo,
  isSubschema,
  type CreateProxyingResolverFn,
  type DelegationContext,
  type StitchingInfo,
  type SubschemaConfig,
} from '@graphql-tools/delegate';
import { isAsyncIterable, isPromise, mapAsyncIterator, type ExecutionRequest, type ExecutionResult, type Executor } from '@graphql-tools/utils';
import { copyWith } from '../shared/copy-with';
import { createRequestState } from '../shared/request-state';

/**
 * Root fields' delegation, with the request sent to the source kept per field of the client's
 * document.
 *
 * Why our own: graphql-tools' delegateToSchema builds the delegated request anew at every call:
 * createRequest, then prepareGatewayDocument and finalizeGatewayRequest (visits of the document
 * with type info) and each transform's visit of it, a seventh of the bench's Q1 (one user by id)
 * CPU; without it Q1 serves 27 % more requests per second.
 * What it builds depends on the client's field node (yoga parses a query once and keeps the
 * document), its operation and fragments, the schemas, and which arguments the call has, not on
 * their values (those travel as variables). So the first call of a field node delegates as usual
 * and records the request the source got; a later call with the same node, operation and argument
 * shape sends that document with its own variables, and its answer goes through the same result
 * transforms and checks (Transformer.transformResult). A request is kept only when nothing in it
 * is rewritten per call: every variable is of a scalar or enum type (transforms rewrite input
 * objects' fields), finalizing it renamed no overlapping aliases, and it asks for no @defer or
 * @stream. Link fields delegate the same way, each with a delegator of its own (./links).
 */
export interface RootDelegation {
  /** Root fields of a public subschema delegate through this (its createProxyingResolver). */
  proxyingResolver: CreateProxyingResolverFn;
  /** Wraps a source's executor so that first delegations record what they sent. */
  recording(executor: Executor): Executor;
  /** A delegation with requests kept apart from every other's (one per link field, say). */
  delegator(): Delegate;
}

/** What delegateToSchema takes, for a root field of a subschema. */
export interface DelegateOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- SubschemaConfig's own type parameters, as CreateProxyingResolverFn gives it
  subschemaConfig: SubschemaConfig<any, any, any, any>;
  operation: OperationTypeNode;
  /** The subschema's root field (public name). */
  fieldName: string;
  args: Record<string, unknown>;
  /** Default: the resolving field's. */
  returnType?: GraphQLOutputType;
  onLocatedError?: (error: GraphQLError) => GraphQLError;
  rootValue?: unknown;
  context: Record<string, unknown> | undefined;
  info: GraphQLResolveInfo;
}

export type Delegate = (options: DelegateOptions) => unknown;

export function createRootDelegation(): RootDelegation {
  /** Set for the duration of a first delegation: what its executor call records. */
  const recorders = createRequestState<GraphQLResolveInfo, (request: ExecutionRequest) => void>('tessera.rootDelegationRecorder');

  const recording = (executor: Executor): Executor =>
    ((request: ExecutionRequest) => {
      const record = request.info && recorders.get(request.info);
      if (record) {
        recorders.delete(request.info!);
        record(request);
      }
      return executor(request);
    }) as Executor;

  const delegator = (): Delegate => {
    const plans = new WeakMap<FieldNode, Plan[]>();
    return (options) => {
      const { subschemaConfig, operation, fieldName, args, rootValue, context, info } = options;
      // As delegateToSchema makes the request: the same inputs give the same document and variables.
      const targetSchema = isSubschema(subschemaConfig) ? subschemaConfig.transformedSchema : subschemaConfig.schema;
      const targetRoot = targetSchema.getRootType(operation);
      const request = createRequest({
        subgraphName: subschemaConfig.name,
        fragments: Object.values(info.fragments),
        targetSchema: targetRoot?.getFields()[fieldName] == null ? subschemaConfig.schema : targetSchema,
        rootValue: rootValue !== undefined ? rootValue : (subschemaConfig.rootValue ?? info.rootValue),
        targetOperationName: info.operation.name?.value,
        targetOperation: operation,
        targetFieldName: fieldName,
        fieldNodes: info.fieldNodes,
        context,
        info,
        args,
      });
      const delegation = copyWith(options, { schema: subschemaConfig, targetSchema, request });
      const cacheable = operation !== OperationTypeNode.SUBSCRIPTION && info.fieldNodes.length === 1 && subschemaConfig.executor && !subschemaConfig.batch;
      if (!cacheable) return delegateRequest(delegation);

      const fieldNode = info.fieldNodes[0];
      const shape = argumentShape(request.document);
      const planOf = () => plans.get(fieldNode)?.find((plan) => plan.operation === info.operation && plan.shape === shape);
      const known = planOf();
      if (known) return delegateAgain(known, options, targetSchema, request);

      recorders.set(info, (sent) => {
        const document = keepable(sent.document, subschemaConfig.schema);
        if (!document || planOf()) return; // another call of the node may have recorded it meanwhile
        const plan: Plan = { operation: info.operation, shape, document, variableNames: variableNamesOf(document) };
        plans.set(fieldNode, [...(plans.get(fieldNode) ?? []), plan]);
      });
      try {
        return delegateRequest(delegation);
      } finally {
        recorders.delete(info); // the executor was not reached (the request was refused before it)
      }
    };
  };

  const proxyingResolver: CreateProxyingResolverFn = ({ subschemaConfig, operation: given }) => {
    const delegate = delegator();
    return (rootValue, args, context, info) =>
      delegate({ subschemaConfig, operation: given ?? getDelegatingOperation(info.parentType, info.schema), fieldName: info.fieldName, args, rootValue, context, info });
  };

  return { proxyingResolver, recording, delegator };
}

interface Plan {
  operation: OperationDefinitionNode;
  /** The delegated root field's arguments, as createRequest wrote them (see argumentShape). */
  shape: string;
  /** The request's document as the source got it. */
  document: DocumentNode;
  /** The variables that document declares. */
  variableNames: string[];
}

/**
 * Which arguments the delegated root field has and how each is given: createRequest passes an
 * argument through as the client's variable when its value is that variable's, else as a variable
 * of its own, and leaves out arguments the call does not have. (A literal it writes in is part of
 * the shape, value and all.)
 */
function argumentShape(document: DocumentNode): string {
  const operation = document.definitions[0] as OperationDefinitionNode;
  const field = operation.selectionSet.selections[0] as FieldNode;
  // Printing is a visit: only a literal (rare, see above) is printed, not a variable on every call.
  return (field.arguments ?? []).map((arg) => `${arg.name.value}:${arg.value.kind === Kind.VARIABLE ? `$${arg.value.name.value}` : print(arg.value)}`).join(',');
}

/** The document, when reusing it is exact: see createRootDelegation. */
function keepable(document: DocumentNode, targetSchema: GraphQLSchema): DocumentNode | undefined {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      const type = typeFromAST(targetSchema, variable.type as Parameters<typeof typeFromAST>[1]);
      if (!type || !isLeafType(getNamedType(type))) return undefined;
    }
  }
  let exact = true;
  visit(document, {
    Field(node) {
      if (node.alias && /^_(nullable|nonNullable)_/.test(node.alias.value)) exact = false;
      return exact ? undefined : BREAK;
    },
    Directive(node) {
      if (node.name.value === 'defer' || node.name.value === 'stream') exact = false;
      return exact ? undefined : BREAK;
    },
  });
  return exact ? document : undefined;
}

function variableNamesOf(document: DocumentNode): string[] {
  return document.definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION ? (definition.variableDefinitions ?? []).map((variable) => variable.variable.name.value) : [],
  );
}

/** The rest of delegateRequest for a kept document: the executor, then the result transforms. */
function delegateAgain(plan: Plan, options: DelegateOptions, transformedSchema: GraphQLSchema, request: ExecutionRequest): unknown {
  const { subschemaConfig: schema, operation, fieldName, args, info } = options;
  // As getDelegationContext makes it.
  const stitchingInfo = info.schema.extensions?.stitchingInfo as StitchingInfo | undefined;
  const subschemaConfig = stitchingInfo?.subschemaMap.get(schema) ?? schema;
  const delegationContext: DelegationContext = {
    subschema: schema,
    subschemaConfig,
    targetSchema: subschemaConfig.schema,
    operation,
    fieldName,
    context: request.context,
    info,
    returnType: options.returnType ?? info.returnType,
    transforms: subschemaConfig.transforms ?? [],
    transformedSchema,
    skipTypeMerging: false,
    onLocatedError: options.onLocatedError,
    args,
  };
  const transformer = new Transformer(delegationContext);
  // finalizeGatewayRequest's choice: the request's own value, else the client's (both as coerced).
  const variables: Record<string, unknown> = {};
  for (const name of plan.variableNames) {
    const value = request.variables?.[name];
    if (value !== undefined) variables[name] = value;
  }
  const sent: ExecutionRequest = copyWith(request, { document: plan.document, variables, info: getGraphQLResolveInfo(info) });
  const answer = (result: ExecutionResult | AsyncIterable<ExecutionResult>) =>
    isAsyncIterable(result) ? mapAsyncIterator(result, (item) => transformer.transformResult(item)) : transformer.transformResult(result);
  const result = (subschemaConfig.executor as Executor)(sent);
  return isPromise(result) ? result.then(answer) : answer(result);
}
