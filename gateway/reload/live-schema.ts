import { isDeepStrictEqual } from 'node:util';
import type { GraphQLSchema } from 'graphql';
import { schemaVersion } from '../compose/print';
import { copyWith } from '../shared/copy-with';
import type { TesseraConfig } from '../config/schema';
import type { Logger } from '../observability/logger';
import type { SchemaStatus } from '../upstream/status';
import { changesNeedingRestart } from './restart-required';
import { diffSchemas } from './schema-diff';

export interface LiveSchemaOptions {
  /** Composes a config into a schema (the gateway's composeGateway, with its upstream pools). */
  compose(config: TesseraConfig): Promise<Composed>;
  /** The config to compose on a reload: the file read again when there is one, else the same one. */
  readConfig(): TesseraConfig;
  /** Told after each successful swap (e.g. to retire upstream pools no source uses any more). */
  onSwap?(config: TesseraConfig): void;
  logger: Logger;
}

export interface Composed {
  schema: GraphQLSchema;
  degraded: NonNullable<SchemaStatus['degradedSources']>;
}

export interface LiveSchema {
  /** The schema new requests get; requests already running keep the one they started with. */
  current(): GraphQLSchema;
  config(): TesseraConfig;
  status(): SchemaStatus;
  /** The sources the current schema was composed without (or from their last known good spec). */
  degradedSources(): NonNullable<SchemaStatus['degradedSources']>;
  /** Recomposes and swaps; on failure the last good schema stays and the reason is kept. */
  reload(reason: string): Promise<void>;
  /** No more reloads; settles when the one running (if any) is done, so closing can follow. */
  settle(): Promise<void>;
}

/**
 * The schema behind an atomic reference: a reload composes the whole new schema aside, then swaps
 * the reference in one assignment, so no request ever sees half of it. Reloads never overlap: one
 * asked for while another runs is done once, after it.
 */
export function createLiveSchema(initial: Composed & { config: TesseraConfig }, options: LiveSchemaOptions): LiveSchema {
  const started = initial.config;
  let config = started;
  let schema = initial.schema;
  let status = statusOf(initial);
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let settled = false;

  const reloadNow = async (reason: string) => {
    if (settled) return;
    try {
      const nextConfig = options.readConfig();
      const next = await options.compose(nextConfig);
      const change = diffSchemas(schema, next.schema);
      [schema, config] = [next.schema, nextConfig];
      const waiting = changesNeedingRestart(started, nextConfig);
      if (waiting.length > 0 && !isDeepStrictEqual(waiting, status.restartRequired ?? [])) {
        options.logger.warn({ reason, restartRequired: waiting }, `config changes not applied until a restart: ${waiting.join(', ')}`);
      }
      status = { ...statusOf(next), ...(waiting.length ? { restartRequired: waiting } : {}) };
      options.onSwap?.(nextConfig);
      // Retries of a source that is still down recompose the same schema: not worth an info line each time.
      const level = change.added.length || change.removed.length ? 'info' : 'debug';
      options.logger[level]({ reason, version: schemaVersion(schema), added: change.added, removed: change.removed }, describeChange(reason, change));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      status = { ...status, lastReloadError: message };
      options.logger.error({ reason, err: error }, `schema reload (${reason}) failed, still serving schema ${schemaVersion(schema)}: ${message}`);
    }
  };

  const reload = (reason: string): Promise<void> => {
    if (settled) return Promise.resolve();
    if (!running) {
      running = reloadNow(reason).finally(() => (running = undefined));
      return running;
    }
    // One more reload after the current one covers every change made meanwhile.
    queued ??= running.then(() => {
      queued = undefined;
      return reload(reason);
    });
    return queued;
  };

  const settle = async () => {
    settled = true;
    await queued;
    await running;
  };

  // The version is the printed schema's hash, a quarter of a second for a 12 MiB spec: made when
  // first asked for (a status probe, a cached response), not on the way to serving.
  const currentStatus = (): SchemaStatus => copyWith(status, { version: schemaVersion(schema) });
  return { current: () => schema, config: () => config, status: currentStatus, degradedSources: () => status.degradedSources ?? [], reload, settle };
}

function statusOf({ degraded }: Composed): Omit<SchemaStatus, 'version'> {
  return { loadedAt: new Date(), ...(degraded.length ? { degradedSources: degraded } : {}) };
}

function describeChange(reason: string, { added, removed }: { added: string[]; removed: string[] }): string {
  if (added.length === 0 && removed.length === 0) return `schema reloaded (${reason}): no type or field changed`;
  const list = (names: string[]) => (names.length > 20 ? `${names.slice(0, 20).join(', ')} and ${names.length - 20} more` : names.join(', '));
  return `schema reloaded (${reason}): ${[added.length ? `added ${list(added)}` : '', removed.length ? `removed ${list(removed)}` : ''].filter(Boolean).join('; ')}`;
}
