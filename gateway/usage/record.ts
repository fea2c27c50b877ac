import { Kind, getOperationAST, print, stripIgnoredCharacters, type DocumentNode } from 'graphql';
import { fragmentsUsedBy } from '../check/operations';
import type { Plugin } from 'graphql-yoga';
import { copyWith } from '../shared/copy-with';
import type { ServedOperation } from '../shared/served-operation';
import type { UsageConfig } from '../config/schema';
import type { Logger } from '../observability/logger';
import { fragmentsByName } from '../shared/fragments';
import { sha256 } from '../shared/hash';
import { mergeEntry, openUsageStore, type UsageEntry, type UsageStore } from './store';

/**
 * Records each executed operation (normalized document hash, name, count, last seen) and writes the
 * counts to the usage store every `flushIntervalMs` and when the gateway closes. Counting is in
 * memory per process; a failed write is logged and its counts kept for the next one (a broken
 * record must never fail a client request).
 */
export function createUsageRecording(config: UsageConfig, logger: Logger, store: UsageStore = openUsageStore(config)): { plugin: Plugin; recordOperation: (args: ServedOperation) => void } {
  let pending = new Map<string, UsageEntry>();
  // yoga reuses one parsed DocumentNode per distinct query text, so normalizing once per document suffices.
  const normalized = new WeakMap<DocumentNode, Map<string, { hash: string; document: string }>>();

  const flush = async () => {
    if (pending.size === 0) return;
    const entries = [...pending.values()];
    pending = new Map();
    try {
      await store.add(entries);
    } catch (error) {
      for (const entry of entries) mergeEntry(pending, entry);
      logger.warn({ err: error }, `usage record: cannot write to ${store.location}; counts kept for the next attempt`);
    }
  };
  const timer = setInterval(() => void flush(), config.flushIntervalMs);
  timer.unref();

  /** Counts an operation run (executed, or answered early from the cache). */
  const recordOperation = (args: ServedOperation) => {
    const name = args.operationName ?? getOperationAST(args.document, args.operationName)?.name?.value ?? 'anonymous';
    let byName = normalized.get(args.document);
    if (!byName) normalized.set(args.document, (byName = new Map()));
    let operation = byName.get(name);
    if (!operation) {
      const document = normalizeOperation(args.document, args.operationName ?? undefined);
      if (!document) return;
      operation = { document, hash: sha256(document) };
      byName.set(name, operation);
    }
    mergeEntry(pending, copyWith(operation, { name, count: 1, lastSeen: new Date().toISOString() }));
  };

  const plugin: Plugin = {
    onExecute({ args }) {
      recordOperation(args);
    },
    async onDispose() {
      clearInterval(timer);
      await flush();
      await store.close();
    },
  };
  return { plugin, recordOperation };
}

/**
 * The operation that runs and the fragments it uses, printed without ignored characters: the same
 * operation sent with other whitespace, comments or sibling operations hashes the same.
 */
export function normalizeOperation(document: DocumentNode, operationName?: string): string | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  const fragments = fragmentsByName(document);
  const used = fragmentsUsedBy(operation, fragments);
  const sortedFragments = used.sort((a, b) => a.name.value.localeCompare(b.name.value));
  return stripIgnoredCharacters(print({ kind: Kind.DOCUMENT, definitions: [operation, ...sortedFragments] }));
}
