import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** A text file's contents, or undefined when there is no such file (any other failure throws). */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A certificate, key or CA file that cannot be read or used: the message names the file and the config key. */
export class TlsFileError extends Error {}

/** A PEM file the config names (server or upstream TLS), read now; `where` is the config key, for the error. */
export function readPemFile(file: string, where: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new TlsFileError(`${where}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
