import { getOperationAST, print, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import { useResponseCache as useEnvelopResponseCache, type CacheEntityRecord } from '@envelop/response-cache';
import stableStringify from 'fast-json-stable-stringify';
import { schemaVersion } from '../compose/print';
import { copyWith } from '../shared/copy-with';
import { sha256 } from '../shared/hash';
import { createRequestState } from '../shared/request-state';
import { dataText } from './stored-result';
import type { CacheConfig } from '../config/schema';
import type { CacheMetrics } from './metrics';
import { ANONYMOUS_PUBLIC_SCOPE, createScopeRule, type CacheScope } from './scope';
import type { ResponseStore } from './store';
import type { CacheStatusContext } from '../observability/request-log';
import type { UpstreamTtlBounds } from './upstream-ttl';
import { createEarlyHits, languageOf, type EarlyHitsOptions } from './early-hits';

export interface ResponseCachingOptions {
  config: CacheConfig;
  store: ResponseStore;
  metrics: CacheMetrics;
  /** TTL bounds set by upstream Cache-Control headers, per request. */
  upstreamBounds: UpstreamTtlBounds;
  /** Private coordinates of a schema (default `config.private`); see scope.ts. */
  privateFor?: (schema: GraphQLSchema) => readonly string[];
  /** Request headers that carry credentials (Authorization, the API key header): public answers vary on them. */
  credentialHeaders?: readonly string[];
  /** For answering repeated queries before execution (early-hits.ts); without it, every hit executes. */
  early?: Pick<EarlyHitsOptions, 'currentSchema' | 'callerOf' | 'onServed'>;
}

/** What the cache did for one request; headers and metrics are derived from it. */
interface Outcome {
  status: 'HIT' | 'MISS' | 'BYPASS';
  /** The response is (now) in the cache. */
  cached: boolean;
  /** Seconds the answer stays fresh (hits: what is left of the entry's TTL). */
  maxAge: number;
  scope: 'public' | 'private';
  etag?: string;
}

/** Stored next to a cached result, so a hit can tell clients how long it stays fresh. */
interface StoredMetadata {
  responseCache?: { expiresAt?: number; hit?: boolean; didCache?: boolean; ttl?: number };
}

/**
 * Whole-response caching: @envelop/response-cache does the keying, TTL per type/field, entity
 * collection and invalidation by mutation; around it, this plugin adds what it lacks:
 * - the key's scope from the caller's identity and grants and the document's private fields (scope.ts),
 *   decided before the lookup; anonymous callers with private selections bypass the cache;
 * - the schema hash in every key;
 * - upstream Cache-Control bounds on the TTL (upstream-ttl.ts);
 * - `x-tessera-cache: HIT|MISS|BYPASS`, metrics, and HTTP caching for GET (Cache-Control, ETag, 304).
 *
 * The envelop plugin rather than @graphql-yoga/plugin-response-cache: yoga's looks the entry up in
 * `onParams`, before the GraphQL context (and so the caller's identity) exists. With `early`, a
 * repeated query is answered in `onParams` too, keyed with the caller's scope, once the full path
 * has shown that it may be (early-hits.ts).
 */
export function useResponseCaching({
  config,
  store,
  metrics,
  upstreamBounds,
  privateFor = () => config.private,
  credentialHeaders = ['Authorization'],
  early,
}: ResponseCachingOptions): Plugin {
  // What an HTTP cache must key on besides the URL: the language, which the gateway's key holds
  // (it is sent upstream); for a public answer, the credentials too, since it is the anonymous
  // caller's and a signed-in caller of the same URL must not be given it.
  const varyOf = (scope: Outcome['scope']) => (scope === 'public' ? ['Accept-Language', ...credentialHeaders] : ['Accept-Language']).join(', ');
  const scopeOf = createScopeRule(privateFor);
  const scopes = createRequestState<object, CacheScope | 'none'>('tessera.cacheScope');
  // Keyed by the printed document, not the client's text: whitespace, commas and comments do not
  // split entries. yoga reuses one parsed document per query text, so each is printed once.
  const printedDocuments = new WeakMap<DocumentNode, string>();
  const normalizedDocument = (document: DocumentNode) => {
    let printed = printedDocuments.get(document);
    if (printed === undefined) printedDocuments.set(document, (printed = print(document)));
    return printed;
  };
  const outcomes = createRequestState<Request, Outcome>('tessera.cacheOutcome');
  // Envelop invalidates the types a mutation selects whatever its result; the invalidation waits
  // here for the result instead (see onExecutionResult), so a refused mutation cannot flush others' entries.
  const pendingInvalidations = createRequestState<object, CacheEntityRecord[]>('tessera.cacheInvalidations');
  const ttlPerSchemaCoordinate = Object.fromEntries(Object.entries(config.ttl).map(([coordinate, seconds]) => [coordinate, seconds * 1000]));

  // The key of each request's lookup, computed here rather than in envelop's onExecute so that the
  // early lane can be told it with the document and parameters it belongs to.
  const keys = createRequestState<object, string>('tessera.cacheKey');
  const earlyHits = early && createEarlyHits({ store, ...early, scopeOf, markServed: (context, scope) => scopes.set(context, scope) });

  const recordScope: Plugin = {
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName)?.operation;
      // Only queries are looked up; a mutation still runs through the cache, to invalidate
      // (subscriptions do not come through onExecute).
      const scope = scopes.set(args.contextValue, operation === 'query' ? scopeOf(args.schema, args.document, args.contextValue) : 'none');
      if (scope === null || scope === 'none') return;
      // Entries are namespaced by the version of the schema they were made with: a new schema never reads old shapes.
      const key = `${schemaVersion(args.schema)}:${responseCacheKey(normalizedDocument(args.document), args, scope, languageOf(args.contextValue.request))}`;
      keys.set(args.contextValue, key);
      earlyHits?.remember(args, scope, key);
    },
  };

  const responseCache = useEnvelopResponseCache<YogaInitialContext>({
    // Per context (envelop memoizes it), so an invalidation knows which mutation asked for it.
    cache: (context) => ({
      get: (key) => (earlyHits?.justMissed(context, key) ? undefined : store.get(key)),
      // The entry remembers when it expires, so a hit can say how long it stays fresh.
      set: (key, result, entities, ttl) => store.set(key, withMetadata(result, { expiresAt: Date.now() + ttl }), entities, ttl),
      invalidate: (entities) => {
        pendingInvalidations.set(context, [...entities]);
      },
    }),
    ttl: config.defaultTtlSeconds * 1000,
    ttlPerSchemaCoordinate,
    session: (context) => scopes.get(context) ?? null,
    // Queries with a key of their own, and mutations (which only invalidate).
    enabled: (context) => keys.get(context) !== undefined || scopes.get(context) === 'none',
    buildResponseCacheKey: ({ context }) => keys.get(context as object) ?? '',
    shouldCacheResult: ({ result }) => !result.errors?.length,
    onTtl: ({ ttl, context }) => Math.min(ttl, upstreamBounds.boundOf(context) ?? Infinity),
    includeExtensionMetadata: true,
  });

  return {
    onPluginInit({ addPlugin }) {
      if (earlyHits) addPlugin(earlyHits.plugin);
      addPlugin(recordScope);
      addPlugin(responseCache);
    },
    async onExecutionResult({ request, result, context, setResult }) {
      const scope = scopes.get(context);
      const invalidating = pendingInvalidations.get(context);
      if (invalidating && result && !(Symbol.asyncIterator in result)) {
        // Awaited (each store call is bounded), so a client reading right after its mutation sees
        // fresh data on every instance.
        if (!refusedBeforeUpstream(result)) await store.invalidate(invalidating);
        else {
          const { invalidatedEntities: _notDone, ...metadata } = result.extensions?.responseCache ?? {};
          setResult((result = withCacheMetadata(result, metadata)));
        }
      }
      // Read below, then taken out of what the client gets unless the config shows it.
      if (!config.exposeMetadata && result && !(Symbol.asyncIterator in result) && result.extensions?.responseCache) {
        setResult(withCacheMetadata(result, undefined));
      }
      if (scope === undefined || scope === 'none' || !result || Symbol.asyncIterator in result) return;
      if (scope === null) {
        outcomes.set(request, { status: 'BYPASS', cached: false, maxAge: 0, scope: 'private' });
        (context as CacheStatusContext).cacheStatus = 'bypass';
        return;
      }
      const metadata = (result.extensions as StoredMetadata | undefined)?.responseCache;
      const hit = metadata?.hit === true;
      const now = Date.now();
      const maxAge = hit ? Math.max(0, Math.floor(((metadata?.expiresAt ?? now) - now) / 1000)) : Math.floor((metadata?.ttl ?? 0) / 1000);
      const outcome: Outcome = {
        status: hit ? 'HIT' : 'MISS',
        cached: hit || metadata?.didCache === true,
        maxAge,
        // HTTP caches and CDNs key on the URL alone: only what anyone may read is public there.
        // An entry for signed-in callers is shared by the gateway per grants, but not by a CDN.
        scope: scope === ANONYMOUS_PUBLIC_SCOPE ? 'public' : 'private',
      };
      if (request.method === 'GET' && outcome.cached) outcome.etag = etagOf(result.data);
      outcomes.set(request, outcome);
      // The request log line and tessera_cache_requests_total read it from the context.
      (context as CacheStatusContext).cacheStatus = outcome.status.toLowerCase();
      if (hit) metrics.hit();
      else metrics.miss();
    },
    onResponse({ request, response, setResponse, fetchAPI }) {
      const outcome = outcomes.get(request);
      if (!outcome) return;
      response.headers.set('x-tessera-cache', outcome.status);
      if (request.method !== 'GET' || !outcome.cached || response.status !== 200) return;
      const cacheControl = `${outcome.scope}, max-age=${outcome.maxAge}`;
      const vary = varyOf(outcome.scope);
      response.headers.set('cache-control', cacheControl);
      response.headers.set('vary', [response.headers.get('vary'), vary].filter(Boolean).join(', '));
      if (!outcome.etag) return;
      response.headers.set('etag', outcome.etag);
      if (matchesEtag(request.headers.get('if-none-match'), outcome.etag)) {
        setResponse(new fetchAPI.Response(null, { status: 304, headers: { etag: outcome.etag, 'cache-control': cacheControl, vary, 'x-tessera-cache': outcome.status } }));
      }
    },
  };
}

