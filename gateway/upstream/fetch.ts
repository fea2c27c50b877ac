import { setTimeout as sleep } from 'node:timers/promises';
import { ExponentialBackoff, isBrokenCircuitError, type IBackoff } from 'cockatiel';
import type { Dispatcher } from 'undici';
import { Headers as PonyfillHeaders, Response as PonyfillResponse } from '@whatwg-node/fetch';
import type { SourceConfig } from '../config/schema';
import { copyWith } from '../shared/copy-with';
import { CallTimeout } from './call-timeout';
import { UpstreamBadResponseError, UpstreamCircuitOpenError, UpstreamTimeoutError, UpstreamUnreachableError, unreachableMessage } from './errors';
import { IDENTITY_HEADER_NAMES } from './identity-headers';
import type { UpstreamInstance } from './instance';
import type { UpstreamPool } from './pool';
import type { UpstreamAuthorizer } from './upstream-auth';
import { STAND_IN_BODY, handOver, parsedBodySlotOf } from './parsed-body';

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
  source: SourceConfig;
  pool: UpstreamPool;
  /** Names the operation a request belongs to (e.g. by matching the spec's path templates). */
  operationOf: (method: string, url: URL) => string;
  /** The gateway's credentials and the caller's signed identity (see upstream-auth). */
  authorize?: UpstreamAuthorizer;
  /** Milliseconds left before the client request's deadline (undefined: no deadline, e.g. at start-up). */
  remainingMs?: (context: unknown) => number | undefined;
  /** Told about each retry, for its metric. */
  onRetry?: (source: string, reason: string) => void;
  /** Rewrites a reply body before the loader reads it (for loader quirks; see openapi-subgraph). */
  adaptBody?: (body: string, status: number) => string;
}

/**
 * The fetch signature @omnigraph/openapi and @graphql-tools/executor-http call: context rides along,
 * and the OpenAPI loader adds (a copy of) the resolve info, which may ask for the parsed body (./parsed-body).
 */
export type ContextualFetch = (url: string, init: RequestInit | undefined, context?: unknown, info?: unknown) => Promise<Response>;

