import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceConfig } from '../config/schema';
import type { WarningSink } from './warnings';

/** What a source was built from: read just now, or the copy kept from an earlier good read. */
export interface LoadedText {
  text: string;
  /** Set when the copy on disk stood in for an unreachable source: why. */
  stale?: string;
}

/**
 * Reads a source's spec or SDL and, for sources with `whenDown: last-known-good`, keeps the last
 * text that `use` accepted in `dir`, to stand in when the source cannot be read (a gateway that
 * restarts while a service is down still serves that service's fields, failing only at call time).
 */
export async function withLastKnownGood<T>(
  source: SourceConfig,
  dir: string,
  kind: 'spec' | 'sdl',
  read: () => Promise<string>,
  use: (text: string) => T | Promise<T>,
  warn: WarningSink,
): Promise<{ value: T; stale?: string }> {
  if (source.resilience.whenDown !== 'last-known-good') return { value: await use(await read()) };
  const file = join(dir, `${source.name}.${kind}`);
  let value: T;
  let text: string;
  try {
    text = await read();
    value = await use(text);
  } catch (error) {
    const cached = await readFile(file, 'utf8').catch(() => undefined);
    if (cached === undefined) throw error;
    const reason = (error as Error).message;
    warn({ source: source.name, pointer: '#', message: `using the last known good ${kind} from ${file}: ${reason}` });
    return { value: await use(cached), stale: reason };
  }
  // Written aside and renamed, so a crash mid-write never leaves half a spec behind.
  await mkdir(dir, { recursive: true });
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
  return { value };
}
