import { ConfigError } from '../config/errors';
import { CompositionError } from '../compose/errors';
import { TrustedDocumentsError } from '../trusted-documents/manifest';
import { TlsFileError } from '../shared/files';

/** A start-up problem the user fixes from its message alone (no stack trace needed). */
export class StartupError extends Error {}

/**
 * Start-up failures a user can fix get their message (with the config file for composition
 * errors) and exit code 2; anything else keeps its stack.
 */
export function reportFatal(error: unknown, configFile?: string): never {
  if (error instanceof CompositionError) {
    console.error(`tessera: cannot compose the sources of ${configFile ?? 'the config'}: ${error.message}`);
  } else if (error instanceof ConfigError || error instanceof StartupError || error instanceof TrustedDocumentsError || error instanceof TlsFileError) {
    console.error(`tessera: ${error.message}`);
  } else {
    console.error('tessera: failed to start:', error instanceof Error ? (error.stack ?? error.message) : error);
  }
  process.exit(2);
}

/** SIGHUP recomposes the schema (re-reading the config file and specs); the gateway logs the outcome. */
export function reloadOnHangup(reload: (reason: string) => Promise<void>): void {
  process.on('SIGHUP', () => void reload('SIGHUP'));
}

/** Stops cleanly on SIGINT/SIGTERM: in-flight requests finish, then the process exits. */
export function closeOnSignals(close: () => Promise<void>): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) process.exit(1); // a second signal: stop waiting
    closing = true;
    console.error(`tessera: ${signal} received, shutting down`);
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
