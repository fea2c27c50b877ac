import Keyv from 'keyv';
import { LRUCache } from 'lru-cache';
import type { CacheBackend, TagIndex } from './backend';
import { storedSize, type StoredEntry } from './stored-result';

export interface MemoryBackendOptions {
  maxEntries: number;
  maxBytes: number;
  /** Told about each entry evicted to stay within the bounds (for the evictions metric). */
  onEvict: () => void;
}

/** Keyv's record of an entry, as an unserializing Keyv hands it to its store. */
interface KeyvRecord {
  value: StoredEntry;
  expires?: number;
}

/**
 * One process's cache: Keyv over a bounded LRU (Keyv's default Map never forgets anything). Keyv
 * does not serialize here: entries are JSON text already (./stored-result), so a hit skips parsing
 * Keyv's JSON wrapper around that text (~3.5% of a hit's CPU on the bench's Q4), and the text's
 * length is the entry's size.
 */
export function createMemoryBackend({ maxEntries, maxBytes, onEvict }: MemoryBackendOptions): CacheBackend {
  const tags = new MemoryTagIndex();
  const lru = new LRUCache<string, KeyvRecord>({
    max: maxEntries,
    maxSize: maxBytes,
    sizeCalculation: (record) => Math.max(1, storedSize(record.value)),
    dispose: (_value, key, reason) => {
      tags.forget(key);
      if (reason === 'evict') onEvict();
    },
  });
  // Keyv calls set(key, value, ttlMs), LRUCache takes set(key, value, { ttl }): a Map-like shim.
  // Keys are already namespaced by the cache (schema hash + hash of the request): no Keyv prefix.
  const store = {
    get: (key: string) => lru.get(key),
    set: (key: string, record: KeyvRecord, ttl?: number) => void lru.set(key, record, { ttl }),
    delete: (key: string) => lru.delete(key),
    clear: () => lru.clear(),
  };
  const entries = new Keyv({ store, useKeyPrefix: false, namespace: undefined, serialize: undefined, deserialize: undefined });
  return { kind: 'memory', entries, tags, close: async () => lru.clear() };
}

class MemoryTagIndex implements TagIndex {
  private readonly keysByTag = new Map<string, Set<string>>();
  private readonly tagsByKey = new Map<string, string[]>();

  async add(key: string, tags: string[]): Promise<void> {
    this.forget(key);
    this.tagsByKey.set(key, tags);
    for (const tag of tags) {
      let keys = this.keysByTag.get(tag);
      if (!keys) this.keysByTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  async take(tags: string[]): Promise<string[]> {
    const keys = new Set<string>();
    for (const tag of tags) for (const key of this.keysByTag.get(tag) ?? []) keys.add(key);
    for (const key of keys) this.forget(key);
    return [...keys];
  }

  async clear(): Promise<void> {
    this.keysByTag.clear();
    this.tagsByKey.clear();
  }

  /** Drops an entry that left the store, so the index stays as bounded as the LRU. */
  forget(key: string): void {
    for (const tag of this.tagsByKey.get(key) ?? []) {
      const keys = this.keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.keysByTag.delete(tag);
    }
    this.tagsByKey.delete(key);
  }
}
