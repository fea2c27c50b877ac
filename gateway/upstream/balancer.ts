import type { SourceResilience } from '../config/schema';
import type { UpstreamInstance } from './instance';

/** Chooses one of the candidate instances (never called with an empty list). */
export type Balancer = (candidates: readonly UpstreamInstance[]) => UpstreamInstance;

export function createBalancer(kind: SourceResilience['balancing']): Balancer {
  let turn = 0;
  const roundRobin: Balancer = (candidates) => candidates[turn++ % candidates.length];
  if (kind === 'round-robin') return roundRobin;
  // Fewest calls in flight; ties go round-robin so equal instances share the load.
  return (candidates) => {
    const fewest = Math.min(...candidates.map((instance) => instance.inFlight));
    return roundRobin(candidates.filter((instance) => instance.inFlight === fewest));
  };
}
