import { defaultExtractPersistedOperationId, usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError } from 'graphql';
import type { GraphQLParams, OnParamsEventPayload, Plugin } from 'graphql-yoga';
import { callerHasRole } from '../auth/admin';
import type { Authenticator } from '../auth/authenticate';
import { AuthenticationError } from '../auth/errors';
import { requestedDocumentId } from './requested-document-id';
import type { DocumentSet } from './trusted-documents';

export interface TrustedDocumentsPluginOptions {
  /** The trusted documents (and settings) of the schema new requests get: they change on reload. */
  documents(): DocumentSet;
  /** Who sent a request, for the admin exception of `only`. */
  authenticate: Authenticator;
  /** auth.adminRole. */
  adminRole: string;
}

const HOW_TO_ADD = 'add it to a manifest in trustedDocuments.manifests (`tessera documents manifest <dir>` writes one from .graphql files)';

/**
 * Operations by id, in both conventions: Apollo's `extensions.persistedQuery.sha256Hash` and the
 * GraphQL-over-HTTP trusted documents' `documentId` (body, or query string on GET). The lookup and
 * the refusal of other documents are @graphql-yoga/plugin-persisted-operations'; this adds where
 * the id is found, the admin exception of `only`, and errors that say what to do.
 *
 * The plugin decides in onParams, before useAuthentication has built the context, so the admin
 * exception authenticates the request itself (only for a query sent under `only`, which is rare).
 * A query sent with an APQ hash is never stored (no registration on the fly): under `only` it is
 * refused like any other query; otherwise it runs as sent.
 */
export function useTrustedDocuments({ documents, authenticate, adminRole }: TrustedDocumentsPluginOptions): Plugin {
  const isAdmin = async (request: Request) => {
    try {
      return await callerHasRole(authenticate, request, adminRole);
    } catch (error) {
      // A bad token is a 401 saying so, not a refusal that hides why the admin was not recognised.
      if (error instanceof AuthenticationError) throw error.toGraphQLError();
      throw error;
    }
  };
  const persisted = usePersistedOperations({
    getPersistedOperation: (id) => documents().get(id) ?? null,
    allowArbitraryOperations: (request) => {
      const { only, allowAdmins } = documents().settings;
      if (!only) return true;
      return allowAdmins ? isAdmin(request) : false;
    },
    extractPersistedOperationId: requestedDocumentId,
    customErrors: { notFound, persistedQueryOnly, keyNotFound: () => keyNotFound(documents().settings.only) },
  });
  return {
    ...persisted,
    onParams(payload) {
      const { params } = payload;
      // A query wins over a documentId sent with it (as over an APQ hash); yoga would refuse the unknown parameter.
      if (params.query && 'documentId' in params) {
        const { documentId: _ignored, ...rest } = params as GraphQLParams & { documentId?: unknown };
        payload.setParams(rest);
        return persisted.onParams?.({ ...payload, params: rest });
      }
      return persisted.onParams?.(payload);
    },
  };
}

/**
 * The message is exactly "PersistedQueryNotFound" and the code PERSISTED_QUERY_NOT_FOUND: Apollo
 * Client and urql recognise a miss by them and retry with the query (and the status is 404, as
 * Apollo's router answers); the explanation goes in `reason`.
 */
function notFound(payload: OnParamsEventPayload): GraphQLError {
  return new GraphQLError('PersistedQueryNotFound', {
    extensions: {
      code: 'PERSISTED_QUERY_NOT_FOUND',
      documentId: requestedDocumentId(payload.params, payload.request),
      reason: `no trusted document has this id; ${HOW_TO_ADD}`,
      http: { status: 404 },
    },
  });
}

function persistedQueryOnly(payload: OnParamsEventPayload): GraphQLError {
  const registering = defaultExtractPersistedOperationId(payload.params, payload.request, {}) !== null;
  return new GraphQLError(
    `${registering ? 'Registering a persisted query is not accepted' : 'This query is not accepted'}: only trusted documents are served here. Send the id of a trusted document (documentId, or extensions.persistedQuery.sha256Hash); to add a document, ${HOW_TO_ADD}.`,
    { extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 403 } } },
  );
}

function keyNotFound(only: boolean): GraphQLError {
  const what = only ? 'a documentId or extensions.persistedQuery.sha256Hash' : 'a query, a documentId or extensions.persistedQuery.sha256Hash';
  return new GraphQLError(`Must provide ${what}.`, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
}
