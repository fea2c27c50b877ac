import type { ExecutionArgs } from 'graphql';

/**
 * What the request log and the usage record read of an operation: the execute arguments an
 * `onExecute` hook gets, or the same for an operation the cache answered before execution
 * (cache/early-hits.ts).
 */
export type ServedOperation = Pick<ExecutionArgs, 'schema' | 'document' | 'operationName' | 'contextValue'>;
