import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gateway } from '../gateway';

export interface ListeningGateway {
  server: Server;
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a gateway over node:http; `close` stops accepting, ends idle keep-alive sockets, waits for
 * requests in flight (at most `drainMs`, then cuts what is left), then releases the gateway's
 * upstream connections.
 */
export async function listen(gateway: Gateway, port: number, host: string, drainMs = 2_000): Promise<ListeningGateway> {
  const server = createServer(gateway.yoga);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${address.port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        // A keep-alive socket whose request finishes during the drain turns idle and would hold
        // close() open until the cut: idle sockets are closed as they appear.
        const reaper = setInterval(() => server.closeIdleConnections(), 50);
        const cut = setTimeout(() => server.closeAllConnections(), drainMs);
        server.close(() => {
          clearInterval(reaper);
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      });
      await gateway.close();
    },
  };
}
