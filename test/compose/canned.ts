/** Helpers for the composition tests: a canned-JSON HTTP upstream and configs built from YAML text. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { graphql, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { parseConfig } from '../../gateway/config/load';
import type { TesseraConfig } from '../../gateway/config/schema';

export const SPECS = join(__dirname, '..', 'fixtures', 'specs');
export const specPath = (file: string) => join(SPECS, file);

export interface RecordedRequest {
  method: string;
  /** Path and query string, as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** `[status, json]` for a request, or undefined for a 404. */
export type CannedRoute = (request: RecordedRequest & { path: string; query: URLSearchParams }) => [number, unknown] | undefined;

export interface CannedServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A tiny upstream on an ephemeral port that answers from `route` and records every request. */
export async function startCannedServer(route: CannedRoute): Promise<CannedServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      const parsed = new URL(recorded.url, 'http://canned');
      const [status, body] = route({ ...recorded, path: parsed.pathname, query: parsed.searchParams }) ?? [404, { error: 'not_found', message: `no canned answer for ${recorded.method} ${recorded.url}` }];
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface SourceSpec {
  name: string;
  spec: string;
  url: string;
  /** Extra YAML lines under the source (already indented by 4), e.g. transforms. */
  extra?: string[];
}

/** A config document as a user would write it, validated by parseConfig. */
export function configFor(sources: SourceSpec[], env: NodeJS.ProcessEnv = {}): TesseraConfig {
  const lines = ['sources:'];
  for (const source of sources) {
    lines.push(`  - name: ${source.name}`, `    spec: ${JSON.stringify(source.spec)}`, `    url: ${JSON.stringify(source.url)}`);
    for (const line of source.extra ?? []) lines.push(`    ${line}`);
  }
  return parseConfig(`${lines.join('\n')}\n`, join(__dirname, 'tessera.config.yaml'), { env }).config;
}

/**
 * Executes an operation against a composed schema in-process (sources still call their upstreams
 * over HTTP) and returns the result as a client receives it: serialized to JSON and back.
 */
export async function run(schema: GraphQLSchema, source: string): Promise<ExecutionResult> {
  return JSON.parse(JSON.stringify(await graphql({ schema, source, contextValue: {} }))) as ExecutionResult;
}
