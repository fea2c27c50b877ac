import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { TesseraConfig } from '../config/schema';

/** Header a browser client sets on GET (and form) requests when CSRF prevention is on. */
export const CSRF_HEADER = 'x-graphql-csrf';

/**
 * What the production profile closes: introspection, "Did you mean…" suggestions (both map the
 * schema for an attacker) and simple cross-site requests (a GET or a form POST without a custom
 * header, which a browser sends without a CORS preflight). Each is its own maintained plugin.
 */
export function useHardening(server: TesseraConfig['server'], { isAdmin }: { isAdmin: (request: Request) => Promise<boolean> }): Plugin {
  // "admins": the schema map stays closed to everyone else, while operators with an admin token
  // can still explore the graph in GraphiQL (which introspects first).
  const isDisabled = server.introspection === 'admins' ? async (request: Request) => !(await isAdmin(request)) : undefined;
  return {
    onPluginInit({ addPlugin }) {
      // Its context type is a plain record where yoga's is a YogaInitialContext: same object at run time.
      if (server.introspection !== true) addPlugin(useDisableIntrospection({ isDisabled }) as Plugin);
      if (!server.fieldSuggestions) addPlugin(blockFieldSuggestionsPlugin());
      // The plugin already lets non-simple requests (JSON POST) through: they get a CORS preflight.
      if (server.csrfPrevention) addPlugin(withCsrfHint(useCSRFPrevention({ requestHeaders: [CSRF_HEADER] })));
    },
  };
}

/**
 * yoga's CSRF plugin decides; its refusal ('Required CSRF header(s) not present', no code) is told
 * again with a code and what to send, so a frontend developer meeting it knows the fix.
 */
function withCsrfHint(csrf: Plugin): Plugin {
  return {
    onRequestParse(payload) {
      try {
        return csrf.onRequestParse?.(payload);
      } catch {
        throw new GraphQLError(`A GET or form request needs the header "${CSRF_HEADER}: 1" (CSRF prevention); a JSON POST needs none`, {
          extensions: { code: 'CSRF_HEADER_MISSING', http: { status: 403 } },
        });
      }
    },
  };
}
