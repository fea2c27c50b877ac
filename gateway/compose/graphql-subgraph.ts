import type { GraphqlSourceConfig } from '../config/schema';
import type { UpstreamObserver } from '../upstream/fetch';
import type { Subgraph } from './subgraph';
import type { CompositionWarning } from './warnings';

export async function buildGraphqlSubgraph(
  source: GraphqlSourceConfig,
  _observe: UpstreamObserver,
  _warn: (w: CompositionWarning) => void,
): Promise<Subgraph> {
  throw new Error(`source "${source.name}": GraphQL sources are not wired yet`);
}
