import { Agent, request, type Dispatcher } from 'undici';
import { IDENTITY_HEADER_NAMES } from './identity-headers';
import type { UpstreamAuthorizer } from './upstream-auth';

/** What the gateway learns from each upstream call; observability turns it into metrics and logs. */
export interface UpstreamCall {
  source: string;
  /** Origin (scheme, host, port) of the instance called: configured, so a bounded label. */
  instance: string;
  /** operationId (REST), or `graphql`: a bounded label, so metrics never carry raw URLs. */
  operation: string;
  /** HTTP status, or `timeout` / `network_error` when no response arrived. */
  status: string;
  durationMs: number;
  /** The upstream's Cache-Control header, if it sent one (the response cache honours it). */
  cacheControl?: string;
}

export type UpstreamObserver = (call: UpstreamCall, context: unknown) => void;

/**
 * Optional tracing of each call (gateway/observability/tracing): the trace-context headers to send
 * upstream, and a callback told how the call ended. Absent when tracing is off.
 */
export type UpstreamTrace = (
  call: { source: string; instance: string; operation: string; method: string; url: URL },
  context: unknown,
) => { headers: Record<string, string>; end(status: string): void } | undefined;

/** What observability hooks into every upstream call. */
export interface UpstreamHooks {
  observe: UpstreamObserver;
  trace?: UpstreamTrace;
}

export interface UpstreamFetchOptions extends UpstreamHooks {
  source: string;
  timeoutMs: number;
  headers: Record<string, string>;
  forwardHeaders: string[];
  /** Names the operation a request belongs to (e.g. by matching the spec's path templates). */
  operationOf: (method: string, url: URL) => string;
  /** Rewrites a reply body before the loader reads it (for loader quirks; see openapi-subgraph). */
  adaptBody?: (body: string, status: number) => string;
  /** The gateway's credentials and the caller's signed identity (see upstream-auth). */
  authorize?: UpstreamAuthorizer;
}

/** The fetch signature @omnigraph/openapi and @graphql-tools/executor-http call: context rides along. */
export type ContextualFetch = (url: string, init: RequestInit | undefined, context?: unknown) => Promise<Response>;

/** Thrown when an upstream does not answer within the source's `timeoutMs`. */
export class UpstreamTimeoutError extends Error {
  readonly code = 'UPSTREAM_TIMEOUT';
  constructor(
    readonly source: string,
    readonly timeoutMs: number,
  ) {
    super(`${source} did not answer within ${timeoutMs} ms`);
    this.name = 'UpstreamTimeoutError';
  }
}

/** Thrown when an upstream cannot be reached at all (refused, reset, DNS). */
export class UpstreamUnreachableError extends Error {
  readonly code = 'UPSTREAM_UNAVAILABLE';
  constructor(
    readonly source: string,
    cause: unknown,
  ) {
    super(`${source} could not be reached`, { cause });
    this.name = 'UpstreamUnreachableError';
  }
}

/** A source's HTTP client: the fetch its loader calls, and the connection pool behind it. */
export interface UpstreamClient {
  fetch: ContextualFetch;
  /** Closes the pooled keep-alive connections. */
  close(): Promise<void>;
}

/**
 * The one place every upstream HTTP call goes through: static and forwarded headers, the per-source
 * timeout, and an observation for metrics and the per-request log line.
 *
 * Calls go through undici's `request` on a keep-alive pool of the source's own rather than the
 * global `fetch`: the WHATWG fetch layer (Request objects, abort plumbing, body streams) cost more
 * CPU than the rest of an upstream call in profiles, and loaders only need status, headers and text.
 */
export function createUpstreamClient(options: UpstreamFetchOptions): UpstreamClient {
  const { source, timeoutMs, headers, operationOf, observe, trace, adaptBody, authorize } = options;
  // Identity headers come from the gateway, signed, or not at all: never copied from a client.
  const forwardHeaders = options.forwardHeaders.filter((name) => !IDENTITY_HEADER_NAMES.has(name));
  const pool = new Agent({ keepAliveTimeout: 30_000, connections: 128 });
  const fetch: ContextualFetch = async (url, init, context) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const target = new URL(url);
    const operation = operationOf(method, target);
    const outgoing = headerRecord(init?.headers);
    const incoming = requestHeadersOf(context);
    if (incoming) {
      for (const name of forwardHeaders) {
        const value = incoming.get(name);
        if (value !== null && outgoing[name] === undefined) outgoing[name] = value;
      }
    }
    for (const [name, value] of Object.entries(headers)) outgoing[name.toLowerCase()] = value;
    if (authorize) Object.assign(outgoing, await authorize(method, target, context));
    const span = trace?.({ source, instance: target.origin, operation, method, url: target }, context);
    if (span) Object.assign(outgoing, span.headers);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    // The caller's own signal (a client that went away, an executor's deadline) also ends the call.
    const signal = init?.signal ? AbortSignal.any([timeout.signal, init.signal]) : timeout.signal;
    const started = performance.now();
    // Calls without a request context (start-up introspection) are not client traffic.
    const report = (status: string, cacheControl?: string) => {
      span?.end(status);
      if (context !== undefined) observe({ source, instance: target.origin, operation, status, durationMs: performance.now() - started, cacheControl }, context);
    };
    let status: number;
    let body: string;
    let responseHeaders: Dispatcher.ResponseData['headers'];
    try {
      const response = await request(url, { method: method as Dispatcher.HttpMethod, headers: outgoing, body: await bodyOf(init?.body), signal, dispatcher: pool });
      // Read the body inside the timeout, so a slow body counts against the same budget.
      body = await response.body.text();
      status = response.statusCode;
      responseHeaders = response.headers;
    } catch (error) {
      if (timeout.signal.aborted) {
        report('timeout');
        throw new UpstreamTimeoutError(source, timeoutMs);
      }
      report('network_error');
      throw new UpstreamUnreachableError(source, error);
    } finally {
      clearTimeout(timer);
    }
    const cacheControl = responseHeaders['cache-control'];
    report(String(status), Array.isArray(cacheControl) ? cacheControl.join(', ') : cacheControl);
    const hasBody = status !== 204 && status !== 205 && status !== 304;
    return new Response(hasBody ? (adaptBody ? adaptBody(body, status) : body) : null, {
      status: status >= 200 && status <= 599 ? status : 502,
      headers: toHeaders(responseHeaders),
    });
  };
  return { fetch, close: () => pool.close() };
}

function headerRecord(init: HeadersInit | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (!init) return record;
  if (Array.isArray(init)) {
    for (const [name, value] of init) record[name.toLowerCase()] = value;
  } else if (typeof (init as Headers).forEach === 'function') {
    // Any Headers implementation (loaders may use a fetch ponyfill's), not only the global class.
    (init as Headers).forEach((value, name) => (record[name.toLowerCase()] = value));
  } else {
    for (const [name, value] of Object.entries(init)) record[name.toLowerCase()] = value;
  }
  return record;
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

/** Loaders send JSON text; anything else (form data, streams) is read into bytes first. */
async function bodyOf(body: RequestInit['body']): Promise<string | Uint8Array | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  return new Uint8Array(await new Response(body).arrayBuffer());
}

interface HeaderReader {
  get(name: string): string | null;
}

/** The client request's headers; duck-typed because yoga's Request may come from a fetch ponyfill. */
function requestHeadersOf(context: unknown): HeaderReader | undefined {
  const headers = (context as { request?: { headers?: Partial<HeaderReader> } } | undefined)?.request?.headers;
  return typeof headers?.get === 'function' ? (headers as HeaderReader) : undefined;
}
