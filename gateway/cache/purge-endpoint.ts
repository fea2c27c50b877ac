import type { Plugin } from 'graphql-yoga';
import { closestName } from '../config/suggest';
import type { PurgeTarget, ResponseStore } from './store';

export const PURGE_PATH = '/_tessera/cache/purge';

export interface PurgeEndpointOptions {
  store: ResponseStore;
  /** Whether the caller may purge; admin-only endpoints take it from the security work. */
  authorize: (request: Request) => Promise<boolean>;
  /** The type names of the schema served now: a purge naming another type is a typo, refused with a suggestion. */
  typeNames?: () => string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `POST /_tessera/cache/purge` with `{ "type"?: "Order", "id"?: "12" }` (or the same as query
 * parameters): removes every entry, every entry holding a type, or those holding one entity.
 * Answers `{ "purged": n, "scope": "all" | "type" | "entity" }` (n is 0 for a whole purge, whose
 * size is not counted: `scope` says the whole cache went).
 */
export function usePurgeEndpoint({ store, authorize, typeNames }: PurgeEndpointOptions): Plugin {
  return {
    // A promise only for its own path (why: shared/sync-promise-helpers).
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname === PURGE_PATH) return purge(request, url, endResponse, fetchAPI);
    },
  };

  async function purge(request: Request, url: URL, endResponse: (response: Response) => void, fetchAPI: { Response: typeof Response }): Promise<void> {
    const reply = (status: number, body: unknown) => endResponse(fetchAPI.Response.json(body, { status, headers: status === 405 ? { allow: 'POST' } : {} }));
    const fail = (status: number, code: string, message: string) => reply(status, { errors: [{ message, extensions: { code } }] });
    if (request.method !== 'POST') return fail(405, 'METHOD_NOT_ALLOWED', 'use POST');
    if (!(await authorize(request))) return fail(403, 'FORBIDDEN', 'purging the cache needs an admin identity');
    const target = await purgeTargetOf(request, url);
    if (typeof target === 'string') return fail(400, 'BAD_REQUEST', target);
    const known = typeNames?.();
    if (target.type !== undefined && known && !known.includes(target.type)) {
      const close = closestName(target.type, known);
      return fail(400, 'BAD_REQUEST', `"type": ${target.type} is not a type of the schema${close ? ` (did you mean "${close}"?)` : ''}; nothing was purged`);
    }
    const scope = target.type === undefined ? 'all' : target.id === undefined ? 'type' : 'entity';
    try {
      reply(200, { purged: await store.purge(target), scope });
    } catch (error) {
      fail(503, 'CACHE_UNAVAILABLE', `the cache store did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** The target, or what is wrong with the request. */
async function purgeTargetOf(request: Request, url: URL): Promise<PurgeTarget | string> {
  let raw: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const text = await request.text();
  if (text.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'expected a JSON object { "type"?: string, "id"?: string }';
      raw = { ...raw, ...(parsed as Record<string, unknown>) };
    } catch {
      return 'expected a JSON object { "type"?: string, "id"?: string }';
    }
  }
  const unknownKeys = Object.keys(raw).filter((key) => key !== 'type' && key !== 'id');
  if (unknownKeys.length > 0) return `unknown field "${unknownKeys[0]}": expected "type" and "id"`;
  const { type, id } = raw;
  if (type !== undefined && (typeof type !== 'string' || !NAME.test(type))) return `"type" must be a GraphQL type name, found ${JSON.stringify(type)}`;
  if (id !== undefined && (typeof id !== 'string' && typeof id !== 'number')) return `"id" must be a string, found ${JSON.stringify(id)}`;
  if (id !== undefined && type === undefined) return '"id" needs a "type"';
  return { type, id: id === undefined ? undefined : String(id) };
}
