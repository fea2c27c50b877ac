/* eslint-disable @typescript-eslint/no-require-imports -- loaded on use, see lazyRedisClient */

/**
 * A Redis client that connects on first use, so commands that never touch Redis never connect, and
 * `close` is a no-op when nothing connected.
 */
export function lazyRedisClient(url: string) {
  // Required here, not imported: a gateway without Redis should not pay its loading at start-up.
  const { createClient } = require('@redis/client') as typeof import('@redis/client');
  const client = createClient({ url });
  // node-redis emits 'error' on every socket error (a restart, a reset) and reconnects by itself;
  // without a listener the emit would throw and end the process. Commands still fail and say why.
  client.on('error', () => {});
  let connecting: Promise<unknown> | undefined;
  return {
    async connected() {
      connecting ??= client.connect().catch((error: unknown) => {
        connecting = undefined; // the next command tries again
        throw error;
      });
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
