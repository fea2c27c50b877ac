import type { GraphQLSchema } from 'graphql';
import type { Executor } from '@graphql-tools/utils';
import type { NamingMaps } from './naming';

/**
 * One source turned into GraphQL, before stitching: its schema with the loader's names, how those
 * names become public ones, and (for remote GraphQL services) the executor that reaches it.
 */
export interface Subgraph {
  name: string;
  kind: 'openapi' | 'graphql';
  /** Executable (REST: in-process resolvers that call the upstream) or remote (with `executor`). */
  schema: GraphQLSchema;
  executor?: Executor;
  naming: NamingMaps;
  /** Spec operations or schema coordinates that could not be loaded (already reported as warnings). */
  skipped: string[];
}
