import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createLogger, type Logger } from '../../gateway/observability/logger';
import type { TesseraConfig } from '../../gateway/config/schema';

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** One document per manifest format, each on a different demo service. */
export const PRODUCTS = 'query ProductTitles {\n  products(limit: 2) { id title }\n}\n';
export const USER = 'query UserName($id: ID!) {\n  user(id: $id) { name }\n}\n';
export const ORDERS = 'query OrderStatuses {\n  orders(limit: 2) { id status }\n}\n';

export interface Manifests {
  dir: string;
  /** graphql-codegen client preset: { hash: document } (PRODUCTS). */
  codegen: string;
  /** Apollo persisted query manifest (USER). */
  apollo: string;
  /** A folder of .graphql files (ORDERS). */
  folder: string;
  write(file: string, text: string): Promise<string>;
  remove(): Promise<void>;
}

/** The three manifest formats in a temp folder. */
export async function writeManifests(): Promise<Manifests> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-trusted-'));
  const write = async (file: string, text: string) => {
    const path = join(dir, file);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, text);
    return path;
  };
  const codegen = await write('persisted-documents.json', JSON.stringify({ [sha256(PRODUCTS)]: PRODUCTS }, null, 2));
  const apollo = await write(
    'apollo-manifest.json',
    JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: sha256(USER), name: 'UserName', type: 'query', body: USER }] }),
  );
  await write('documents/orders/order-statuses.graphql', ORDERS);
  return { dir, codegen, apollo, folder: join(dir, 'documents'), write, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The demo config with trusted documents (paths absolute: the harness edits a config already loaded). */
export function withTrustedDocuments(manifests: string[], settings: Partial<TesseraConfig['trustedDocuments']> = {}) {
  return (config: TesseraConfig): TesseraConfig => ({
    ...config,
    trustedDocuments: { ...config.trustedDocuments, manifests, ...settings },
  });
}

/** POSTs a JSON body to the gateway, as a client would. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } };
}

/** The APQ request shape (Apollo Client's persisted-queries link). */
export const apq = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

/** A JSON-lines logger and the lines it wrote so far. */
export function capturedLogger(level: 'info' | 'warn'): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)));
  return { logger: createLogger({ level, pretty: 'never' }, stream), lines };
}
