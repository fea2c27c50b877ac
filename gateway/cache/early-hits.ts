import { resultWithMetadata } from '@envelop/response-cache';
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import type { GraphQLParams, OnParamsEventPayload, Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { createRequestState } from '../shared/request-state';
import type { ServedOperation } from '../shared/served-operation';
import type { Identity, IdentityContext } from '../auth/identity';
import type { CacheScope } from './scope';
import type { ResponseStore } from './store';

export interface EarlyHitsOptions {
  store: ResponseStore;
  /** The schema served now: what a request arriving now would run on. */
  currentSchema: () => GraphQLSchema;
  /** Who sent a request (null: anonymous); rejects for a credential that is refused. */
  callerOf: (request: Request) => Promise<Identity | null>;
  /** The cache scope of a document for a caller (scope.ts): what the full path keys its lookup with. */
  scopeOf: (schema: GraphQLSchema, document: DocumentNode, context: IdentityContext) => CacheScope;
  /** Called for each operation answered early, as `onExecute` hooks are for executed ones. */
  onServed: (operation: ServedOperation) => void;
  /** Gives the context of an operation answered early its scope, before the cache plugin's onExecutionResult reads it. */
  markServed: (context: object, scope: string) => void;
}

/** What the full path left for the parameters it took to a cache lookup on one schema. */
interface Remembered {
  /** The document each fingerprint was executed with. */
  documents: LRUCache<string, DocumentNode>;
  /** The key the full path computed, per scope and fingerprint (`${scope}\n${fingerprint}`). */
  keys: LRUCache<string, string>;
}

/**
 * Answers a repeated query from the cache in yoga's `onParams`, before the GraphQL context,
 * parsing, validation and the onExecute hooks: a hit of the bench's Q4 (50 orders) went from ~0.25
 * to ~0.18 ms of CPU, 3,950 to 5,800-6,300 req/s on the same machine. It is where
 * @graphql-yoga/plugin-response-cache looks entries up, but that plugin keys on the request alone;
 * this one keys as the full path does, with the caller's scope (scope.ts).
 *
 * Why this answers what the full path would: a request is answered early only when
 * - the same parameters (query text, operation name, variables, language) went through every check
 *   of the full path *on the schema served now* and reached the cache lookup *with the same scope*
 *   (the caller's grants, and identity when the document is private); each schema (a reload makes
 *   a new one, with its config's limits, rules, keys and trusted documents) starts with nothing
 *   remembered, and every check before the lookup depends only on those parameters, the caller's
 *   grants and the config;
 * - the caller is verified now, as the full path would (one verification per request, shared with
 *   it): a refused credential takes the full path and its 401;
 * - the store holds the entry under the key the full path computed: TTL, invalidation and purge
 *   apply unchanged (the store is the only truth; what is remembered here is keys, not answers).
 * The per-client quota and the other `onParams` checks run before this hook (plugin order); the
 * request log and the usage record are told through `onServed`.
 */
export function createEarlyHits({ store, currentSchema, callerOf, scopeOf, onServed, markServed }: EarlyHitsOptions) {
  const perSchema = new WeakMap<GraphQLSchema, Remembered>();
  const rememberedFor = (schema: GraphQLSchema) => {
    let remembered = perSchema.get(schema);
    if (!remembered) {
      remembered = {
        documents: new LRUCache({ maxSize: REMEMBERED_BYTES, sizeCalculation: (_document, fingerprint) => fingerprint.length }),
        keys: new LRUCache({ maxSize: REMEMBERED_BYTES, sizeCalculation: (key, scoped) => scoped.length + key.length }),
      };
      perSchema.set(schema, remembered);
    }
    return remembered;
  };
  // The full path's lookup, skipped when this hook has just missed the same key (a second Redis
  // round trip, or a second timeout while Redis is down).
  const missed = createRequestState<object, string>('tessera.earlyMiss');

  const answerEarly = async (
    { params, request, context, setResult }: Pick<OnParamsEventPayload, 'params' | 'request' | 'context' | 'setResult'>,
    schema: GraphQLSchema,
    remembered: Remembered,
    fingerprint: string,
    document: DocumentNode,
  ): Promise<void> => {
    let identity: Identity | null;
    try {
      identity = await callerOf(request);
    } catch {
      return; // the full path answers the refusal
    }
    const identified: IdentityContext = { identity };
    const scope = scopeOf(schema, document, identified);
    if (scope === null) return; // not cached for this caller
    const key = remembered.keys.get(`${scope}\n${fingerprint}`);
    if (key === undefined) return;
    const entry = await store.get(key);
    if (!entry) {
      missed.set(context, key);
      return;
    }
    // What yoga's params handler and authentication would have put in the context, for the hooks that follow.
    const served = Object.assign(context, { request, params }, identified);
    markServed(served, scope);
    onServed({ schema, document, operationName: params.operationName, contextValue: served });
    setResult(resultWithMetadata(entry as ExecutionResult, { hit: true }));
  };

  const plugin: Plugin = {
    onParams(payload) {
      const schema = currentSchema();
      // Parameters never seen on this schema (most first requests, every mutation): no promise for yoga to wait on.
      const remembered = perSchema.get(schema);
      if (!remembered) return;
      const fingerprint = fingerprintOf(payload.params, languageOf(payload.request));
      const document = remembered.documents.get(fingerprint);
      if (!document) return;
      return answerEarly(payload, schema, remembered, fingerprint, document);
    },
  };

  return {
    plugin,
    /** Called by the full path at its cache lookup, with the scope and key it computed. */
    remember(args: ServedOperation, scope: string, key: string): void {
      const { params, request } = args.contextValue as { params?: GraphQLParams; request?: Request };
      if (!params || !request) return;
      const fingerprint = fingerprintOf(params, languageOf(request));
      const remembered = rememberedFor(args.schema);
      remembered.documents.set(fingerprint, args.document);
      remembered.keys.set(`${scope}\n${fingerprint}`, key);
    },
    /** Whether this request's early lookup of `key` just missed (the full path need not look again). */
    justMissed: (context: object, key: string) => missed.get(context) === key,
  };
}

/**
 * Bounds what is remembered per schema (each of the two maps) by the length of what it holds (query
 * texts mostly): enough for thousands of hot queries and callers; the least recently used are
 * forgotten and take the full path.
 */
const REMEMBERED_BYTES = 8 * 1024 * 1024;

/** The parameters as the client sent them: another order of the variables' keys is another fingerprint (and the full path once more). */
function fingerprintOf(params: GraphQLParams, language: string): string {
  return JSON.stringify([params.query ?? null, params.operationName ?? null, params.variables ?? null, language]);
}

export function languageOf(request: Request | undefined): string {
  return request?.headers.get('accept-language') ?? '';
}
