import { readFile } from 'node:fs/promises';
import { GraphQLError, Kind, OperationTypeNode, buildSchema, printSchema, type FieldNode, type GraphQLSchema } from 'graphql';
import { delegateToSchema } from '@graphql-tools/delegate';
import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import type { ExecutionResult, Executor } from '@graphql-tools/utils';
import { schemaFromExecutor, wrapSchema } from '@graphql-tools/wrap';
import type { GraphqlSourceConfig } from '../config/schema';
import { instanceUrls } from '../upstream/pool';
import { createUpstreamAuthorizer } from '../upstream/upstream-auth';
import type { Upstreams } from '../upstream/upstreams';
import { toFieldError } from './field-errors';
import { withLastKnownGood } from './last-known-good';
import type { Subgraph } from './subgraph';
import type { WarningSink } from './warnings';

/** Response key under which batched links read the key field they match on. */
const KEY_ALIAS = '__tessera_key';

/** An existing GraphQL service as a source: its schema from an SDL file or by introspection. */
export async function buildGraphqlSubgraph(source: GraphqlSourceConfig, upstreams: Upstreams, warn: WarningSink, specCache: string): Promise<Subgraph> {
  const fetch = upstreams.client(source, () => 'graphql', { authorize: createUpstreamAuthorizer(source) });
  const http = buildHTTPExecutor({ endpoint: instanceUrls(source)[0], fetch: (url, init, context) => fetch(url, init, context) });
  const executor: Executor = async (request) => withSourceErrors((await http(request)) as ExecutionResult, source.name);
  const { value: schema, stale } = await loadSchema(source, executor, warn, specCache);
  let local: GraphQLSchema | undefined;
  return {
    name: source.name,
    stale,
    schema,
    executor,
    // GraphQL names are already GraphQL names: only the config's renames and hides apply.
    naming: { types: new Map(), rootFields: { Query: new Map(), Mutation: new Map() }, objectFields: new Map(), inputFields: new Map() },
    localSchema: () => (local ??= wrapSchema({ schema, executor })),
    // A GraphQL service answers only what is selected: the key field is added to the selection
    // under an alias of its own, so matching works even when the client did not ask for it.
    batchCaller: (rawField, matchField) => ({
      call: (args, context, info) =>
        delegateToSchema({
          schema: { schema, executor },
          operation: OperationTypeNode.QUERY,
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

async function loadSchema(source: GraphqlSourceConfig, executor: Executor, warn: WarningSink, specCache: string): Promise<{ value: GraphQLSchema; stale?: string }> {
  try {
    if (source.sdl) return { value: buildSchema(await readFile(source.sdl, 'utf8')) };
    if (source.resilience.whenDown !== 'last-known-good') return { value: await schemaFromExecutor(executor) };
    // Kept as SDL on disk: what introspection gave, printed.
    return await withLastKnownGood(source, specCache, 'sdl', async () => printSchema(await schemaFromExecutor(executor)), buildSchema, warn);
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
 * Errors the service itself reports (they have a path) pass through with their message, their
 * `code` and the `source`, and nothing else of their extensions (stack traces, exception details).
 * Transport failures (refused, timeout, HTTP errors, bodies that are not GraphQL responses) become
 * the same normalized field errors REST sources give, without the upstream's body.
 */
function withSourceErrors(result: ExecutionResult, source: string): ExecutionResult {
  if (!result.errors?.length) return result;
  return {
    ...result,
    errors: result.errors.map((error) => {
      const fromTransport =
        !error.path || error.extensions?.response !== undefined || (error.originalError && !(error.originalError instanceof GraphQLError));
      if (fromTransport) return toFieldError(error, source);
      const code = error.extensions?.code;
      return new GraphQLError(error.message, {
        path: error.path,
        extensions: { code: typeof code === 'string' ? code : 'UPSTREAM_ERROR', source },
      });
    }),
  };
}
