import type { Registry } from 'prom-client';
import type { UsageSnapshot, UsageStats } from './usage';

/** What /metrics and /_tessera/usage publish: this process's figures, or a whole cluster's. */
export interface Figures {
  metrics(): Promise<string>;
  usage(): Promise<UsageSnapshot>;
}

/** Builds the published figures from this process's own registry and usage statistics. */
export type FiguresSource = (local: { registry: Registry; usage: UsageStats }) => Figures;

/** One process serves: its own figures are the whole story. */
export const localFigures: FiguresSource = ({ registry, usage }) => ({
  metrics: () => registry.metrics(),
  usage: async () => usage.snapshot(),
});
