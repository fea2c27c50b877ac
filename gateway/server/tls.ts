import { unwatchFile, watchFile } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { ServerTlsConfig } from '../config/schema';
import { readPemFile, TlsFileError } from '../shared/files';

/** The PEM files of `server.tls`, read now; throws a message naming the file that could not be read or used. */
export function readServerTls(tls: ServerTlsConfig): SecureContextOptions {
  const options: SecureContextOptions = { cert: readPemFile(tls.cert, 'server.tls.cert'), key: readPemFile(tls.key, 'server.tls.key') };
  if (tls.ca) options.ca = readPemFile(tls.ca, 'server.tls.ca');
  try {
    // Parses the pair (and checks the key matches the certificate) before any server gets it.
    createSecureContext(options);
  } catch (error) {
    throw new TlsFileError(`server.tls: the certificate ${tls.cert} and key ${tls.key} are not a usable pair (${(error as Error).message})`);
  }
  return options;
}

export interface CertificateWatcher {
  stop(): void;
}

/**
 * Calls `apply` with the re-read files whenever the certificate, key or CA file changes, so a renewed
 * certificate is served without a restart. Files are polled (fs.watchFile), not fs.watch'ed: renewal
 * tools write a new file and rename it over the old one, which ends an fs.watch on the old inode. A
 * pair that cannot be used (half written, key of another certificate) keeps the one in use and is
 * reported; the next change is tried again.
 */
export function watchCertificate(
  tls: ServerTlsConfig,
  apply: (options: SecureContextOptions) => void,
  report: (error: Error | undefined) => void,
  intervalMs = 2_000,
): CertificateWatcher {
  const files = [...new Set([tls.cert, tls.key, ...(tls.ca ? [tls.ca] : [])])];
  let pending: NodeJS.Timeout | undefined;
  // Renewal writes certificate and key one after the other: changes within 100 ms make one reload.
  const listener = () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      try {
        apply(readServerTls(tls));
        report(undefined);
      } catch (error) {
        report(error as Error);
      }
    }, 100);
    pending.unref();
  };
  for (const file of files) watchFile(file, { interval: intervalMs, persistent: false }, listener);
  return {
    stop() {
      clearTimeout(pending);
      for (const file of files) unwatchFile(file, listener);
    },
  };
}
