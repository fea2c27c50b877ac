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
