/**
 * Shared plumbing for the demo services: routing, replies, parameter parsing,
 * request counting and artificial latency. Deliberately dependency-free
 * (apart from `yaml` for serving the spec) so the services stay readable and
 * their behaviour stays obvious when the gateway is benchmarked against them.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parseDocument } from 'yaml';

export type HttpMethod = 'GET' | 'POST';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';
const YAML_TYPE = 'application/yaml; charset=utf-8';

/** Ids are `int32` in the specs, so anything larger is a client error, not a 404. */
export const INT32_MAX = 2_147_483_647;

/** A reply is plain data so that it can be delayed and counted uniformly before it is written. */
export interface Reply {
  status: number;
  body: unknown;
  contentType?: string;
  headers?: Readonly<Record<string, string>>;
}

export interface RequestContext {
  req: IncomingMessage;
  url: URL;
  params: Readonly<Record<string, string>>;
}

export type RouteHandler = (ctx: RequestContext) => Reply | Promise<Reply>;

export interface Route {
  method: HttpMethod;
  /** OpenAPI-style template, e.g. `/users/{id}`; also the key used in `ServiceStats.byPath`. */
  path: string;
  operationId: string;
  handler: RouteHandler;
}

export type RouteInfo = Pick<Route, 'method' | 'path' | 'operationId'>;

export interface ServiceStats {
  service: string;
  total: number;
  byOperation: Record<string, number>;
  byPath: Record<string, number>;
}

export interface FieldError {
  field: string;
  message: string;
}

// ---------------------------------------------------------------------------
// Replies

export function ok(body: unknown, status = 200, headers?: Record<string, string>): Reply {
  return { status, body, headers };
}

export function notFound(message: string): Reply {
  return { status: 404, body: { error: 'not_found', message } };
}

/** 401/403 as an RFC 9457 problem document. */
export function denied(status: 401 | 403, detail: string): Reply {
  const title = status === 401 ? 'Unauthenticated' : 'Forbidden';
  return { status, contentType: PROBLEM_TYPE, body: { type: `urn:tessera:problem:${title.toLowerCase()}`, title, status, detail, errors: [] } };
}

/** RFC 9457 problem document; `errors` lets clients point at the offending input. */
export function problem(errors: readonly FieldError[], title = 'Invalid request'): Reply {
  return {
    status: 400,
    contentType: PROBLEM_TYPE,
    body: {
      type: 'urn:tessera:problem:invalid-request',
      title,
      status: 400,
      detail: errors.map((e) => `${e.field} ${e.message}`).join('; '),
      errors,
    },
  };
}

/**
 * Thrown by the parsing helpers so handlers can read top to bottom instead of
 * checking a result after every parameter. Caught and written by the service.
 */
export class RequestError extends Error {
  constructor(readonly reply: Reply) {
    super(`request rejected with ${reply.status}`);
  }
}

function reject(field: string, message: string): never {
  throw new RequestError(problem([{ field, message }]));
}

/**
 * Batch lookup with the DataLoader contract: one slot per requested id, in
 * request order, `null` where nothing exists. The missing ids are also listed
 * in a header so callers can log them without scanning the body.
 */
export function batchById<T>(ids: readonly number[], lookup: (id: number) => T | undefined): Reply {
  const missing = new Set<number>();
  const items = ids.map((id) => {
    const item = lookup(id);
    if (item === undefined) missing.add(id);
    return item ?? null;
  });
  return ok(items, 200, missing.size > 0 ? { 'X-Missing-Ids': [...missing].join(',') } : undefined);
}

/** `GET <path with {id}>`: one entity, or 404 naming it (`User 7 not found`). */
export function getByIdRoute<T>(path: string, operationId: string, entity: string, lookup: (id: number) => T | undefined): Route {
  return {
    method: 'GET',
    path,
    operationId,
    handler: ({ params }) => {
      const id = pathId(params, 'id');
      const item = lookup(id);
      return item ? ok(item) : notFound(`${entity} ${id} not found`);
    },
  };
}

