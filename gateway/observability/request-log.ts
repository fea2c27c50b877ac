import { randomUUID } from 'node:crypto';
import { getOperationAST, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { identityOf } from '../auth/identity';
import { requestedDocumentId } from '../trusted-documents/requested-document-id';
import type { UpstreamCall } from '../upstream/fetch';
import type { ServedOperation } from '../shared/served-operation';
import { createRequestState } from '../shared/request-state';
import { createFieldUsage } from './field-usage';
import type { Logger } from './logger';
import type { GatewayMetrics } from './metrics';
import type { UsageStats } from './usage';

/**
 * The slice of the GraphQL context a response cache may fill in (`hit`, `miss`, `bypass`…), read
 * once the response is sent; nothing sets it until a cache plugin does.
 */
export interface CacheStatusContext {
  cacheStatus?: string;
}

export interface RequestObservabilityOptions {
  logger: Logger;
  metrics: GatewayMetrics;
  usage: UsageStats;
  /** The trace id of the request's span when tracing is on; otherwise the client's `traceparent` one is logged. */
  traceIdOf?: (request: Request) => string | undefined;
  /** The GraphQL endpoint: a request to it refused before its parameters were read is logged as `invalid`. */
  graphqlPath?: string;
}

interface RequestRecord {
  id: string;
  started: number;
  operation?: string;
  /** The trusted document (persisted operation) id the client sent, if any. */
  documentId?: string;
  upstreamCalls: number;
  errors: Array<{ code: string; message: string; path?: ReadonlyArray<string | number> }>;
  /** Names of the rate limits that refused the request or some of its fields (see gateway/ratelimit). */
  limits: Set<string>;
  fields: readonly string[];
  context?: CacheStatusContext;
}

/**
 * Per GraphQL request: one log line, the request metrics and the usage figures (operation, outcome,
 * duration, error codes, upstream calls, fields, cache status). Per-request state is kept on the
 * request object (../shared/request-state), which the GraphQL context carries, so upstream calls
 * made deep inside stitching are counted against the request that caused them.
 */
export function useRequestObservability({ logger, metrics, usage, traceIdOf = traceIdFromHeader, graphqlPath = '/graphql' }: RequestObservabilityOptions) {
  const records = createRequestState<Request, RequestRecord>('tessera.requestRecord');
  const fieldsOf = createFieldUsage();
  const recordOf = (context: unknown) => {
    const request = (context as { request?: Request } | undefined)?.request;
    return request ? records.get(request) : undefined;
  };

  const observeUpstream = (call: UpstreamCall, context: unknown) => {
    metrics.recordUpstream(call);
    usage.recordUpstream(call);
    const record = recordOf(context);
    if (record) record.upstreamCalls++;
  };

  /** The operation a request runs (executed, or answered early from the cache): its name, fields and context. */
  const recordOperation = (args: ServedOperation) => {
    const record = recordOf(args.contextValue);
    if (!record) return;
    if (!args.operationName) record.operation = getOperationAST(args.document)?.name?.value ?? 'anonymous';
    record.fields = fieldsOf(args.schema, args.document);
    record.context = args.contextValue as CacheStatusContext;
  };

  const plugin: Plugin = {
    onRequest({ request }) {
      // The caller's id when it sent one (so its logs and ours join up), a fresh one otherwise.
      const id = request.headers.get('x-request-id')?.slice(0, 128) || randomUUID();
      records.set(request, { id, started: performance.now(), upstreamCalls: 0, errors: [], limits: new Set(), fields: [] });
    },
    onParams({ params, request }) {
      const record = records.get(request);
      if (!record) return;
      record.operation = params.operationName ?? 'anonymous';
      record.documentId = requestedDocumentId(params, request)?.slice(0, 128); // a client's string: bounded, like the request id
    },
    onExecute({ args }) {
      recordOperation(args);
    },
    onResultProcess({ request, result }) {
      const record = records.get(request);
      if (!record) return;
      for (const r of Array.isArray(result) ? result : [result]) {
        for (const error of (r as { errors?: readonly GraphQLError[] }).errors ?? []) {
          record.errors.push({ code: codeOf(error), message: error.message, ...(error.path ? { path: error.path } : {}) });
          const limit = (error.extensions as { limit?: { name?: unknown } } | undefined)?.limit?.name;
          if (typeof limit === 'string') record.limits.add(limit);
          // A masked error says only "Unexpected error."; the request id finds its logged cause.
          if (error.extensions?.code === 'INTERNAL_SERVER_ERROR') (error.extensions as Record<string, unknown>).requestId = record.id;
        }
      }
    },
    onResponse({ request, response }) {
      const record = records.get(request);
      if (!record) return;
      response.headers.set('x-request-id', record.id);
      if (!record.operation) {
        // Not a GraphQL request (GraphiQL page, health, metrics, a CORS preflight), or one refused
        // before its parameters were read (a body or GET parameters that are not JSON, a CSRF
        // refusal): those are logged and counted too, or malformed traffic would leave no trace.
        const refused = request.method !== 'OPTIONS' && response.status >= 400 && new URL(request.url).pathname === graphqlPath;
        if (!refused) return;
        record.operation = 'invalid';
      }
      const durationMs = performance.now() - record.started;
      const outcome = record.errors.length > 0 || response.status >= 400 ? 'error' : 'ok';
      const errorCodes = record.errors.map((e) => e.code);
      const cacheStatus = record.context?.cacheStatus;
      metrics.recordRequest({ operation: record.operation, outcome, seconds: durationMs / 1000, errorCodes, cacheStatus });
      usage.recordRequest({ operation: record.operation, durationMs, fields: record.fields, errors: record.errors });
      const identity = identityOf(record.context);
      logger.info(
        {
          requestId: record.id,
          traceId: traceIdOf(request),
          operation: record.operation,
          ...(record.documentId ? { documentId: record.documentId } : {}),
          // who, never how: subject and kind of credential, no token or claim
          client: identity ? { subject: identity.subject, kind: identity.kind } : null,
          status: response.status,
          outcome,
          durationMs: Math.round(durationMs * 10) / 10,
          upstreamCalls: record.upstreamCalls,
          errors: record.errors.length,
          ...(errorCodes.length ? { errorCodes: [...new Set(errorCodes)] } : {}),
          cacheStatus,
          ...(record.limits.size ? { rateLimited: [...record.limits] } : {}),
        },
        'graphql request',
      );
    },
  };
  return { plugin, observeUpstream, recordOperation };
}

function codeOf(error: GraphQLError): string {
  const code = (error.extensions as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

/** W3C `traceparent`: version-traceid-parentid-flags; the trace id, when the client sent a valid one. */
function traceIdFromHeader(request: Request): string | undefined {
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(request.headers.get('traceparent')?.trim() ?? '');
  return match && !/^0+$/.test(match[1]) ? match[1] : undefined;
}

