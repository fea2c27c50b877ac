import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { constants, createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse, type Http2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { ClientLimitsConfig, ServerTlsConfig } from '../config/schema';
import type { Gateway } from '../gateway';
import type { AdminListenerContext } from './admin-port';
import { readServerTls, watchCertificate, type CertificateWatcher } from './tls';

type Listener = Server | Http2SecureServer;
/**
 * The HTTP/1.1 settings node:http2 also honours with allowHTTP1 (its HTTP/1.1 connections are run by
 * node:http's own connection handling), which its typings do not declare.
 */
type Http1Settings = Pick<Server, 'headersTimeout' | 'requestTimeout' | 'keepAliveTimeout' | 'maxRequestsPerSocket' | 'closeIdleConnections'> & {
  /** Read by node when the server starts listening (an undeclared property in node's typings). */
  connectionsCheckingInterval: number;
};
const http1 = (server: Listener) => server as unknown as Http1Settings;
type Handler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void;

export interface ListeningGateway {
  server: Listener;
  /** e.g. http://127.0.0.1:4000, or https://… with `tls` */
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
  /** Serve HTTPS (HTTP/2 by ALPN, HTTP/1.1 otherwise) on both listeners, certificate reloaded on change. */
  tls?: ServerTlsConfig;
  /** How often the certificate files are checked for a change (default 2 s). */
  tlsPollMs?: number;
  /** Slow-client timeouts and keep-alive limits (`server.http`); default: the config defaults. */
  http?: Pick<ClientLimitsConfig, 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'maxRequestsPerSocket'>;
}

const DEFAULT_CLIENT_LIMITS: Required<ListenOptions>['http'] = { headersTimeoutMs: 20_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 30_000, maxRequestsPerSocket: 1_000 };

/**
 * Serves a gateway over node:http, or over TLS with HTTP/2 and HTTP/1.1 (node:http2 with
 * allowHTTP1, ALPN choosing) when `tls` is given; `close` stops accepting, ends idle keep-alive
 * sockets and HTTP/2 sessions (GOAWAY), waits for requests in flight (at most `drainMs`, then cuts
 * what is left), then releases the gateway's upstream connections.
 *
 * The admin listener gets the same TLS as the public one: an admin port bound beyond loopback
 * carries the purge and usage figures, which must not travel in clear where the rest does not.
 */
export async function listen(gateway: Gateway, port: number, host: string, options: ListenOptions = {}): Promise<ListeningGateway> {
  const { adminPort, drainMs = 2_000, tls, http = DEFAULT_CLIENT_LIMITS } = options;
  const secure = tls && readServerTls(tls);
  const make = (handler: Handler): Listener => {
    const server = secure
      ? createSecureServer({ ...secure, allowHTTP1: true, requestCert: tls.requestClientCert, rejectUnauthorized: tls.requestClientCert }, handler)
      : createServer(handler);
    // node's own slow-client guards (408 and close), also applied to HTTP/1.1 on the HTTP/2 server.
    Object.assign(http1(server), {
      headersTimeout: http.headersTimeoutMs,
      requestTimeout: http.requestTimeoutMs,
      keepAliveTimeout: http.keepAliveTimeoutMs,
      maxRequestsPerSocket: http.maxRequestsPerSocket,
      // node checks the two timeouts only this often (30 s by default, which would let a 1 s limit
      // run for 30 s); a quarter of the shorter one keeps the overrun small for little work.
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.min(http.headersTimeoutMs, http.requestTimeoutMs) / 4)),
    } satisfies Partial<Http1Settings>);
    if (secure) {
      const h2 = server as Http2SecureServer;
      // HTTP/2 sessions have no keep-alive timeout of their own: an idle one is closed (GOAWAY) after as long.
      h2.on('session', (session: Http2Session) => session.setTimeout(http.keepAliveTimeoutMs, () => session.close()));
      // Nor do node's header and request timeouts cover HTTP/2 streams, and the session timeout
      // restarts on any frame: a client trickling a body would hold its stream (and the body
      // reader) forever. A stream whose request has not fully arrived in requestTimeoutMs is cancelled.
      h2.on('stream', (stream: ServerHttp2Stream) => {
        if (stream.endAfterHeaders) return;
        const deadline = setTimeout(() => {
          if (!stream.readableEnded && !stream.closed) stream.close(constants.NGHTTP2_CANCEL);
        }, http.requestTimeoutMs);
        deadline.unref();
        stream.once('close', () => clearTimeout(deadline));
      });
    }
    return server;
  };
  const server = await startServer(make(gateway.yoga as Handler), port, host);
  // The admin listener marks its requests in the server context (see admin-port.ts).
  const admin =
    adminPort === undefined
      ? undefined
      : await startServer(
          make((req, res) => gateway.yoga(req as IncomingMessage, res as ServerResponse, { adminListener: true } satisfies AdminListenerContext as object)),
          adminPort,
          host,
        ).catch(async (error: unknown) => {
          await stopServer(server, drainMs);
          throw error;
        });
  const certificates: CertificateWatcher | undefined =
    tls &&
    watchCertificate(
      tls,
      (context) => {
        for (const listener of [server, admin]) (listener as Http2SecureServer | undefined)?.setSecureContext(context);
      },
      (error) =>
        error
          ? gateway.logger.error({ err: error }, `TLS certificate not reloaded, the previous one is still served: ${error.message}`)
          : gateway.logger.info({ cert: tls.cert }, 'TLS certificate reloaded'),
      options.tlsPollMs,
    );
  return {
    server,
    url: baseUrl(server),
    adminUrl: admin && baseUrl(admin),
    close: async () => {
      certificates?.stop();
      await Promise.all([stopServer(server, drainMs), admin && stopServer(admin, drainMs)]);
      await gateway.close();
    },
  };
}

