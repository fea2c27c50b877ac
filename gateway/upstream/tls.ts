import { statSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import type { UpstreamTlsConfig } from '../config/schema';
import { readPemFile } from '../shared/files';

/**
 * The connect options of a source's `tls`: its CA instead of the system ones, its client
 * certificate (mutual TLS), its server name. Files are read when the source's pool is made (at
 * start and when the config changes), and a missing one fails composing with the key that names it.
 */
export function upstreamTlsOptions(tls: UpstreamTlsConfig | undefined, sourceName: string): ConnectionOptions | undefined {
  if (!tls) return undefined;
  const read = (file: string, key: string) => readPemFile(file, `source "${sourceName}": tls.${key}`);
  return {
    ...(tls.ca && { ca: read(tls.ca, 'ca') }),
    ...(tls.cert && { cert: read(tls.cert, 'cert') }),
    ...(tls.key && { key: read(tls.key, 'key') }),
    ...(tls.servername && { servername: tls.servername }),
  };
}

/**
 * When the files of a source's `tls` were last written: part of its pool's identity, so a renewed
 * client certificate or CA at the same path gets a new pool at the next reload (the watcher reloads
 * when one changes), the old pool retiring as any replaced one does.
 */
export function tlsFilesVersion(tls: UpstreamTlsConfig | undefined): Array<number | null> | undefined {
  if (!tls) return undefined;
  return [tls.ca, tls.cert, tls.key].map((file) => (file ? (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? null) : null));
}

/**
 * fetch for a source's spec URL: with the source's `tls` when it has one (a spec served by the
 * service itself sits behind the same CA and client-certificate check as its calls).
 */
export async function fetchWithSourceTls(url: string, init: { signal?: AbortSignal }, tls: UpstreamTlsConfig | undefined, sourceName: string): Promise<Response> {
  const connect = upstreamTlsOptions(tls, sourceName);
  if (!connect) return fetch(url, init);
  const dispatcher = new Agent({ connect });
  try {
    const response = await undiciFetch(url, { ...init, dispatcher });
    // The body is read here so the one-off agent can be closed; callers only read text.
    const text = await response.text();
    return new Response(text, { status: response.status, statusText: response.statusText });
  } finally {
    await dispatcher.close();
  }
}
