import { GraphQLError } from 'graphql';
import { maskError, type YogaServerOptions } from 'graphql-yoga';

type MaskedErrors = YogaServerOptions<object, object>['maskedErrors'];

/**
 * yoga's masking (errors that are not GraphQL errors become "Unexpected error."; yoga logs the
 * original with its stack), plus a code on the masked error, by which the request log plugin
 * adds the request id that finds the logged cause.
 */
export function maskUnexpectedErrors(enabled: boolean): MaskedErrors {
  if (!enabled) return false;
  return {
    maskError(error, message, isDev) {
      const masked = maskError(error, message, isDev);
      if (masked === error) return masked;
      return new GraphQLError(masked.message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    },
  };
}
