import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gateway } from '../gateway';
import type { AdminListenerContext } from './admin-port';

export interface ListeningGateway {
  server: Server;
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  /** The admin listener's base URL, when `adminPort` was given. */
  adminUrl?: string;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** A second listener for the operators' endpoints (see admin-port.ts). */
  adminPort?: number;
  /** On close, how long requests in flight may take before their sockets are cut. */
  drainMs?: number;
}

/**
 * Serves a gateway over node:http; `close` stops accepting, ends idle keep-alive sockets, waits for
 * requests in flight (at most `drainMs`, then cuts what is left), then releases the gateway's
 * upstream connections.
 */
export async function listen(gateway: Gateway, port: number, host: string, options: ListenOptions = {}): Promise<ListeningGateway> {
  const { adminPort, drainMs = 2_000 } = options;
  const server = await startServer(createServer(gateway.yoga), port, host);
  // The admin listener marks its requests in the server context (see admin-port.ts).
  const admin =
    adminPort === undefined
      ? undefined
      : await startServer(
          createServer((req, res) => gateway.yoga(req, res, { adminListener: true } satisfies AdminListenerContext as object)),
          adminPort,
          host,
        ).catch(async (error: unknown) => {
          await stopServer(server, drainMs);
          throw error;
        });
  return {
    server,
    url: baseUrl(server),
    adminUrl: admin && baseUrl(admin),
    close: async () => {
      await Promise.all([stopServer(server, drainMs), admin && stopServer(admin, drainMs)]);
      await gateway.close();
    },
  };
}

async function startServer(server: Server, port: number, host: string): Promise<Server> {
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

function stopServer(server: Server, drainMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
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
}

function baseUrl(server: Server): string {
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${address.port}`;
}
