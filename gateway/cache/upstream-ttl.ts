import type { UpstreamCall } from '../upstream/fetch';
import { createRequestState } from '../shared/request-state';

/**
 * Upstreams' own freshness rules, per request: a `Cache-Control: max-age=N` (or `s-maxage`, which
 * is meant for shared caches like this one) caps the TTL of a response using that upstream's data;
 * `no-store`, `no-cache` or `private` make it uncacheable. A response holds the fields of every
 * upstream it called, so the smallest bound of the request wins.
 */
export interface UpstreamTtlBounds {
  observe(call: UpstreamCall, context: unknown): void;
  /** The tightest bound, in ms, that upstreams set while serving the request; undefined: none. */
  boundOf(context: unknown): number | undefined;
}

export function createUpstreamTtlBounds(): UpstreamTtlBounds {
  // Keyed by the client request, which the GraphQL context carries through stitching into fetch.
  const bounds = createRequestState<object, number>('tessera.upstreamTtl');
  const requestOf = (context: unknown) => (context as { request?: object } | undefined)?.request;
  return {
    observe(call, context) {
      const request = requestOf(context);
      const bound = call.cacheControl === undefined ? undefined : ttlBoundOf(call.cacheControl);
      if (!request || bound === undefined) return;
      bounds.set(request, Math.min(bound, bounds.get(request) ?? Infinity));
    },
    boundOf(context) {
      const request = requestOf(context);
      return request ? bounds.get(request) : undefined;
    },
  };
}

/** The TTL bound (ms) a Cache-Control header sets, or undefined when it sets none. */
export function ttlBoundOf(header: string): number | undefined {
  const directives = new Map<string, string | undefined>();
  for (const part of header.split(',')) {
    const [name, value] = part.trim().split('=', 2);
    if (name) directives.set(name.toLowerCase(), value?.replace(/^"|"$/g, ''));
  }
  if (directives.has('no-store') || directives.has('no-cache') || directives.has('private')) return 0;
  const seconds = Number(directives.get('s-maxage') ?? directives.get('max-age'));
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
