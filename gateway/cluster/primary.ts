import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from '../observability/logger';
import type { UsageState } from '../observability/usage';
import { isClusterMessage, type ClusterMessage } from './messages';

export interface PrimaryOptions {
  workers: number;
  logger: Logger;
  /** Pause before a crashed worker is replaced (a worker that crashes at start must not spin). */
  restartDelayMs?: number;
  /** How long the primary waits for each worker's figures. */
  figuresTimeoutMs?: number;
}

/**
 * The primary of `tessera serve --workers N` (node:cluster): forks the workers, which share the
 * listening port, replaces any that crash, and answers a worker's request for the whole cluster's
 * figures: prom-client's AggregatorRegistry merges the metrics, and the usage states of all
 * workers are gathered for the asking worker to merge.
 */
export function runPrimary({ workers, logger, restartDelayMs = 1_000, figuresTimeoutMs = 5_000 }: PrimaryOptions): void {
  cluster.setupPrimary({ serialization: 'advanced' }); // usage states hold Maps
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let nextId = 0;
  const pendingStates = new Map<number, { states: UsageState[]; expected: number; resolve: (states: UsageState[]) => void }>();

  const fork = () => {
    const worker = cluster.fork();
    worker.once('online', () => logger.info({ worker: worker.id, pid: worker.process.pid }, 'worker started'));
  };
  const usageStates = () =>
    new Promise<UsageState[]>((resolve) => {
      const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected());
      const id = nextId++;
      // A worker that does not answer in time is left out rather than holding the page up.
      const timer = setTimeout(() => finish(), figuresTimeoutMs);
      const finish = () => {
        clearTimeout(timer);
        const pending = pendingStates.get(id);
        pendingStates.delete(id);
        resolve(pending?.states ?? []);
      };
      pendingStates.set(id, { states: [], expected: live.length, resolve: finish });
      for (const worker of live) send(worker, { type: 'tessera:usage-state', id });
    });

  cluster.on('message', (worker, message: unknown) => {
    if (!isClusterMessage(message)) return;
    if (message.type === 'tessera:usage-state-reply') {
      const pending = pendingStates.get(message.id);
      if (!pending) return;
      pending.states.push(message.state);
      if (pending.states.length >= pending.expected) pending.resolve(pending.states);
    } else if (message.type === 'tessera:figures') {
      const { id } = message;
      const answer =
        message.what === 'metrics'
          ? aggregator.clusterMetrics().then((metrics) => ({ metrics }))
          : usageStates().then((usage) => ({ usage }));
      answer.then(
        (figures) => send(worker, { type: 'tessera:figures-reply', id, ...figures }),
        (error: unknown) => send(worker, { type: 'tessera:figures-reply', id, error: (error as Error).message }),
      );
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.error({ worker: worker.id, pid: worker.process.pid, code, signal }, `worker exited (${signal ?? `code ${code}`}); starting a new one`);
    setTimeout(fork, restartDelayMs).unref();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1); // a second signal: stop waiting
    stopping = true;
    logger.info(`${signal} received, stopping ${Object.keys(cluster.workers ?? {}).length} workers`);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  // A reload is each worker's to do (each serves its own schema); the primary only passes it on.
  process.on('SIGHUP', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGHUP');
  });
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  logger.info(
    { workers },
    `Tessera primary: ${workers} workers sharing one port; /metrics and /_tessera/usage add up all workers; ` +
      'in-memory state (response cache, rate limits) is per worker unless a shared store is configured',
  );
  for (let i = 0; i < workers; i++) fork();
}

function send(worker: Worker, message: ClusterMessage) {
  if (worker.isConnected()) worker.send(message);
}
