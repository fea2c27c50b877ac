import { parse, validate, type GraphQLSchema } from 'graphql';
import type { TrustedDocumentsConfig } from '../config/schema';
import type { Logger } from '../observability/logger';
import { canonicalId, loadTrustedDocuments, type TrustedDocument } from './manifest';

/** The trusted documents of one composition and the rules they are served by. */
export interface DocumentSet {
  settings: TrustedDocumentsConfig;
  /** The document text of an id (either convention), or undefined. */
  get(id: string): string | undefined;
}

/** A trusted document that does not validate against the schema it would run on. */
export interface BrokenDocument {
  document: TrustedDocument;
  errors: string[];
}

/**
 * Trusted documents per composition: each composition (at start and on every reload) reads the
 * manifests of its own config again, so a reload brings new documents with the schema they were
 * checked against, and a manifest that fails to load fails that reload like a broken spec would.
 */
export function createTrustedDocuments(initial: TrustedDocumentsConfig, logger: Logger) {
  const bySchema = new WeakMap<GraphQLSchema, DocumentSet>();
  let latest: DocumentSet = documentSet(initial, []);
  let announced = '';
  let warned = new Set<string>();
  return {
    /** Reads the manifests of a composition's config (before composing: a broken manifest fails fast). */
    async load(settings: TrustedDocumentsConfig): Promise<LoadedDocuments> {
      return { settings, documents: await loadTrustedDocuments(settings.manifests) };
    },
    /**
     * Serves loaded documents with a composed schema, after checking each against it. A document
     * that no longer validates is logged, not refused: the clients that send it get the validation
     * error either way, and `tessera check` (which reads the same manifests) fails on it.
     */
    register(schema: GraphQLSchema, { settings, documents }: LoadedDocuments): void {
      const broken = brokenDocuments(documents, schema).map(({ document, errors }) => ({
        document,
        errors,
        message: `trusted document ${document.source} does not validate against the schema: ${errors.join('; ')}`,
      }));
      // Like the summary below: told when it is new, not again on every poll of a source that stays down.
      for (const { document, errors, message } of broken) {
        if (!warned.has(message)) logger.warn({ documentId: document.id, source: document.source, errors }, message);
      }
      warned = new Set(broken.map(({ message }) => message));
      const summary = `trusted documents: ${documents.length}, only trusted documents accepted: ${settings.only ? 'yes' : 'no'}`;
      // Said at start and when it changes, not on every reload (a source that stays down recomposes every poll).
      if (settings.manifests.length > 0 && summary !== announced) logger.info({ trustedDocuments: documents.length, only: settings.only }, summary);
      announced = summary;
      const set = documentSet(settings, documents);
      bySchema.set(schema, set);
      latest = set;
    },
    /** A schema it does not know (a plugin's wrapper of one) gets the newest composition's set. */
    documentsFor: (schema: GraphQLSchema): DocumentSet => bySchema.get(schema) ?? latest,
  };
}

export interface LoadedDocuments {
  settings: TrustedDocumentsConfig;
  documents: TrustedDocument[];
}

function documentSet(settings: TrustedDocumentsConfig, documents: TrustedDocument[]): DocumentSet {
  const byId = new Map(documents.map((document) => [document.id, document.body]));
  return { settings, get: (id) => byId.get(canonicalId(id)) };
}

/** The documents that do not validate against `schema`, with the reasons. */
export function brokenDocuments(documents: TrustedDocument[], schema: GraphQLSchema): BrokenDocument[] {
  return documents.flatMap((document) => {
    const errors = validate(schema, parse(document.body)).map((error) => error.message);
    return errors.length ? [{ document, errors }] : [];
  });
}