/** One upstream reply, read whole. */
interface Reply {
  status: number;
  body: string;
  headers: Dispatcher.ResponseData['headers'];
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD']);
const RETRYABLE_STATUSES = new Set([502, 503, 504]);

/**
 * The one place every upstream HTTP call goes through: static and forwarded headers, the choice of
 * instance, timeouts within the client's deadline, retries, and an observation per attempt for
 * metrics and the per-request log line.
 *
 * Calls go through undici's `request` on the source's keep-alive pool rather than the global
 * `fetch`: the WHATWG fetch layer (Request objects, abort plumbing, body streams) cost more CPU than
 * the rest of an upstream call in profiles, and loaders only need status, headers and text.
 *
 * The retry loop is ours rather than cockatiel's RetryPolicy: each attempt picks an instance not yet
 * tried, asks the retry budget and the client's deadline before it goes, and gives back the last
 * reply (not an error) when a 5xx persists; cockatiel supplies the jittered exponential backoff.
 */
export function createUpstreamClient(options: UpstreamFetchOptions): ContextualFetch {
  const { source, pool, operationOf, observe, trace, authorize, remainingMs, onRetry, adaptBody } = options;
  const { timeoutMs, headers } = source;
  // Identity headers come from the gateway, signed, or not at all: never copied from a client. A
  // source with credentials of its own (often a third party) never gets the client's token either.
  const forwardHeaders = source.forwardHeaders.filter(
    (name) => !IDENTITY_HEADER_NAMES.has(name) && !(source.credentials && name === 'authorization'),
  );
  const { retries, maxResponseBytes, idempotentOperations } = source.resilience;
  const idempotent = new Set(idempotentOperations);
  const backoffs = new ExponentialBackoff({ initialDelay: retries.initialDelayMs, maxDelay: retries.maxDelayMs });
  // Loaders are given the first instance's URL; each attempt swaps it for the chosen instance's.
  const base = pool.instances[0].url;

  return async (url, init, context, info) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const parsed = new URL(url);
    const operation = operationOf(method, parsed);
    const outgoing = headerRecord(init?.headers);
    const incoming = requestHeadersOf(context);
    if (incoming) {
      for (const name of forwardHeaders) {
        const value = incoming.get(name);
        if (value !== null && outgoing[name] === undefined) outgoing[name] = value;
      }
    }
    for (const [name, value] of Object.entries(headers)) outgoing[name.toLowerCase()] = value;
    const body = await bodyOf(init?.body);
    const mayRetry = IDEMPOTENT_METHODS.has(method) || idempotent.has(operation);
    pool.budget.deposit();

    const tried = new Set<UpstreamInstance>();
    let backoff: IBackoff<unknown> | undefined;
    for (let retriesDone = 0; ; retriesDone++) {
      const left = remainingMs?.(context) ?? Infinity;
      if (left <= 0) throw new UpstreamTimeoutError(source.name, 0, `${source.name} was not called: the request's deadline had passed`);
      const limitMs = Math.min(timeoutMs, left);
      const instance = pool.pick(tried);
      if (!instance) throw new UpstreamCircuitOpenError(source.name);
      tried.add(instance);
      const attemptUrl = instanceUrl(url, base, instance.url);
      // Parsed once when the attempt goes where the loader said (one instance, or the first).
      const target = attemptUrl === url ? parsed : new URL(attemptUrl);
      const { origin } = target;
      const span = trace?.({ source: source.name, instance: origin, operation, method, url: target }, context);
      const started = performance.now();
      // Calls without a request context (start-up introspection) are not client traffic.
      const report = (status: string, cacheControl?: string) => {
        span?.end(status);
        if (context !== undefined) observe({ source: source.name, instance: origin, operation, status, durationMs: performance.now() - started, cacheControl }, context);
      };
      let outcome: Reply | Error;
      try {
        // Signed per attempt: over the path this instance receives, with a fresh timestamp.
        const signed = authorize ? await authorize(method, target, context) : undefined;
        // Not a literal that starts with a spread (../shared/copy-with says why).
        const attemptHeaders = signed || span ? Object.assign({}, outgoing, signed, span?.headers) : outgoing;
        const attempt: Attempt = { target, method, headers: attemptHeaders, body, limitMs, signal: init?.signal ?? undefined, report };
        outcome = await instance.call(() => send(attempt, pool.dispatcher, maxResponseBytes, source.name));
      } catch (error) {
        if (isBrokenCircuitError(error)) {
          span?.end('circuit_open'); // nothing was sent: no upstream request to report
          outcome = new UpstreamCircuitOpenError(source.name);
        } else if (error instanceof UpstreamTimeoutError || error instanceof UpstreamUnreachableError) outcome = error;
        else throw error;
      }
      const reason = retryReason(outcome);
      // A call the circuit refused was never sent, so even a POST may go to another instance.
      if (!reason || !(mayRetry || reason === 'circuit_open') || retriesDone >= retries.attempts || init?.signal?.aborted || !pool.budget.trySpend()) {
        if (outcome instanceof Error) throw outcome;
        const slot = parsedBodySlotOf(info);
        if (slot && handOver(slot, outcome.status, outcome.body)) return toResponse(copyWith(outcome, { body: STAND_IN_BODY }));
        return toResponse(outcome, adaptBody);
      }
      onRetry?.(source.name, reason);
      backoff = (backoff ?? backoffs).next(undefined);
      const wait = Math.min(backoff.duration, (remainingMs?.(context) ?? Infinity) - 1);
      if (wait > 0) await sleep(wait);
    }
  };
}

interface Attempt {
  /** The chosen instance's URL, parsed once for the call, its span and its signature. */
  target: URL;
  method: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  limitMs: number;
  /** The caller's own signal (a client that went away, an executor's deadline) also ends the call. */
  signal: AbortSignal | undefined;
  report: (status: string, cacheControl?: string) => void;
}

