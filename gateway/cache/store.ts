import type { Cache, CacheEntityRecord } from '@envelop/response-cache';
import type { CacheBackend } from './backend';
import type { CacheMetrics } from './metrics';
import { withTimeout } from '../shared/timeout';
import { fromStored, toStored } from './stored-result';

/** What a purge removes: everything, every entry holding a type, or one entity. */
export interface PurgeTarget {
  type?: string;
  id?: string;
}

/** The response cache's store: envelop's get/set/invalidate over a backend, plus purge. */
export interface ResponseStore extends Cache {
  invalidate(entities: Iterable<CacheEntityRecord>): Promise<void>;
  /** Removes the matching entries; resolves to how many (0 for a whole purge: not counted). Rejects when the store fails. */
  purge(target: PurgeTarget): Promise<number>;
  close(): Promise<void>;
}

export interface ResponseStoreOptions {
  /** Longest wait per store operation; past it the operation counts as failed. */
  timeoutMs: number;
  metrics: CacheMetrics;
  /** Told about failed or slow operations (the caller throttles). */
  onError: (operation: string, error: unknown) => void;
}

/**
 * Adapts a Keyv-backed backend to the cache interface @envelop/response-cache calls, so the
 * plugin's key building, TTL rules and invalidation-by-mutation are reused, not rewritten.
 *
 * Every operation on Redis is bounded by `timeoutMs`, and those envelop calls never throw: a store
 * that fails or is slow makes a miss (get), a skipped write (set) or a skipped invalidation, so no
 * client sees a cache error.
 *
 * Tags: each entry is tagged with the types (`Order`) and entities (`Order:12`) it contains. A
 * mutation invalidates the *types* it returned, not only the entities: `createOrder` returns an
 * order no cached list holds yet, and the lists that must now show it are tagged `Order`.
 */
export function createResponseStore(backend: CacheBackend, { timeoutMs, metrics, onError }: ResponseStoreOptions): ResponseStore {
  // The in-memory store answers within the process and cannot hang: no timer per lookup (one
  // was ~2 % of a hit's CPU, profile of the bench's Q4 with the cache on).
  const inProcess = backend.kind === 'memory';
  const bounded = async <T>(operation: string, work: () => Promise<T>, waitMs = timeoutMs): Promise<T> => {
    try {
      return await (inProcess ? work() : withTimeout(work(), waitMs, `cache ${backend.kind} ${operation} took longer than ${waitMs} ms`));
    } catch (error) {
      metrics.storeError(operation);
      throw error;
    }
  };
  const guard = <T>(operation: string, work: () => Promise<T>, fallback: T): Promise<T> =>
    bounded(operation, work).catch((error: unknown) => {
      onError(operation, error);
      return fallback;
    });

  const removeTagged = async (tags: string[]) => {
    const keys = await backend.tags.take(tags);
    if (keys.length > 0) await backend.entries.deleteMany(keys);
    metrics.invalidated(keys.length);
    return keys.length;
  };

  return {
    get: (key) => guard('get', async () => fromStored(await backend.entries.get<ReturnType<typeof toStored>>(key)), undefined),
    async set(key, result, entities, ttlMs) {
      // Envelop passes Infinity when nothing set a TTL; our config always gives a default.
      const ttl = Number.isFinite(ttlMs) ? ttlMs : undefined;
      await guard(
        'set',
        async () => {
          await backend.entries.set(key, toStored(result), ttl);
          await backend.tags.add(key, tagsOf(entities), ttl ?? 24 * 3600_000);
        },
        undefined,
      );
    },
    async invalidate(entities) {
      const types = new Set<string>();
      for (const entity of entities) types.add(entity.typename);
      await guard('invalidate', () => removeTagged([...types]), 0);
    },
    // An operator's purge reports its failure instead of hiding it.
    purge: (target) =>
      bounded('purge', async () => {
        if (target.type === undefined) {
          await Promise.all([backend.entries.clear(), backend.tags.clear()]);
          return 0;
        }
        return removeTagged([target.id === undefined ? target.type : `${target.type}:${target.id}`]);
      }, PURGE_WAIT_FACTOR * timeoutMs),
    close: () => backend.close(),
  };
}

/** A purge may scan the whole store: it waits longer than a request's lookup. */
const PURGE_WAIT_FACTOR = 20;

function tagsOf(entities: Iterable<CacheEntityRecord>): string[] {
  const tags = new Set<string>();
  for (const { typename, id } of entities) {
    tags.add(typename);
    if (id !== undefined) tags.add(`${typename}:${id}`);
  }
  return [...tags];
}
