import { GraphQLError } from 'graphql';
import { UpstreamBadResponseError, UpstreamTimeoutError, UpstreamUnreachableError } from '../upstream/errors';

/**
 * Every upstream failure reaches clients as one GraphQL error on the field that needed it, with
 * `extensions: { code, source, status }`. Upstream URLs, headers and 5xx bodies (which may carry
 * stack traces) are never copied into it; 4xx bodies contribute their human message only.
 */
export function toFieldError(error: unknown, source: string): GraphQLError {
  if (error instanceof GraphQLError && error.extensions?.source === source && typeof error.extensions.code === 'string') {
    return error; // already normalized (e.g. by a nested call)
  }
  if (error instanceof UpstreamTimeoutError) {
    return fieldError(error.message, { code: 'UPSTREAM_TIMEOUT', source, status: 504 });
  }
  if (error instanceof UpstreamUnreachableError) {
    return fieldError(error.message, { code: 'UPSTREAM_UNAVAILABLE', source, status: 503 });
  }
  if (error instanceof UpstreamBadResponseError) {
    return fieldError(error.message, { code: 'UPSTREAM_BAD_RESPONSE', source, status: 502 });
  }
  const cause = unwrap(error);
  if (cause instanceof UpstreamTimeoutError || cause instanceof UpstreamUnreachableError || cause instanceof UpstreamBadResponseError) {
    return toFieldError(cause, source);
  }
  const response = responseOf(error);
  if (response) {
    const { status, body } = response;
    if (status >= 200 && status < 300) {
      // The same error, code and status as a reply the upstream fetch refuses (UpstreamBadResponseError).
      const type = response.contentType ? `content type "${response.contentType}"` : 'no content type';
      return fieldError(`${source} answered ${status} with ${type} and a body that is not valid JSON`, {
        code: 'UPSTREAM_BAD_RESPONSE',
        source,
        status: 502,
      });
    }
    const detail = status < 500 ? humanMessageOf(body) : undefined;
    const problems = status < 500 ? problemListOf(body) : undefined;
    return fieldError(`${source} answered ${status}${detail ? `: ${detail}` : ''}`, {
      code: codeForStatus(status),
      source,
      status,
      ...(problems ? { problems } : {}),
    });
  }
  // Anything else: the message may quote upstream bodies or internals, so it is not passed on.
  return fieldError(`${source} failed`, { code: 'UPSTREAM_ERROR', source, status: 502 });
}

export function fieldError(message: string, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions });
}

function codeForStatus(status: number): string {
  if (status === 400 || status === 422) return 'BAD_REQUEST';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'UPSTREAM_RATE_LIMITED';
  if (status < 500) return 'UPSTREAM_CLIENT_ERROR';
  return 'UPSTREAM_ERROR';
}

function unwrap(error: unknown): unknown {
  return error instanceof GraphQLError && error.originalError ? error.originalError : undefined;
}

/** The status, content type and body @omnigraph/openapi records on the errors it builds for replies it cannot use. */
function responseOf(error: unknown): { status: number; body: unknown; contentType?: string } | undefined {
  const extensions = error instanceof GraphQLError ? error.extensions : undefined;
  const response = extensions?.response as { status?: unknown; body?: unknown; headers?: Record<string, unknown> } | undefined;
  if (typeof response?.status !== 'number') return undefined;
  const contentType = Object.entries(response.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  let body = response.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      body = undefined;
    }
  }
  return { status: response.status, body, contentType: typeof contentType === 'string' ? contentType : undefined };
}

function humanMessageOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  const text = [record.detail, record.message, record.title, record.error].find((v) => typeof v === 'string') as string | undefined;
  return text ? text.slice(0, 300) : undefined;
}

/** RFC 7807-style `errors: [{ field, message }]` lists are kept: they tell the client what to fix. */
function problemListOf(body: unknown): Array<{ field?: string; message: string }> | undefined {
  const list = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(list)) return undefined;
  return list
    .filter((item): item is { field?: unknown; message: unknown } => !!item && typeof item === 'object' && 'message' in item)
    .map((item) => ({ ...(typeof item.field === 'string' ? { field: item.field } : {}), message: String(item.message).slice(0, 300) }));
}
