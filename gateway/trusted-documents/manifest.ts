import { readFile, stat } from 'node:fs/promises';
import { extname, relative } from 'node:path';
import { parse } from 'graphql';
import { glob } from 'tinyglobby';
import { sha256 } from '../shared/hash';

/** One document a frontend build declared, as read from a manifest. */
export interface TrustedDocument {
  /** The id clients send: a bare hash (a `sha256:` prefix in the manifest is dropped), or the manifest's own id. */
  id: string;
  /** The document text, exactly as the manifest holds it. */
  body: string;
  /** Where it came from (`file#id`, or the .graphql file): how errors and reports name it. */
  source: string;
}

/** A manifest that cannot be trusted as written: the gateway does not start (a reload keeps the last good set). */
export class TrustedDocumentsError extends Error {}

export const DOCUMENT_EXTENSIONS = ['graphql', 'gql'];

const SHA256_ID = /^(?:sha256:)?([0-9a-fA-F]{64})$/;

/** Hex SHA-256 of the document text's UTF-8 bytes, with no normalisation: `sha256sum file.graphql` prints the same. */
export function documentHash(text: string): string {
  return sha256(text);
}

/**
 * The id under which a document is stored and looked up: the trusted-documents convention's
 * `sha256:<hex>` and the bare hex of Apollo's APQ and graphql-codegen are the same document, so
 * both become the lower-case hex; any other id (a custom hash function's) is kept as it is.
 */
export function canonicalId(id: string): string {
  const sha256 = SHA256_ID.exec(id);
  return sha256 ? sha256[1].toLowerCase() : id;
}

/**
 * Reads the trusted documents of every manifest path: a JSON manifest (graphql-codegen client
 * preset's `persisted-documents.json`, or an Apollo persisted query manifest), a .graphql/.gql file,
 * or a folder of them (every file below, one document each, id = documentHash of its text).
 */
export async function loadTrustedDocuments(paths: readonly string[], cwd = process.cwd()): Promise<TrustedDocument[]> {
  const documents = new Map<string, TrustedDocument>();
  for (const path of paths) {
    for (const file of await filesOf(path)) {
      const label = relative(cwd, file) || file;
      const text = await readFile(file, 'utf8');
      const read = extname(file) === '.json' ? parseManifest(text, label) : [parsed({ id: documentHash(text), body: text, source: label })];
      for (const document of read) {
        const known = documents.get(document.id);
        if (known && known.body !== document.body) {
          throw new TrustedDocumentsError(`${document.source}: id ${document.id} is also ${known.source}, with another document; an id names one document`);
        }
        documents.set(document.id, known ?? document);
      }
    }
  }
  return [...documents.values()];
}

async function filesOf(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new TrustedDocumentsError(`trusted documents manifest "${path}" does not exist (trustedDocuments.manifests)`);
  if (info.isFile()) return [path];
  const files = (await glob(`**/*.{${DOCUMENT_EXTENSIONS.join(',')}}`, { cwd: path, absolute: true })).sort();
  if (files.length === 0) throw new TrustedDocumentsError(`no .graphql or .gql files in "${path}" (trustedDocuments.manifests)`);
  return files;
}

/**
 * The documents of a JSON manifest. Ids that are SHA-256 hashes are checked against their
 * document: a manifest edited by hand, or built from other sources than it ships, must not serve a
 * document other than the one its id names.
 */
export function parseManifest(text: string, label: string): TrustedDocument[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TrustedDocumentsError(`${label}: not JSON: ${(error as Error).message}`);
  }
  return manifestEntries(value, label).map(([id, body]) => {
    const source = `${label}#${id}`;
    if (typeof body !== 'string') throw new TrustedDocumentsError(`${source}: expected the document as a string, found ${body === null ? 'null' : typeof body}`);
    const canonical = canonicalId(id);
    if (SHA256_ID.test(id) && documentHash(body) !== canonical) {
      throw new TrustedDocumentsError(`${source}: the id is not the SHA-256 of its document (which is ${documentHash(body)}); regenerate the manifest from the documents`);
    }
    return parsed({ id: canonical, body, source });
  });
}

/** A document that does not even parse is a broken manifest, whatever the schema. */
function parsed(document: TrustedDocument): TrustedDocument {
  try {
    parse(document.body);
  } catch (error) {
    throw new TrustedDocumentsError(`${document.source}: not a GraphQL document: ${(error as Error).message}`);
  }
  return document;
}

/**
 * `[id, body]` pairs of a manifest: an Apollo persisted query manifest
 * (`{ format: "apollo-persisted-query-manifest", version: 1, operations: [{ id, body }] }`) or an
 * object mapping ids to documents (graphql-codegen client preset, Relay).
 */
export function manifestEntries(value: unknown, label: string): [string, unknown][] {
  if (!isRecord(value)) throw new TrustedDocumentsError(`${label}: expected a JSON object (id → document, or an Apollo persisted query manifest)`);
  if (value.format === undefined) return Object.entries(value);
  if (value.format !== 'apollo-persisted-query-manifest' || value.version !== 1 || !Array.isArray(value.operations)) {
    throw new TrustedDocumentsError(
      `${label}: expected format "apollo-persisted-query-manifest", version 1 and an "operations" array, found format ${JSON.stringify(value.format)}, version ${JSON.stringify(value.version)}`,
    );
  }
  return value.operations.map((operation: unknown, i: number): [string, unknown] => {
    if (!isRecord(operation) || typeof operation.id !== 'string') throw new TrustedDocumentsError(`${label}: operations[${i}] has no string "id"`);
    return [operation.id, operation.body];
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