/** Every socket and HTTP/2 session of a server, so a drain can end them (node:http2 has no closeAllConnections). */
const tracked = new WeakMap<Listener, { sockets: Set<Socket>; sessions: Set<Http2Session>; closing: boolean }>();

/** Sends GOAWAY (no new streams here) and ends the session once its streams in flight are done. */
function endSession(session: Http2Session): void {
  if (!session.closed && !session.destroyed) session.close();
}

async function startServer(server: Listener, port: number, host: string): Promise<Listener> {
  const open = { sockets: new Set<Socket>(), sessions: new Set<Http2Session>(), closing: false };
  tracked.set(server, open);
  server.on('connection', (socket: Socket) => {
    open.sockets.add(socket);
    socket.once('close', () => open.sockets.delete(socket));
  });
  server.on('session', (session: Http2Session) => {
    // A connection accepted just before close() gets its session after it: it is ended too.
    if (open.closing) endSession(session);
    open.sessions.add(session);
    session.once('close', () => open.sessions.delete(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

function stopServer(server: Listener, drainMs: number): Promise<void> {
  const open = tracked.get(server);
  return new Promise<void>((resolve) => {
    // A keep-alive socket whose request finishes during the drain turns idle and would hold
    // close() open until the cut: idle sockets are closed as they appear.
    const reaper = setInterval(() => http1(server).closeIdleConnections(), 50);
    if (open) open.closing = true;
    for (const session of open?.sessions ?? []) endSession(session);
    const cut = setTimeout(() => {
      for (const session of open?.sessions ?? []) session.destroy();
      for (const socket of open?.sockets ?? []) socket.destroy();
    }, drainMs);
    server.close(() => {
      clearInterval(reaper);
      clearTimeout(cut);
      resolve();
    });
    http1(server).closeIdleConnections();
  });
}

function baseUrl(server: Listener): string {
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${'setSecureContext' in server ? 'https' : 'http'}://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${address.port}`;
}
