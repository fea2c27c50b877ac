import { defaultExtractPersistedOperationId } from '@graphql-yoga/plugin-persisted-operations';
import type { GraphQLParams } from 'graphql-yoga';

/**
 * The id a request asks for: Apollo's `extensions.persistedQuery.sha256Hash`, or the trusted
 * documents convention's `documentId` (in the JSON body, or the query string of a GET); else null.
 */
export function requestedDocumentId(params: GraphQLParams, request: Request): string | null {
  const apq = defaultExtractPersistedOperationId(params, request, {});
  if (apq !== null) return apq;
  const fromBody = (params as { documentId?: unknown }).documentId;
  const id = fromBody ?? (request.method === 'GET' ? new URL(request.url).searchParams.get('documentId') : null);
  return typeof id === 'string' && id !== '' ? id : null;
}
