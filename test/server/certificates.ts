import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files on disk, made by the openssl CLI for one test. */
export interface CertificateFiles {
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  /** A CA of the test's own: only clients given `ca.cert` trust what it signs. */
  ca: CertificateFiles;
  /** A certificate for 127.0.0.1 / localhost signed by the CA, with the given serial number (hex). */
  server(name: string, serial: string): CertificateFiles;
  /** A client certificate (extendedKeyUsage clientAuth) signed by the CA. */
  client(name: string): CertificateFiles;
  remove(): void;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

/** A throw-away PKI in a temporary folder (EC P-256 keys: fast to make). */
export function createTestPki(commonName = 'Tessera Test CA'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pki-'));
  const key = (name: string) => {
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
    return join(dir, `${name}.key`);
  };
  const caKey = key('ca');
  openssl(['req', '-x509', '-new', '-key', caKey, '-subj', `/CN=${commonName}`, '-days', '2', '-out', 'ca.crt', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], dir);
  const ca = { cert: join(dir, 'ca.crt'), key: caKey };
  const sign = (name: string, serial: string, extensions: string) => {
    const leafKey = key(name);
    openssl(['req', '-new', '-key', leafKey, '-subj', `/CN=${name}`, '-out', `${name}.csr`], dir);
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', `0x${serial}`, '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
    return { cert: join(dir, `${name}.crt`), key: leafKey };
  };
  return {
    dir,
    ca,
    server: (name, serial) => sign(name, serial, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'),
    client: (name) => sign(name, '1001', 'extendedKeyUsage=clientAuth\n'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const pem = (file: string) => readFileSync(file);
