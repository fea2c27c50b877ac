import pino, { type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import type { TesseraConfig } from '../config/schema';

export type { Logger };

/** pino: human-readable on a terminal, one JSON object per line otherwise (for log shippers). */
export function createLogger(options: TesseraConfig['logging'], stream: NodeJS.WritableStream = process.stdout): Logger {
  const pretty = options.pretty === 'always' || (options.pretty === 'auto' && 'isTTY' in stream && stream.isTTY === true);
  const base = { level: options.level, base: { service: 'tessera' } };
  return pretty ? pino(base, pinoPretty({ destination: stream, ignore: 'pid,hostname,service', translateTime: 'HH:MM:ss.l' })) : pino(base, stream);
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
