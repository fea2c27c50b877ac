import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { TesseraConfig } from '../config/schema';
import { fetchWithSourceTls } from '../upstream/tls';
import { sha256 } from '../shared/hash';

export interface WatchOptions {
  /** The config now served (spec paths may change with it). */
  config(): TesseraConfig;
  /** The config file, watched too when the gateway was started from one. */
  configFile?: string;
  reload(reason: string): Promise<void>;
  /** Sources that could not be read at the last composition: retried at each poll. */
  degraded(): string[];
  onPoll?(source: string, result: 'unchanged' | 'changed' | 'failed'): void;
}

export interface Watcher {
  /** Watches the files of the config now served (call after each reload). */
  sync(): void;
  stop(): void;
}

const URL_PATTERN = /^https?:\/\//;

/**
 * Reloads when a spec or SDL file, a trusted documents manifest, a source's TLS file, the rate-limit
 * directives file or the config file changes, polls
 * specs given as URLs, and retries the sources that could not be read (so a source down at start-up
 * is added when it is up).
 * Files are watched by stat polling (fs.watchFile) rather than fs.watch: editors save by writing a
 * new file and renaming it over the old one, which ends an fs.watch on the old inode.
 */
export function watchSources(options: WatchOptions): Watcher {
  const { watch, pollIntervalMs } = options.config().resilience.reload;
  const watched = new Map<string, (current: Stats, previous: Stats) => void>();
  let pending: NodeJS.Timeout | undefined;
  const changed = new Set<string>();
  // Saves often come as several writes: changes within 100 ms make one reload.
  const schedule = (file: string) => {
    changed.add(file);
    clearTimeout(pending);
    pending = setTimeout(() => {
      const files = [...changed];
      changed.clear();
      void options.reload(`${files.join(', ')} changed`);
    }, 100);
    pending.unref();
  };

  const sync = () => {
    if (!watch) return;
    const config = options.config();
    const files = new Set<string>(options.configFile ? [options.configFile] : []);
    for (const source of config.sources) {
      const file = source.kind === 'graphql' ? source.sdl : source.spec;
      if (file && !URL_PATTERN.test(file)) files.add(file);
    }
    // A manifest folder's stat changes when a file is added or removed in it (not when one is edited).
    for (const manifest of config.trustedDocuments.manifests) files.add(manifest);
    // A renewed upstream client certificate or CA gets its source a new pool (see tlsFilesVersion).
    for (const source of config.sources) for (const file of [source.tls?.ca, source.tls?.cert, source.tls?.key]) if (file) files.add(file);
    if (config.rateLimits.directivesFile) files.add(config.rateLimits.directivesFile);
    for (const [file, listener] of watched) {
      if (!files.has(file)) {
        unwatchFile(file, listener);
        watched.delete(file);
      }
    }
    for (const file of files) {
      if (watched.has(file)) continue;
      // Compared with the last stat seen here, not with the `previous` fs.watchFile passes: after a
      // file comes back (moved away, then back with its old mtime), that is the stat from before it
      // went missing, so the return would look like no change and the failed reload would stand.
      let seen: Stats | undefined;
      const listener = (current: Stats, previous: Stats) => {
        const before = seen ?? previous;
        seen = current;
        if (current.mtimeMs !== before.mtimeMs || current.size !== before.size || current.ino !== before.ino) schedule(file);
      };
      watchFile(file, { interval: 250, persistent: false }, listener);
      watched.set(file, listener);
    }
  };

  const digests = new Map<string, string>();
  const poll = async () => {
    const degraded = options.degraded();
    if (degraded.length) await options.reload(`retrying ${degraded.join(', ')}`);
    for (const source of options.config().sources) {
      if (source.kind !== 'openapi' || !URL_PATTERN.test(source.spec)) continue;
      try {
        const response = await fetchWithSourceTls(source.spec, { signal: AbortSignal.timeout(15_000) }, source.tls, source.name);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const digest = sha256(await response.text());
        const before = digests.get(source.spec);
        digests.set(source.spec, digest);
        const result = before !== undefined && before !== digest ? 'changed' : 'unchanged';
        options.onPoll?.(source.name, result);
        if (result === 'changed') await options.reload(`spec of ${source.name} changed at ${source.spec}`);
      } catch {
        options.onPoll?.(source.name, 'failed');
      }
    }
  };
  let polling: Promise<void> | undefined;
  // A slow round (a spec server that hangs) is not stacked on: the next tick waits for it.
  const pollOnce = () => void (polling ??= poll().finally(() => (polling = undefined)));
  const poller = pollIntervalMs > 0 ? setInterval(pollOnce, pollIntervalMs) : undefined;
  poller?.unref();
  if (poller) pollOnce(); // the first poll records what was composed

  sync();
  return {
    sync,
    stop() {
      clearTimeout(pending);
      clearInterval(poller);
      for (const [file, listener] of watched) unwatchFile(file, listener);
      watched.clear();
    },
  };
}
