import { Kind } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * graphql-js reports variables that do not fit their declared type (`Variable "$limit" got invalid
 * value "abc"; Int cannot represent non-integer value`) without a code, so clients had nothing to
 * branch on and the request metrics counted them as UNKNOWN. They are the caller's input errors:
 * BAD_USER_INPUT, as the gateway's own argument checks and Apollo Server name them.
 */
export function useVariableErrorCodes(): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ result }) {
          if (!('errors' in result) || !result.errors) return;
          for (const error of result.errors) {
            if (error.extensions?.code === undefined && error.nodes?.[0]?.kind === Kind.VARIABLE_DEFINITION) {
              (error.extensions as Record<string, unknown>).code = 'BAD_USER_INPUT';
            }
          }
        },
      };
    },
  };
}
