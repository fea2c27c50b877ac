import { GraphQLError } from 'graphql';
import { maskError, type YogaServerOptions } from 'graphql-yoga';
import type { Logger } from '../observability/logger';

type MaskedErrors = YogaServerOptions<object, object>['maskedErrors'];

/**
 * yoga's masking (errors that are not GraphQL errors become "Unexpected error."), plus what an
 * operator needs to find the cause: the original error and its stack are logged once, and the
 * masked error carries a code; the request id is added to it by the request log plugin.
 */
export function maskUnexpectedErrors(enabled: boolean, logger: Logger): MaskedErrors {
  if (!enabled) return false;
  return {
    maskError(error, message, isDev) {
      const masked = maskError(error, message, isDev);
      if (masked === error) return masked;
      const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
      logger.error({ err: original }, 'unexpected error (answered as "Unexpected error.")');
      return new GraphQLError(masked.message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    },
  };
}
