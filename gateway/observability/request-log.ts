import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { UpstreamCall } from '../upstream/fetch';
import type { Logger } from './logger';
import type { GatewayMetrics } from './metrics';

interface RequestRecord {
  id: string;
  started: number;
  operation?: string;
  upstreamCalls: number;
  errors: number;
}

/**
 * One log line and one duration observation per GraphQL request: operation name, outcome,
 * duration and how many upstream calls it took. Per-request state lives in a WeakMap keyed by the
 * request object, which the GraphQL context carries, so upstream calls made deep inside stitching
 * are counted against the request that caused them.
 */
export function useRequestObservability(logger: Logger, metrics: GatewayMetrics) {
  const records = new WeakMap<Request, RequestRecord>();
  const recordOf = (context: unknown) => {
    const request = (context as { request?: Request } | undefined)?.request;
    return request ? records.get(request) : undefined;
  };

  const observeUpstream = (call: UpstreamCall, context: unknown) => {
    metrics.recordUpstream(call);
    const record = recordOf(context);
    if (record) record.upstreamCalls++;
  };

  const plugin: Plugin = {
    onRequest({ request }) {
      // The caller's id when it sent one (so its logs and ours join up), a fresh one otherwise.
      const id = request.headers.get('x-request-id')?.slice(0, 128) || randomUUID();
      records.set(request, { id, started: performance.now(), upstreamCalls: 0, errors: 0 });
    },
    onParams({ params, request }) {
      const record = records.get(request);
      if (record) record.operation = params.operationName ?? 'anonymous';
    },
    onExecute({ args }) {
      const record = recordOf(args.contextValue);
      if (record && !args.operationName) record.operation = operationNameOf(args.document) ?? 'anonymous';
    },
    onResultProcess({ request, result }) {
      const record = records.get(request);
      const results = Array.isArray(result) ? result : [result];
      if (!record) return;
      for (const r of results) {
        const errors = (r as { errors?: Array<{ extensions?: Record<string, unknown> }> }).errors ?? [];
        record.errors += errors.length;
        // A masked error says only "Unexpected error."; the request id finds its logged cause.
        for (const error of errors) if (error.extensions?.code === 'INTERNAL_SERVER_ERROR') error.extensions.requestId = record.id;
      }
    },
    onResponse({ request, response }) {
      const record = records.get(request);
      if (!record) return;
      response.headers.set('x-request-id', record.id);
      if (!record.operation) return; // not a GraphQL request (GraphiQL page, health, metrics)
      const durationMs = performance.now() - record.started;
      const outcome = record.errors > 0 || response.status >= 400 ? 'error' : 'ok';
      metrics.recordRequest(record.operation, outcome, durationMs / 1000);
      logger.info(
        {
          requestId: record.id,
          operation: record.operation,
          status: response.status,
          outcome,
          durationMs: Math.round(durationMs * 10) / 10,
          upstreamCalls: record.upstreamCalls,
          errors: record.errors,
        },
        'graphql request',
      );
    },
  };
  return { plugin, observeUpstream };
}

function operationNameOf(document: { definitions: ReadonlyArray<{ kind: string; name?: { value: string } }> }): string | undefined {
  return document.definitions.find((d) => d.kind === 'OperationDefinition')?.name?.value;
}