/**
 * Codes of errors raised before a field reaches its upstream (authorization, rate limits, input
 * constraints): a mutation whose every root field failed with one of them changed nothing.
 */
const REFUSED_BEFORE_UPSTREAM = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', 'RATE_LIMIT_UNAVAILABLE', 'BAD_USER_INPUT']);

/**
 * Anyone may send a mutation they are not allowed to run; if refused mutations invalidated, any
 * anonymous client could flush every cached Order. A root field that answered, or failed upstream
 * (the change may have happened), still invalidates.
 */
export function refusedBeforeUpstream(result: ExecutionResult): boolean {
  const refusedKeys = new Set(
    (result.errors ?? []).filter((error) => error.path?.length === 1 && REFUSED_BEFORE_UPSTREAM.has(String(error.extensions?.code))).map((error) => error.path![0]),
  );
  // A refused non-null root field nulls all of `data`: then every error must be such a refusal
  // (an error deeper down means a root field did resolve).
  if (result.data === null) return refusedKeys.size > 0 && (result.errors ?? []).every((error) => error.path?.length === 1 && refusedKeys.has(error.path[0]));
  const fields = Object.entries(result.data ?? {});
  return fields.length > 0 && fields.every(([responseKey, value]) => value === null && refusedKeys.has(responseKey));
}