/** `GET <path>?ids=1,2`: the batch contract of batchById, at most `maxItems` ids. */
export function batchByIdsRoute<T>(path: string, operationId: string, maxItems: number, lookup: (id: number) => T | undefined): Route {
  return { method: 'GET', path, operationId, handler: ({ url }) => batchById(idListQuery(url, 'ids', { maxItems }), lookup) };
}

// ---------------------------------------------------------------------------
// Parameters

function parseInteger(raw: string): number | undefined {
  // Precision loss beyond 2^53 is harmless: such values fail the max check anyway.
  if (!/^-?\d+$/.test(raw)) return undefined;
  return Number(raw);
}

interface IntBounds {
  min: number;
  max: number;
}

function checkInt(field: string, raw: string, { min, max }: IntBounds): number {
  const value = parseInteger(raw);
  if (value === undefined) reject(field, `must be an integer (got '${raw}')`);
  if (value < min) reject(field, `must be >= ${min}`);
  if (value > max) reject(field, `must be <= ${max}`);
  return value;
}

export function pathId(params: Readonly<Record<string, string>>, name: string): number {
  return checkInt(name, params[name] ?? '', { min: 1, max: INT32_MAX });
}

export function intQuery(url: URL, name: string, spec: IntBounds & { default: number }): number;
export function intQuery(url: URL, name: string, spec: IntBounds & { required: true }): number;
export function intQuery(url: URL, name: string, spec: IntBounds): number | undefined;
export function intQuery(
  url: URL,
  name: string,
  spec: IntBounds & { default?: number; required?: boolean },
): number | undefined {
  const raw = singleQuery(url, name);
  if (raw === undefined) {
    if (spec.required === true) reject(name, 'is required');
    return spec.default;
  }
  return checkInt(name, raw, spec);
}

/** The value of a query parameter that may be given once (or not at all). */
function singleQuery(url: URL, name: string): string | undefined {
  const values = url.searchParams.getAll(name);
  if (values.length > 1) reject(name, 'must be given at most once');
  return values[0];
}

/** An optional query parameter limited to the spec's enum values. */
export function oneOfQuery<T extends string>(url: URL, name: string, allowed: readonly T[]): T | undefined {
  const raw = singleQuery(url, name);
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) reject(name, `must be one of ${allowed.join(', ')}`);
  return raw as T;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** An optional RFC 3339 date-time query parameter (`format: date-time`), as epoch milliseconds. */
export function dateTimeQuery(url: URL, name: string): number | undefined {
  const raw = singleQuery(url, name);
  if (raw === undefined) return undefined;
  const at = RFC3339.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(at)) reject(name, 'must be an RFC 3339 date-time with a time zone, e.g. 2024-01-01T00:00:00Z');
  return at;
}

/**
 * Reads an id list given either as `ids=1,2,3` (OpenAPI form, explode=false,
 * which is what the specs declare) or as `ids=1&ids=2` (explode=true, what
 * many generic HTTP clients produce). Both may be mixed.
 */
export function idListQuery(url: URL, name: string, { maxItems }: { maxItems: number }): number[] {
  const values = url.searchParams.getAll(name);
  if (values.length === 0) reject(name, 'is required');
  const parts = values.flatMap((v) => v.split(','));
  // Check the count before parsing so an oversized request costs nothing.
  if (parts.length > maxItems) reject(name, `must contain at most ${maxItems} ids (got ${parts.length})`);
  return parts.map((part, index) => {
    const trimmed = part.trim();
    if (trimmed === '') reject(name, `the id at index ${index} is empty`);
    return checkInt(name, trimmed, { min: 1, max: INT32_MAX });
  });
}

const MAX_BODY_BYTES = 64 * 1024;

