import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context as otelContext,
  defaultTextMapSetter,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import { defaultFieldResolver, getOperationAST, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { TesseraConfig } from '../config/schema';
import type { UpstreamTrace } from '../upstream/fetch';
import { createRequestState } from '../shared/request-state';

export interface Tracing {
  /** Spans for the request, parse, validate and execute. */
  plugin: Plugin;
  /** Wraps the resolvers that reach upstreams (root fields, links) in spans of their own. */
  instrument(schema: GraphQLSchema): GraphQLSchema;
  /** A span per upstream call, and the `traceparent` header sent with it. */
  traceUpstream?: UpstreamTrace;
  /** The trace id of a request's span, for the log line. */
  traceIdOf?: (request: Request) => string | undefined;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** `Type.field` coordinates of the link fields: they call upstreams, so they get resolver spans. */
  linkFields: string[];
  instanceId: string;
}

/** Tracing off: no plugin hooks, no wrapped resolvers, no header work per upstream call. */
const OFF: Tracing = { plugin: {}, instrument: (schema) => schema, shutdown: async () => {} };

/**
 * OpenTelemetry tracing, on when `telemetry.tracing.otlpEndpoint` is set: spans exported over
 * OTLP/HTTP (JSON), W3C trace context read from clients and sent to upstreams.
 *
 * A small plugin of our own over the maintained SDK rather than @envelop/opentelemetry: that plugin
 * traces every resolver (or none) and knows nothing of upstream calls, while an operator wants the
 * resolvers that reach an upstream and each HTTP call with its source and instance.
 */
export function createTracing(options: TesseraConfig['telemetry']['tracing'], { linkFields, instanceId }: TracingOptions): Tracing {
  if (!options.otlpEndpoint) return OFF;
  // The SDK is loaded only when tracing is on: ~60 ms of every start otherwise.
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  // Async context (AsyncLocalStorage) carries the active span from a resolver into the upstream
  // fetch it causes. It is process-wide by nature; setting it again is a no-op.
  otelContext.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName, 'service.instance.id': instanceId }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio) }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: options.otlpEndpoint }), { scheduledDelayMillis: 1000 })],
  });
  const tracer = provider.getTracer('tessera');
  const propagator = new W3CTraceContextPropagator();
  const requests = createRequestState<Request, { span?: Span; context: Context; started: number }>('tessera.trace');
  const stateOf = (graphqlContext: unknown) => {
    const request = (graphqlContext as { request?: Request } | undefined)?.request;
    return request ? requests.get(request) : undefined;
  };
  /** A child of the request's span (or of whatever span is active, e.g. a resolver's). */
  const child = (name: string, graphqlContext: unknown, kind = SpanKind.INTERNAL) => {
    const active = otelContext.active();
    const parent = trace.getSpan(active) ? active : (stateOf(graphqlContext)?.context ?? active);
    const span = tracer.startSpan(name, { kind }, parent);
    return { span, context: trace.setSpan(parent, span) };
  };
  const end = (span: Span, error?: unknown) => {
    if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    span.end();
  };

  const plugin: Plugin = {
    onRequest({ request }) {
      requests.set(request, { context: propagator.extract(ROOT_CONTEXT, request.headers, headersGetter), started: Date.now() });
    },
    onParams({ request }) {
      // Started here, dated from onRequest: only GraphQL requests get a trace (not /metrics scrapes).
      const state = requests.get(request);
      if (!state) return;
      const url = new URL(request.url);
      state.span = tracer.startSpan(
        `${request.method} ${url.pathname}`,
        { kind: SpanKind.SERVER, startTime: state.started, attributes: { 'http.request.method': request.method, 'url.path': url.pathname } },
        state.context,
      );
      state.context = trace.setSpan(state.context, state.span);
    },
    onParse({ context }) {
      const { span } = child('graphql.parse', context);
      return ({ result }) => end(span, result instanceof Error ? result : undefined);
    },
    onValidate({ context }) {
      const { span } = child('graphql.validate', context);
      return ({ valid, result }) => end(span, valid ? undefined : (result[0] ?? 'invalid'));
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const { span, context } = child('graphql.execute', args.contextValue);
      const operation = getOperationAST(args.document, args.operationName);
      if (operation) span.setAttributes({ 'graphql.operation.type': operation.operation, 'graphql.operation.name': operation.name?.value ?? 'anonymous' });
      // Resolvers run with the execute span active, so theirs and the upstream calls' nest below it.
      setExecuteFn((executeArgs) => otelContext.with(context, () => executeFn(executeArgs)));
      return {
        onExecuteDone({ result }) {
          const errors = 'errors' in result ? result.errors : undefined;
          end(span, errors?.length ? errors[0] : undefined);
        },
      };
    },
    onResponse({ request, response }) {
      const span = requests.get(request)?.span;
      if (!span) return;
      span.setAttribute('http.response.status_code', response.status);
      end(span, response.status >= 500 ? `HTTP ${response.status}` : undefined);
    },
  };

  const traceUpstream: UpstreamTrace = (call, graphqlContext) => {
    if (graphqlContext === undefined) return undefined; // start-up introspection: no request to belong to
    const { span, context } = child(`${call.method} ${call.source}`, graphqlContext, SpanKind.CLIENT);
    span.setAttributes({
      'tessera.source': call.source,
      'tessera.instance': call.instance,
      'tessera.operation': call.operation,
      'http.request.method': call.method,
      'url.full': call.url.href,
    });
    const headers: Record<string, string> = {};
    propagator.inject(context, headers, defaultTextMapSetter);
    return {
      headers,
      end(status) {
        const code = Number(status);
        if (Number.isInteger(code)) span.setAttribute('http.response.status_code', code);
        else span.setAttribute('error.type', status);
        end(span, !Number.isInteger(code) || code >= 500 ? status : undefined);
      },
    };
  };

  const wrap = (coordinate: string, resolve: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> =>
    function tracedResolver(source, args, graphqlContext, info) {
      const { span, context } = child(`resolve ${coordinate}`, graphqlContext);
      span.setAttribute('graphql.field.path', pathOf(info.path));
      return otelContext.with(context, () => {
        try {
          const result = resolve(source, args, graphqlContext, info);
          if (result instanceof Promise) {
            return result.then(
              (value) => (end(span), value),
              (error: unknown) => {
                end(span, error);
                throw error;
              },
            );
          }
          end(span, result instanceof Error ? result : undefined);
          return result;
        } catch (error) {
          end(span, error);
          throw error;
        }
      });
    };

  return {
    plugin,
    instrument(schema) {
      // In place: rebuilding the schema (mapSchema) would give stitching's merged types new
      // identities; only the resolve functions of fields that reach upstreams change.
      const roots = [schema.getQueryType(), schema.getMutationType()].filter((type) => type != null);
      const targets = [
        ...roots.flatMap((type) => Object.values(type.getFields()).map((field) => ({ coordinate: `${type.name}.${field.name}`, field }))),
        ...linkFields.flatMap((coordinate) => {
          const [typeName, fieldName] = coordinate.split('.');
          const type = schema.getType(typeName);
          const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
          return field ? [{ coordinate, field }] : [];
        }),
      ];
      for (const { coordinate, field } of targets) field.resolve = wrap(coordinate, field.resolve ?? defaultFieldResolver);
      return schema;
    },
    traceUpstream,
    traceIdOf: (request) => requests.get(request)?.span?.spanContext().traceId,
    // An unreachable collector must not fail the gateway's shutdown; the SDK has already logged it.
    shutdown: () => provider.shutdown().catch(() => undefined),
  };
}

/** Fetch Headers are not a plain record: the default getter cannot read them. */
const headersGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

function pathOf(path: { prev: unknown; key: string | number } | undefined): string {
  const parts: Array<string | number> = [];
  for (let p = path; p; p = p.prev as typeof path) parts.unshift(p.key);
  return parts.join('.');
}
