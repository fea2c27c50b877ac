import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The GET parameters that carry JSON (the GraphQL-over-HTTP spec's `variables` and `extensions`). */
const JSON_PARAMETERS = ['variables', 'extensions'] as const;

/**
 * A GET request whose `variables` or `extensions` parameter is not JSON answers 400 BAD_REQUEST,
 * naming the parameter, as a POST whose body is not JSON does. yoga parses these parameters with an
 * unguarded JSON.parse: the SyntaxError reached the client as a masked INTERNAL_SERVER_ERROR and the
 * log as two stack traces without the request's id, so any client could fill the error log.
 */
export function useQueryStringJson(): Plugin {
  return {
    onRequestParse({ request, url }) {
      if (request.method !== 'GET') return;
      for (const name of JSON_PARAMETERS) {
        const text = url.searchParams.get(name);
        if (text === null || text === '') continue;
        try {
          JSON.parse(text);
        } catch (error) {
          throw new GraphQLError(`GET parameter "${name}" is not valid JSON (${(error as Error).message}); send it URL-encoded, e.g. ${name}=%7B%22id%22%3A%221%22%7D`, {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
      }
    },
  };
}