/** Reads a JSON request body, rejecting anything that is not `application/json`. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType !== 'application/json') {
    reject('content-type', `must be application/json (got '${mediaType || 'none'}')`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // Keep draining past the limit instead of destroying the socket, so the
  // keep-alive connection stays usable for the next request.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) reject('body', `must be at most ${MAX_BODY_BYTES} bytes`);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return reject('body', 'is not valid JSON');
  }
}

// ---------------------------------------------------------------------------
// Router

type Segment = { literal: string } | { param: string };

interface CompiledRoute extends Route {
  segments: Segment[];
}

function compileRoute(route: Route): CompiledRoute {
  const segments = route.path
    .split('/')
    .slice(1)
    .map((s): Segment => (s.startsWith('{') && s.endsWith('}') ? { param: s.slice(1, -1) } : { literal: s }));
  return { ...route, segments };
}

function matchPath(route: CompiledRoute, parts: readonly string[]): Record<string, string> | undefined {
  if (route.segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const segment = route.segments[i] as Segment;
    const part = parts[i] as string;
    if ('literal' in segment) {
      if (segment.literal !== part) return undefined;
    } else {
      params[segment.param] = safeDecode(part);
    }
  }
  return params;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    // Leave malformed escapes as-is; the parameter parser will reject them with a 400.
    return part;
  }
}

/**
 * First match wins, in declaration order. Services must therefore list
 * literal routes (`/products/by-ids`) before templated siblings (`/products/{id}`).
 */
class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly Route[]) {
    this.routes = routes.map(compileRoute);
  }

  find(method: string, pathname: string): { route: CompiledRoute; params: Record<string, string> } | { allowed: string[] } {
    const parts = pathname.split('/').slice(1);
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchPath(route, parts);
      if (params === undefined) continue;
      if (route.method === method) return { route, params };
      allowed.push(route.method);
    }
    return { allowed };
  }
}

// ---------------------------------------------------------------------------
// Counting and latency

/** Counts requests that reached a spec operation, so tests can assert how many calls the gateway made. */
export class RequestCounter {
  private total = 0;
  private byOperation = new Map<string, number>();
  private byPath = new Map<string, number>();

  constructor(private readonly service: string) {}

  record(route: RouteInfo): void {
    this.total++;
    const pathKey = `${route.method} ${route.path}`;
    this.byOperation.set(route.operationId, (this.byOperation.get(route.operationId) ?? 0) + 1);
    this.byPath.set(pathKey, (this.byPath.get(pathKey) ?? 0) + 1);
  }

  snapshot(): ServiceStats {
    return {
      service: this.service,
      total: this.total,
      byOperation: Object.fromEntries(this.byOperation),
      byPath: Object.fromEntries(this.byPath),
    };
  }

  reset(): void {
    this.total = 0;
    this.byOperation.clear();
    this.byPath.clear();
  }
}

/**
 * Simulated network/database latency, so the gateway's batching and
 * parallelism show up in benchmarks. Timers are tracked so closing a service
 * does not leave them holding the event loop open.
 */
class ReplyDelay {
  private readonly pending = new Set<NodeJS.Timeout>();

  constructor(private readonly ms: number) {}

  wait(): Promise<void> {
    if (this.ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, this.ms);
      this.pending.add(timer);
    });
  }

  /** Drops waiting replies; their sockets are being destroyed anyway. */
  cancelAll(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}

// ---------------------------------------------------------------------------
// Writing

function send(res: ServerResponse, reply: Reply): void {
  // A delayed reply may outlive its client or the server's close().
  if (res.writableEnded || res.destroyed) return;
  // String bodies are already serialized (the YAML spec); everything else is JSON.
  const isText = typeof reply.body === 'string';
  const payload = Buffer.from(isText ? (reply.body as string) : JSON.stringify(reply.body), 'utf8');
  res.writeHead(reply.status, {
    ...reply.headers,
    'Content-Type': reply.contentType ?? JSON_TYPE,
    'Content-Length': payload.length,
  });
  res.end(payload);
}

function errorReply(status: number, error: string, message: string, headers?: Record<string, string>): Reply {
  return { status, body: { error, message }, headers };
}

// ---------------------------------------------------------------------------
// Spec serving

