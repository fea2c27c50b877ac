import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lazyRedisClient } from '../redis/client';
import type { RegistryConfig } from '../config/schema';

/** One published composed schema. */
export interface PublishedSchema {
  version: number;
  publishedAt: string;
  /** sha256 of the SDL. */
  schemaHash: string;
  /** sha256 of each source's spec (or SDL) as read at publish time, by source name. */
  specHashes: Record<string, string>;
  sdl: string;
}

export interface SchemaRegistry {
  /** Where the versions are kept, for messages. */
  readonly location: string;
  /** Stores `entry` as the next version and returns it. */
  publish(entry: Omit<PublishedSchema, 'version'>): Promise<PublishedSchema>;
  /** Every version, oldest first. */
  history(): Promise<PublishedSchema[]>;
  latest(): Promise<PublishedSchema | undefined>;
  close(): Promise<void>;
}


/** The registry the config describes: Redis when `redisUrl` is set, else the folder (resolved against the config file). */
export function openRegistry(config: RegistryConfig): SchemaRegistry {
  return config.redisUrl ? redisRegistry(config.redisUrl, config.keyPrefix) : folderRegistry(config.dir);
}

/** One JSON file per version (`v000001.json`): reviewable in a pull request, no server needed. */
export function folderRegistry(dir: string): SchemaRegistry {
  const fileOf = (version: number) => join(dir, `v${String(version).padStart(6, '0')}.json`);
  const history = async (): Promise<PublishedSchema[]> => {
    const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const files = names.filter((name) => /^v\d+\.json$/.test(name)).sort();
    return Promise.all(files.map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8')) as PublishedSchema));
  };
  return {
    location: dir,
    history,
    latest: async () => (await history()).at(-1),
    async publish(entry) {
      const version = ((await history()).at(-1)?.version ?? 0) + 1;
      const published = { version, ...entry };
      await mkdir(dir, { recursive: true });
      // `wx`: two publishers racing for one version number fail instead of overwriting each other.
      await writeFile(fileOf(version), `${JSON.stringify(published, null, 2)}\n`, { flag: 'wx' });
      return published;
    },
    close: async () => {},
  };
}

/** A Redis list of versions (JSON), numbered by an INCR counter so concurrent publishers never share one. */
export function redisRegistry(url: string, keyPrefix: string): SchemaRegistry {
  const { connected, close, describe } = lazyRedisClient(url);
  const listKey = `${keyPrefix}schema:versions`;
  const history = async () => (await (await connected()).lRange(listKey, 0, -1)).map((json) => JSON.parse(json) as PublishedSchema);
  return {
    location: describe(listKey),
    history,
    async latest() {
      const json = await (await connected()).lIndex(listKey, -1);
      return json ? (JSON.parse(json) as PublishedSchema) : undefined;
    },
    async publish(entry) {
      const redis = await connected();
      const published = { version: await redis.incr(`${keyPrefix}schema:version`), ...entry };
      await redis.rPush(listKey, JSON.stringify(published));
      return published;
    },
    close,
  };
}
