import { ConfigError } from '../config/errors';
import { CompositionError } from '../compose/errors';

/** Start-up failures a user can fix get their own message and exit code 2; others keep their stack. */
export function reportFatal(error: unknown): never {
  if (error instanceof ConfigError || error instanceof CompositionError) {
    console.error(`tessera: ${error.message}`);
  } else {
    console.error('tessera: failed to start:', error instanceof Error ? (error.stack ?? error.message) : error);
  }
  process.exit(2);
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
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
