import { createClient } from '@redis/client';

/**
 * A Redis client that connects on first use, so commands that never touch Redis never connect, and
 * `close` is a no-op when nothing connected.
 */
export function lazyRedisClient(url: string) {
  const client = createClient({ url });
  let connecting: Promise<unknown> | undefined;
  return {
    async connected() {
      connecting ??= client.connect();
      await connecting;
      return client;
    },
    async close() {
      if (connecting) await client.close();
    },
    // For messages: the URL without credentials.
    describe: (key: string) => `${url.replace(/\/\/[^@/]*@/, '//')} (key ${key})`,
  };
}
