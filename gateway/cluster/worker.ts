import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Gateway } from '../gateway';
import type { FiguresSource } from '../observability/figures';
import { isClusterMessage, type ClusterMessage } from './messages';

/** In a cluster worker: figures of the whole cluster, asked of the primary. Outside one: undefined. */
export function clusterFigures(timeoutMs = 10_000): FiguresSource | undefined {
  if (!cluster.isWorker) return undefined;
  let nextId = 0;
  const waiting = new Map<number, (reply: Extract<ClusterMessage, { type: 'tessera:figures-reply' }>) => void>();
  process.on('message', (message: unknown) => {
    if (isClusterMessage(message) && message.type === 'tessera:figures-reply') waiting.get(message.id)?.(message);
  });
  const ask = (what: 'metrics' | 'usage') =>
    new Promise<Extract<ClusterMessage, { type: 'tessera:figures-reply' }>>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`the cluster primary did not send the ${what} figures within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, (reply) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (reply.error) reject(new Error(reply.error));
        else resolve(reply);
      });
      process.send!({ type: 'tessera:figures', id, what } satisfies ClusterMessage);
    });
  return ({ usage }) => ({
    metrics: async () => (await ask('metrics')).metrics ?? '',
    // This worker's own state comes back among all workers' states.
    usage: async () => usage.snapshot((await ask('usage')).usage ?? []),
  });
}

/** In a cluster worker: answers the primary's requests for this worker's metrics and usage state. */
export function answerClusterRequests(gateway: Gateway): void {
  if (!cluster.isWorker) return;
  new AggregatorRegistry(); // registers prom-client's worker-side listener (idempotent)
  AggregatorRegistry.setRegistries([gateway.metrics.registry]);
  process.on('message', (message: unknown) => {
    if (isClusterMessage(message) && message.type === 'tessera:usage-state') {
      process.send!({ type: 'tessera:usage-state-reply', id: message.id, state: gateway.usage.state() } satisfies ClusterMessage);
    }
  });
}
