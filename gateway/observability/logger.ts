import pino, { type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import type { TesseraConfig } from '../config/schema';

export type { Logger };

/** pino: human-readable on a terminal, one JSON object per line otherwise (for log shippers); stdout unless `stream` is given. */
export function createLogger(options: TesseraConfig['logging'], stream?: NodeJS.WritableStream): Logger {
  const destination = stream ?? process.stdout;
  const pretty = options.pretty === 'always' || (options.pretty === 'auto' && 'isTTY' in destination && destination.isTTY === true);
  const base = { level: options.level, base: { service: 'tessera' } };
  if (pretty) return pino(base, pinoPretty({ destination, ignore: 'pid,hostname,service', translateTime: 'HH:MM:ss.l' }));
  return pino(base, stream ?? stdoutLines());
}

/**
 * stdout through pino's own SonicBoom, written asynchronously. Node writes to a file or a pipe on
 * stdout synchronously, one system call per line: ~8% of a cached hit's CPU on the bench's Q4.
 * Lines logged while a write is in flight go out together with the next one, in writes of whole
 * lines of at most PIPE_BUF (4096) bytes, so the workers of `serve --workers N` sharing one pipe
 * never interleave inside a line (as one line per write did). pino writes out what is left when
 * the process exits.
 */
function stdoutLines() {
  return pino.destination({ dest: 1, sync: false, maxWrite: 4096 });
}

/** yoga logs through pino: errors keep their stack (`err`), other values stay structured. */
export function toYogaLogger(logger: Logger) {
  const log =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const err = args.find((a): a is Error => a instanceof Error);
      const text = args.filter((a) => !(a instanceof Error)).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      if (err) logger[level]({ err }, text || err.message);
      else logger[level](text);
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** One warning per kind of failure per 10 s: a Redis outage must not flood the log (cache, rate limits). */
export function throttledWarning(logger: Logger) {
  const last = new Map<string, number>();
  return (kind: string, message: string) => {
    const now = Date.now();
    if (now - (last.get(kind) ?? 0) < 10_000) return;
    last.set(kind, now);
    logger.warn(message);
  };
}