/** The result with `extensions.responseCache` replaced (left out when empty or undefined), and no empty `extensions`. */
function withCacheMetadata(result: ExecutionResult, metadata: Record<string, unknown> | undefined): ExecutionResult {
  const { responseCache: _replaced, ...extensions } = result.extensions ?? {};
  const kept = metadata && Object.keys(metadata).length > 0 ? copyWith(extensions, { responseCache: metadata }) : extensions;
  return copyWith(result, { extensions: Object.keys(kept).length > 0 ? kept : undefined });
}

/**
 * The library's default key (document, operation name, variables in a stable order, session) and
 * the caller's language, in one hash with node:crypto: the default hashes through WebCrypto's async
 * digest, which cost ~10% of the gateway's CPU on cache hits (a promise, a TextEncoder copy and
 * WebCrypto's argument checks per request), and each extra hash ~1%. Accept-Language is forwarded
 * upstream by default, and upstreams may answer in the caller's language: callers asking for
 * another language get entries of their own.
 */
function responseCacheKey(document: string, args: Pick<ExecutionArgs, 'operationName' | 'variableValues'>, session: string, language: string): string {
  // As a JSON array, so no part can pass for another: the language is the client's to choose.
  const text = JSON.stringify([document, args.operationName ?? '', stableStringify(args.variableValues ?? {}), session, language]);
  return sha256(text);
}

/** A strong validator of the data a client receives (extensions such as hit/miss vary, data does not). */
function etagOf(data: unknown): string {
  return `"${sha256(dataText(data), 'base64url').slice(0, 27)}"`;
}

function withMetadata(result: ExecutionResult, metadata: { expiresAt: number }): ExecutionResult {
  const extensions = result.extensions as StoredMetadata | undefined;
  return copyWith(result, { extensions: copyWith(result.extensions ?? {}, { responseCache: copyWith(extensions?.responseCache ?? {}, metadata) }) });
}

function matchesEtag(header: string | null, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}
