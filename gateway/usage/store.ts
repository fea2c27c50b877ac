import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readTextIfExists } from '../shared/files';
import { lazyRedisClient } from '../redis/client';
import type { UsageConfig } from '../config/schema';

/** One operation clients sent, as recorded: what `tessera check --usage` reads back. */
export interface UsageEntry {
  /** sha256 of `document`. */
  hash: string;
  name: string;
  count: number;
  /** ISO time of the last request. */
  lastSeen: string;
  /** The normalized document: the operation and the fragments it uses, without ignored characters. */
  document: string;
}

export interface UsageStore {
  readonly location: string;
  /** Adds counts to what is stored (counts add up, lastSeen keeps the latest). */
  add(entries: UsageEntry[]): Promise<void>;
  read(): Promise<UsageEntry[]>;
  close(): Promise<void>;
}

export function openUsageStore(config: Pick<UsageConfig, 'file' | 'redisUrl' | 'keyPrefix'>): UsageStore {
  return config.redisUrl ? redisUsageStore(config.redisUrl, config.keyPrefix) : fileUsageStore(config.file);
}

export function mergeEntry(into: Map<string, UsageEntry>, entry: UsageEntry): void {
  const known = into.get(entry.hash);
  if (!known) into.set(entry.hash, { ...entry });
  else {
    known.count += entry.count;
    if (entry.lastSeen > known.lastSeen) known.lastSeen = entry.lastSeen;
  }
}

/**
 * A JSON file `{ "operations": { hash: { name, count, lastSeen, document } } }`, for one gateway
 * process: written whole to a temporary file and renamed, so a reader never sees half of it.
 */
export function fileUsageStore(file: string): UsageStore {
  const read = async (): Promise<UsageEntry[]> => {
    const text = await readTextIfExists(file);
    if (text === undefined) return [];
    const parsed = JSON.parse(text) as { operations?: Record<string, Omit<UsageEntry, 'hash'>> };
    return Object.entries(parsed.operations ?? {}).map(([hash, entry]) => ({ hash, ...entry }));
  };
  return {
    location: file,
    read,
    async add(entries) {
      const all = new Map((await read()).map((entry) => [entry.hash, entry]));
      for (const entry of entries) mergeEntry(all, entry);
      const operations = Object.fromEntries([...all.values()].sort((a, b) => a.hash.localeCompare(b.hash)).map(({ hash, ...rest }) => [hash, rest]));
      await mkdir(dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, `${JSON.stringify({ operations }, null, 2)}\n`);
      await rename(temporary, file);
    },
    close: async () => {},
  };
}

/**
 * One Redis hash per operation (name, document, count) plus a sorted set of their hashes scored by
 * last-seen time: many gateway instances add to one record; HINCRBY adds counts and `ZADD GT` keeps
 * the latest time whatever order the instances' writes arrive in.
 */
export function redisUsageStore(url: string, keyPrefix: string): UsageStore {
  const { connected, close, describe } = lazyRedisClient(url);
  const indexKey = `${keyPrefix}usage:operations`;
  const keyOf = (hash: string) => `${keyPrefix}usage:operation:${hash}`;
  return {
    location: describe(indexKey),
    async add(entries) {
      if (entries.length === 0) return;
      const multi = (await connected()).multi();
      for (const entry of entries) {
        multi.zAdd(indexKey, { value: entry.hash, score: Date.parse(entry.lastSeen) }, { comparison: 'GT' });
        multi.hIncrBy(keyOf(entry.hash), 'count', entry.count);
        multi.hSet(keyOf(entry.hash), { name: entry.name, document: entry.document });
      }
      await multi.exec();
    },
    async read() {
      const redis = await connected();
      const index = (await redis.zRangeWithScores(indexKey, 0, -1)).sort((a, b) => a.value.localeCompare(b.value));
      const entries = await Promise.all(index.map(async ({ value: hash, score }) => ({ hash, score, fields: await redis.hGetAll(keyOf(hash)) })));
      return entries.map(({ hash, score, fields }) => ({
        hash,
        name: fields.name ?? 'anonymous',
        count: Number(fields.count ?? 0),
        lastSeen: new Date(score).toISOString(),
        document: fields.document ?? '',
      }));
    },
    close,
  };
}