/** One attempt on one instance: the reply read whole within `limitMs`, or a typed upstream error. */
async function send(attempt: Attempt, dispatcher: Dispatcher, maxResponseBytes: number, source: string): Promise<Reply> {
  const { target, method, headers, body, limitMs, report } = attempt;
  const timeout = new CallTimeout(limitMs, attempt.signal);
  try {
    // The dispatcher's own request() with a literal, not undici's top-level request(url, opts): that
    // one builds the dispatch options with a spread of `opts`, and under load (50 calls in flight)
    // what each call allocates then survives two scavenges and lives on in the old space until a
    // full GC: a bare loop of 50 concurrent calls against the fixture promoted 1.7 KB per call with
    // the spread and 0.1 KB with a literal (12 against 6 mark-compacts in 8 s), and made 292k
    // against 431k calls. Origin and path are what that function takes from the URL.
    const path = target.search ? `${target.pathname}${target.search}` : target.pathname;
    const response = await dispatcher.request({ origin: target.origin, path, method: method as Dispatcher.HttpMethod, headers, body, signal: timeout });
    // Read the body inside the timeout, so a slow body counts against the same budget.
    const text = await readCapped(response, maxResponseBytes, source);
    const cacheControl = response.headers['cache-control'];
    report(String(response.statusCode), Array.isArray(cacheControl) ? cacheControl.join(', ') : cacheControl);
    return { status: response.statusCode, body: text, headers: response.headers };
  } catch (error) {
    if (error instanceof UpstreamBadResponseError) {
      report('bad_response');
      throw error;
    }
    if (timeout.timedOut) {
      report('timeout');
      throw new UpstreamTimeoutError(source, limitMs);
    }
    report('network_error');
    throw new UpstreamUnreachableError(source, error, unreachableMessage(source, error, target.protocol === 'https:'));
  } finally {
    timeout.clear();
  }
}

function retryReason(outcome: Reply | Error): string | undefined {
  if (outcome instanceof UpstreamTimeoutError) return 'timeout';
  if (outcome instanceof UpstreamCircuitOpenError) return 'circuit_open';
  if (outcome instanceof UpstreamUnreachableError) return 'network_error';
  if (outcome instanceof Error) return undefined;
  return RETRYABLE_STATUSES.has(outcome.status) ? String(outcome.status) : undefined;
}

function instanceUrl(url: string, base: string, instance: string): string {
  return instance === base || !url.startsWith(base) ? url : instance + url.slice(base.length);
}

/**
 * The reply as the fetch Response the loaders read. @whatwg-node/fetch's (the fetch graphql-yoga and
 * the loaders themselves use) keeps a text body as text until it is read; Node's global Response
 * wraps it in a web ReadableStream first: ~12 µs against ~0.6 µs a reply, ~6% of Q1's CPU.
 */
function toResponse({ status, body, headers }: Reply, adaptBody?: UpstreamFetchOptions['adaptBody']): Response {
  const hasBody = status !== 204 && status !== 205 && status !== 304;
  return new PonyfillResponse(hasBody ? (adaptBody ? adaptBody(body, status) : body) : null, {
    status: status >= 200 && status <= 599 ? status : 502,
    headers: toHeaders(headers),
  });
}

/**
 * Reads a reply body up to `maxBytes`, and refuses a successful reply that declares a content type
 * other than JSON (an HTML error page from a proxy, say): both fail the field, never the gateway.
 */
async function readCapped(response: Dispatcher.ResponseData, maxBytes: number, source: string): Promise<string> {
  const contentType = String(response.headers['content-type'] ?? '');
  if (response.statusCode >= 200 && response.statusCode < 300 && contentType && !/json/i.test(contentType)) {
    await response.body.dump();
    throw new UpstreamBadResponseError(source, `answered ${response.statusCode} with content type "${contentType}" where JSON was expected`);
  }
  const declared = Number(response.headers['content-length']);
  if (declared > maxBytes) {
    // Dropping the connection beats reading a reply we will refuse; the error a destroy emits is ours.
    response.body.on('error', () => {}).destroy();
    throw new UpstreamBadResponseError(source, `answered with ${declared} bytes, over the ${maxBytes}-byte limit`);
  }
  // A declared length within the cap (the usual case) is read by undici's own consumer, the fastest way.
  if (declared >= 0) return response.body.text();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      // Leaving the loop ends the body stream (the iterator's return), so the socket is released.
      throw new UpstreamBadResponseError(source, `answered with more than ${maxBytes} bytes, over the limit`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
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
  const headers = new PonyfillHeaders();
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
