import { loadConfig } from '../config/load';
import type { TesseraConfig } from '../config/schema';
import type { Logger } from '../observability/logger';
import { createLiveSchema, type Composed, type LiveSchema } from './live-schema';
import { watchSources, type WatchOptions } from './watch';

export interface LiveReloadOptions {
  compose(config: TesseraConfig): Promise<Composed>;
  /** The file the config came from: watched, and read again on each reload. */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /** Told after each successful swap, with the config now served. */
  onSwap?(config: TesseraConfig): void;
  onPoll?: WatchOptions['onPoll'];
}

export interface LiveReload extends LiveSchema {
  stop(): void;
}

/** The served schema, reloaded when its files change, its URL specs change, or a missing source comes up. */
export function startLiveReload(initial: Composed & { config: TesseraConfig }, options: LiveReloadOptions): LiveReload {
  const { configFile, env } = options;
  const live = createLiveSchema(initial, {
    compose: options.compose,
    readConfig: () => (configFile ? loadConfig(configFile, { env }).config : live.config()),
    onSwap: (config) => {
      options.onSwap?.(config);
      watcher.sync();
    },
    logger: options.logger,
  });
  const watcher = watchSources({
    config: live.config,
    configFile,
    reload: live.reload,
    degraded: () => live.degradedSources().map((degraded) => degraded.source),
    onPoll: options.onPoll,
  });
  return { ...live, stop: watcher.stop };
}
