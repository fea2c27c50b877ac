/**
 * Entry point for the demo REST services the gateway is developed and
 * benchmarked against. Tests start them on ephemeral ports; `serve.ts` starts
 * them on fixed ports for manual use.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { DemoHandler, ServiceOptions, ServiceStats } from './http';
import { createOrdersService } from './orders/service';
import { createProductsService } from './products/service';
import { createReviewsService } from './reviews/service';
import { createUsersService } from './users/service';

export type { ServiceStats } from './http';

export type DemoServiceName = 'users' | 'products' | 'orders' | 'reviews';

/** Also the port order used by `startDemoServices({ basePort })`. */
export const DEMO_SERVICE_NAMES: readonly DemoServiceName[] = Object.freeze(['users', 'products', 'orders', 'reviews']);

const FACTORIES: Record<DemoServiceName, (options: ServiceOptions) => DemoHandler> = {
  users: createUsersService,
  products: createProductsService,
  orders: createOrdersService,
  reviews: createReviewsService,
};

export function specPath(name: DemoServiceName): string {
  return join(__dirname, name, 'openapi.yaml');
}

export interface RunningService {
  name: DemoServiceName;
  /** `http://host:port`, no trailing slash. */
  url: string;
  stats(): ServiceStats;
  resetStats(): void;
  close(): Promise<void>;
}

export interface StartOptions {
  /** 0 (default) picks a free ephemeral port. */
  port?: number;
  host?: string;
  latencyMs?: number;
  /** Verify the gateway's signed identity headers with this secret (the demo: DEMO_IDENTITY_SECRET). */
  identitySecret?: string;
}

export { DEMO_IDENTITY_SECRET } from '../gateway/auth/demo-secret';

const DEFAULT_HOST = '127.0.0.1';

/**
 * Long enough that a gateway under benchmark load keeps reusing sockets,
 * and longer than undici's 4 s client default so the server is not the side
 * that closes a socket the client is about to reuse (which surfaces as ECONNRESET).
 */
const KEEP_ALIVE_MS = 30_000;

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** The URL clients should use, even when listening on a wildcard address. */
function urlFor(host: string, port: number): string {
  const connectHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${connectHost.includes(':') ? `[${connectHost}]` : connectHost}:${port}`;
}

export async function startDemoService(name: DemoServiceName, opts: StartOptions = {}): Promise<RunningService> {
  const factory = FACTORIES[name];
  if (factory === undefined) throw new Error(`Unknown demo service '${String(name)}'`);
  const host = opts.host ?? DEFAULT_HOST;
  const handler = factory({ latencyMs: opts.latencyMs, identitySecret: opts.identitySecret });

  const server = createServer({ keepAlive: true }, handler.listener);
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  // Must exceed keepAliveTimeout, or Node may drop a socket mid-request.
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;

  const address = await listen(server, opts.port ?? 0, host);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      handler.dispose();
      server.close((err) => (err ? reject(err) : resolve()));
      // Keep-alive sockets would otherwise hold close() open for KEEP_ALIVE_MS
      // and leave jest reporting open handles.
      server.closeIdleConnections();
      server.closeAllConnections();
    });
    return closing;
  };

  return {
    name,
    url: urlFor(host, address.port),
    stats: () => handler.stats(),
    resetStats: () => handler.resetStats(),
    close,
  };
}

export interface StartAllOptions {
  /** 0 (default) = ephemeral ports; otherwise users=base, products=base+1, orders=base+2, reviews=base+3. */
  basePort?: number;
  host?: string;
  latencyMs?: number;
  identitySecret?: string;
}

export interface DemoServices {
  services: Record<DemoServiceName, RunningService>;
  close(): Promise<void>;
}

export async function startDemoServices(opts: StartAllOptions = {}): Promise<DemoServices> {
  const basePort = opts.basePort ?? 0;
  const results = await Promise.allSettled(
    DEMO_SERVICE_NAMES.map((name, i) =>
      startDemoService(name, { port: basePort === 0 ? 0 : basePort + i, host: opts.host, latencyMs: opts.latencyMs, identitySecret: opts.identitySecret }),
    ),
  );
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    // Do not leak the services that did start when one port was taken.
    await Promise.all(started.map((s) => s.close()));
    throw failed.reason;
  }

  const services = Object.fromEntries(started.map((s) => [s.name, s])) as Record<DemoServiceName, RunningService>;
  return {
    services,
    close: async () => {
      await Promise.all(started.map((s) => s.close()));
    },
  };
}
