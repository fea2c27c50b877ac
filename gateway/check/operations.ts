import { readFile, stat } from 'node:fs/promises';
import { extname, relative } from 'node:path';
import {
  Kind,
  parse,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { glob } from 'tinyglobby';
import { DOCUMENT_EXTENSIONS, manifestEntries } from '../trusted-documents/manifest';

/** One client operation, with the fragments it uses, and where it was found. */
export interface ClientOperation {
  /** `Name (file:line)`: how reports name it. */
  id: string;
  name: string;
  document: DocumentNode;
  /** How often the gateway served it, for operations read from a usage record. */
  count?: number;
  /**
   * From a trusted documents manifest: the gateway serves it exactly as written, so it must be valid
   * against the new schema even if it was not against the registered one.
   */
  trusted?: boolean;
}

/** A problem with the operations themselves: the check cannot run without them. */
export class OperationsError extends Error {}

/**
 * Reads client operations from folders (every .graphql/.gql file below), globs, single documents,
 * or persisted-documents JSON (`{ "hash": "query …" }`, an Apollo persisted query manifest, `["query …"]` or
 * `[{ id, body | query | document }]`).
 * Fragments are shared across all documents read, as a frontend's build shares them.
 */
export async function loadOperations(paths: string[], cwd = process.cwd()): Promise<ClientOperation[]> {
  const sources: DocumentSource[] = [];
  for (const path of paths) {
    for (const file of await expand(path, cwd)) {
      const text = await readFile(file, 'utf8');
      const label = relative(cwd, file) || file;
      if (extname(file) === '.json') sources.push(...persistedDocuments(text, label));
      else sources.push({ label, text, lines: true });
    }
  }
  return operationsOf(sources);
}

export interface DocumentSource {
  /** Where the document came from, as reports name it. */
  label: string;
  text: string;
  /** Name operations with their line too (documents read from files). */
  lines?: boolean;
  count?: number;
}

/** Operations of already-read documents. */
export function operationsOf(sources: DocumentSource[]): ClientOperation[] {
  const parsed = sources.map((source) => {
    try {
      return { ...source, document: parse(source.text) };
    } catch (error) {
      throw new OperationsError(`${source.label}: not a GraphQL document: ${(error as Error).message}`);
    }
  });
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const { document } of parsed) {
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return parsed.flatMap(({ label, lines, document, count }) =>
    document.definitions
      .filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)
      .map((operation) => {
        const name = operation.name?.value ?? 'anonymous';
        const line = operation.loc?.startToken.line;
        return {
          id: `${name} (${label}${lines && line ? `:${line}` : ''})`,
          name,
          document: { kind: Kind.DOCUMENT, definitions: [operation, ...fragmentsUsedBy(operation, fragments)] },
          ...(count === undefined ? {} : { count }),
        };
      }),
  );
}

async function expand(path: string, cwd: string): Promise<string[]> {
  const isGlob = /[*?{[]/.test(path);
  if (!isGlob) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new OperationsError(`operations path "${path}" does not exist`);
    if (info.isFile()) return [path];
  }
  const pattern = isGlob ? path : `${path.replace(/\/$/, '')}/**/*.{${DOCUMENT_EXTENSIONS.join(',')},json}`;
  const files = (await glob(pattern, { cwd, absolute: true })).sort();
  if (files.length === 0) throw new OperationsError(`no .graphql, .gql or .json documents match "${path}"`);
  return files;
}

function persistedDocuments(text: string, label: string): DocumentSource[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new OperationsError(`${label}: not JSON: ${(error as Error).message}`);
  }
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, i) => [String(isRecord(item) ? (item.id ?? item.hash ?? i) : i), item])
    : isRecord(value)
      ? manifestEntries(value, label) // the gateway's trusted-documents manifests, Apollo's format included
      : [];
  return entries.map(([key, item]) => {
    const body = typeof item === 'string' ? item : isRecord(item) ? (item.body ?? item.query ?? item.document) : undefined;
    if (typeof body !== 'string') {
      throw new OperationsError(`${label}#${key}: expected a GraphQL document string, or an object with "body", "query" or "document"`);
    }
    return { label: `${label}#${key}`, text: body };
  });
}

/** The fragments an operation spreads, directly or through other fragments. */
export function fragmentsUsedBy(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): FragmentDefinitionNode[] {
  const used = new Map<string, FragmentDefinitionNode>();
  const pending: (OperationDefinitionNode | FragmentDefinitionNode)[] = [operation];
  while (pending.length > 0) {
    visit(pending.pop()!, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !used.has(fragment.name.value)) {
          used.set(fragment.name.value, fragment);
          pending.push(fragment);
        }
      },
    });
  }
  return [...used.values()];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
