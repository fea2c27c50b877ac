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

export interface FailFastRedisOptions {
  url: string;
  /** Connect timeout; each command's wait is bounded by the store using the client. */
  connectTimeoutMs: number;
  /** Told about connection errors (refused, reset); the client reconnects by itself. */
  onConnectionError: (error: Error) => void;
}

/**
 * A client for a store that must answer at once while Redis is away (the response cache, rate
 * limits): with the offline queue disabled a command fails immediately instead of waiting for Redis
 * to return, so the store's fallback applies (a cache miss, the limiter's onStoreError). It
 * reconnects on its own with a capped back-off, and starts connecting now, not on the first request.
 */
export function failFastRedisClient({ url, connectTimeoutMs, onConnectionError }: FailFastRedisOptions) {
  const { createClient } = require('@redis/client') as typeof import('@redis/client');
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: connectTimeoutMs, reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 2_000) },
  });
  client.on('error', onConnectionError);
  client.connect().catch(onConnectionError);
  return client;
}
