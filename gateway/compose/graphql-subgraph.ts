import { readFile } from 'node:fs/promises';
import { GraphQLError, Kind, buildSchema, type FieldNode, type GraphQLSchema } from 'graphql';
import { delegateToSchema } from '@graphql-tools/delegate';
import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import type { ExecutionResult, Executor } from '@graphql-tools/utils';
import { schemaFromExecutor, wrapSchema } from '@graphql-tools/wrap';
import type { GraphqlSourceConfig } from '../config/schema';
import { createUpstreamClient, type UpstreamObserver } from '../upstream/fetch';
import { toFieldError } from './field-errors';
import type { Subgraph } from './subgraph';
import type { WarningSink } from './warnings';

/** Response key under which batched links read the key field they match on. */
const KEY_ALIAS = '__tessera_key';

/** An existing GraphQL service as a source: its schema from an SDL file or by introspection. */
export async function buildGraphqlSubgraph(source: GraphqlSourceConfig, observe: UpstreamObserver, _warn: WarningSink): Promise<Subgraph> {
  const upstream = createUpstreamClient({
    source: source.name,
    timeoutMs: source.timeoutMs,
    headers: source.headers,
    forwardHeaders: source.forwardHeaders,
    operationOf: () => 'graphql',
    observe,
  });
  const http = buildHTTPExecutor({ endpoint: source.url, fetch: (url, init, context) => upstream.fetch(url, init, context) });
  const executor: Executor = async (request) => withSourceErrors((await http(request)) as ExecutionResult, source.name);
  const schema = await loadSchema(source, executor);
  let local: GraphQLSchema | undefined;
  return {
    name: source.name,
    kind: 'graphql',
    schema,
    executor,
    close: upstream.close,
    // GraphQL names are already GraphQL names: only the config's renames and hides apply.
    naming: { types: new Map(), rootFields: { Query: new Map(), Mutation: new Map() }, objectFields: new Map(), inputFields: new Map() },
    localSchema: () => (local ??= wrapSchema({ schema, executor })),
    // A GraphQL service answers only what is selected: the key field is added to the selection
    // under an alias of its own, so matching works even when the client did not ask for it.
    batchCaller: (rawField, matchField) => ({
      call: (args, context, info) =>
        delegateToSchema({
          schema: { schema, executor },
          operation: 'query' as never,
          fieldName: rawField,
          args,
          context: context as Record<string, unknown>,
          info,
          returnType: schema.getQueryType()!.getFields()[rawField].type,
          fieldNodes: info.fieldNodes.map((node) => withKeyField(node, matchField)),
        }),
      keyOf: (item) => (item as Record<string, unknown> | null)?.[KEY_ALIAS],
    }),
  };
}

async function loadSchema(source: GraphqlSourceConfig, executor: Executor): Promise<GraphQLSchema> {
  try {
    return source.sdl ? buildSchema(await readFile(source.sdl, 'utf8')) : await schemaFromExecutor(executor);
  } catch (error) {
    const how = source.sdl ? `its SDL file ${source.sdl} could not be read` : 'introspection failed';
    throw new Error(`source "${source.name}": ${how}: ${(error as Error).message}`);
  }
}

function withKeyField(node: FieldNode, matchField: string): FieldNode {
  const keyField: FieldNode = { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: KEY_ALIAS }, name: { kind: Kind.NAME, value: matchField } };
  return { ...node, selectionSet: { kind: Kind.SELECTION_SET, selections: [...(node.selectionSet?.selections ?? []), keyField] } };
}

/**
 * Errors the service itself reports pass through with `source` added; transport failures
 * (refused, timeout, HTTP errors) become the same normalized field errors REST sources give.
 */
function withSourceErrors(result: ExecutionResult, source: string): ExecutionResult {
  if (!result.errors?.length) return result;
  return {
    ...result,
    errors: result.errors.map((error) => {
      const transport = error.originalError && !(error.originalError instanceof GraphQLError) ? error.originalError : undefined;
      if (transport || !error.path) return toFieldError(transport ?? error, source);
      const { code, ...rest } = (error.extensions ?? {}) as Record<string, unknown>;
      return new GraphQLError(error.message, {
        path: error.path,
        extensions: { ...rest, code: typeof code === 'string' ? code : 'UPSTREAM_ERROR', source },
      });
    }),
  };
}
