import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import type { Executor } from '@graphql-tools/utils';
import type { NamingMaps } from './naming';

/** Calls one root field with a batch of keys; `keyOf` reads an item's key field from what it returns. */
export interface BatchCaller {
  call(args: Record<string, unknown>, context: unknown, info: GraphQLResolveInfo): Promise<unknown>;
  keyOf(item: unknown): unknown;
}

/**
 * One source turned into GraphQL, before stitching: its schema with the loader's names, how those
 * names become public ones, and (for remote GraphQL services) the executor that reaches it.
 */
export interface Subgraph {
  name: string;
  /** Set when the source was built from its last known good spec or SDL (it could not be read): why. */
  stale?: string;
  /** Executable (REST: in-process resolvers that call the upstream) or remote (with `executor`). */
  schema: GraphQLSchema;
  executor?: Executor;
  naming: NamingMaps;
  /** A schema that runs in-process, to which hidden batch fields can be added. */
  localSchema(): GraphQLSchema;
  /** How a batched link calls `rawField` for many keys, matching results on `matchField`. */
  batchCaller(rawField: string, matchField: string): BatchCaller;
}
