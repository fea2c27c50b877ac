import { StartupError } from './report';

/** A TCP port number, or undefined when `value` is not one. */
export function parsePort(value: string): number | undefined {
  const parsed = Number(value);
  return value.trim() !== '' && Number.isInteger(parsed) && parsed >= 0 && parsed <= 65535 ? parsed : undefined;
}

/** --port, else $PORT, else the fallback; a PORT that is not a port number is a start-up error. */
export function choosePort(option: number | undefined, env: NodeJS.ProcessEnv, fallback: number): number {
  if (option !== undefined) return option;
  if (env.PORT === undefined || env.PORT === '') return fallback;
  const fromEnv = parsePort(env.PORT);
  if (fromEnv === undefined) throw new StartupError(`PORT must be a port number (0-65535), found ${JSON.stringify(env.PORT)}`);
  return fromEnv;
}
