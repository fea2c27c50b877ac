/**
 * The one place the bench touches autocannon: a typed, promise-returning wrapper.
 * autocannon ships no types and @types/autocannon is not a devDependency, so the small part of its
 * API used here is declared below and the module is loaded with a plain require.
 */

export interface LoadRequest {
  method?: 'GET' | 'POST';
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Called before each request is built; returns the request to send. */
  setupRequest?: (request: LoadRequest) => LoadRequest;
  /** Called with every complete response (autocannon collects the body as a string either way). */
  onResponse?: (status: number, body: string) => void;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** Seconds. */
  duration: number;
  requests: LoadRequest[];
}

export interface LoadResult {
  requests: { average: number; total: number; sent: number };
  latency: { p50: number; p99: number; max: number };
  /** Seconds actually run. */
  duration: number;
  non2xx: number;
  /** Socket errors, timeouts included. */
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}

type Autocannon = (options: LoadOptions, done: (error: Error | null, result: LoadResult) => void) => unknown;

// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped package, see above
const autocannon = require('autocannon') as Autocannon;

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}