/**
 * Serves the spec with `servers` pointing at the address the client actually
 * used, so a spec fetched from an ephemeral port is usable as-is. The file on
 * disk keeps its placeholder.
 */
function specReplies(specFile: string): { yaml(host: string | undefined): Reply; json(host: string | undefined): Reply } {
  const source = readFileSync(specFile, 'utf8');
  const withServer = (host: string | undefined) => {
    const doc = parseDocument(source);
    // Only trust a Host header that looks like host[:port]; otherwise keep the placeholder.
    if (host !== undefined && /^[A-Za-z0-9.\-:[\]]+$/.test(host)) {
      doc.set('servers', [{ url: `http://${host}` }]);
    }
    return doc;
  };
  return {
    yaml: (host) => ({ status: 200, body: String(withServer(host)), contentType: YAML_TYPE }),
    json: (host) => ({ status: 200, body: withServer(host).toJS() as unknown }),
  };
}

// ---------------------------------------------------------------------------
// Service

export interface ServiceDefinition {
  name: string;
  specFile: string;
  routes: readonly Route[];
}

export interface ServiceOptions {
  /** Delay added to every operation reply (not to the spec or stats routes). */
  latencyMs?: number;
  /**
   * Secret shared with the gateway: when set, routes that act for a user require the gateway's
   * signed identity headers (see gateway/upstream/identity-headers.ts).
   */
  identitySecret?: string;
}

export interface DemoHandler {
  readonly name: string;
  readonly routes: readonly RouteInfo[];
  readonly listener: RequestListener;
  stats(): ServiceStats;
  resetStats(): void;
  /** Cancels delayed replies; call when the server closes. */
  dispose(): void;
}

export function createServiceHandler(def: ServiceDefinition, options: ServiceOptions = {}): DemoHandler {
  const router = new Router(def.routes);
  const counter = new RequestCounter(def.name);
  const delay = new ReplyDelay(options.latencyMs ?? 0);
  const spec = specReplies(def.specFile);

  // Housekeeping routes: not in the spec, not counted, not delayed, so tests
  // can inspect a service without disturbing what they measure.
  const meta = (method: string, pathname: string, req: IncomingMessage): Reply | undefined => {
    const key = `${method} ${pathname}`;
    if (key === 'GET /openapi.yaml') return spec.yaml(req.headers.host);
    if (key === 'GET /openapi.json') return spec.json(req.headers.host);
    if (key === 'GET /__stats') return ok(counter.snapshot());
    if (key === 'POST /__stats/reset') {
      counter.reset();
      return ok(counter.snapshot());
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    // Prefixing (rather than resolving against a base) keeps `//x` a path, not a host.
    const url = new URL(`http://localhost${req.url ?? '/'}`);
    const metaReply = meta(method, url.pathname, req);
    if (metaReply !== undefined) return send(res, metaReply);

    const found = router.find(method, url.pathname);
    if (!('route' in found)) {
      if (found.allowed.length > 0) {
        const allow = found.allowed.join(', ');
        return send(res, errorReply(405, 'method_not_allowed', `${method} ${url.pathname} is not allowed`, { Allow: allow }));
      }
      return send(res, errorReply(404, 'not_found', `No route for ${method} ${url.pathname}`));
    }

    counter.record(found.route);
    let reply: Reply;
    try {
      reply = await found.route.handler({ req, url, params: found.params });
    } catch (err) {
      reply = err instanceof RequestError ? err.reply : errorReply(500, 'internal_error', String(err));
    }
    await delay.wait();
    send(res, reply);
  };

  return {
    name: def.name,
    routes: def.routes.map(({ method, path, operationId }) => ({ method, path, operationId })),
    listener: (req, res) => {
      handle(req, res).catch((err: unknown) => {
        // Only reachable if writing itself fails; the socket is already unusable.
        res.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    },
    stats: () => counter.snapshot(),
    resetStats: () => counter.reset(),
    dispose: () => delay.cancelAll(),
  };
}
