import { execFile, spawn } from 'node:child_process';
import { request } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { ConfigError } from '../../gateway/config/errors';
import { parseConfig } from '../../gateway/config/load';
import { startDemoServices } from '../../sources';
import { REPO_ROOT } from '../support/harness';
import { createTestPki, pem } from './certificates';

const FILE = '/etc/tessera/gateway.yaml';
const BIN = join(REPO_ROOT, 'bin/tessera.cjs');
const SOURCE = 'sources:\n  - name: users\n    spec: u.yaml\n    url: https://users.internal\n';

function problemsOf(text: string) {
  try {
    parseConfig(text, FILE, { env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(({ path, expected, found }) => ({ path, expected, found }));
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config: server.tls, server.http and sources[].tls', () => {
  test('file paths are resolved against the config file', () => {
    const text = `server:\n  tls: { cert: tls/gw.crt, key: /secrets/gw.key }\n${SOURCE}    tls: { ca: ca.pem, cert: client.crt, key: client.key, servername: users }\n`;
    const { config } = parseConfig(text, FILE, { env: {} });
    expect(config.server.tls).toEqual({ cert: '/etc/tessera/tls/gw.crt', key: '/secrets/gw.key', requestClientCert: false });
    expect(config.sources[0].tls).toEqual({ ca: '/etc/tessera/ca.pem', cert: '/etc/tessera/client.crt', key: '/etc/tessera/client.key', servername: 'users' });
  });

  test('bad values fail at their path, saying what was expected', () => {
    const text = [
      'server:',
      '  tls: { cert: gw.crt, key: gw.key, requestClientCert: true }',
      '  http: { maxBodyBytes: 0, compression: { level: 9 } }',
      SOURCE.trimEnd(),
      '    tls: { cert: client.crt }',
      '',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      { path: 'server.tls.ca', expected: '`ca` (the CA client certificates are checked against) with requestClientCert: true', found: 'nothing (the key is missing)' },
      { path: 'server.http.maxBodyBytes', expected: 'Too small: expected number to be >0', found: 'number 0' },
      { path: 'server.http.compression.level', expected: 'one of the keys enabled, minBytes', found: 'unknown key "level"' },
      { path: 'sources[0].tls.cert', expected: 'both `cert` and `key` (a client certificate needs its key), or neither', found: '"client.crt"' },
    ]);
  });
});

describe('tessera serve --tls-cert/--tls-key', () => {
  test('serves HTTPS with the given certificate', async () => {
    const pki = createTestPki();
    const serving = pki.server('cli', 'd4');
    const demo = await startDemoServices();
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--tls-cert', serving.cert, '--tls-key', serving.key], {
      cwd: REPO_ROOT,
      env: { ...process.env, USERS_URL: demo.services.users.url, PRODUCTS_URL: demo.services.products.url, ORDERS_URL: demo.services.orders.url, REVIEWS_URL: demo.services.reviews.url },
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let seen = '';
        child.stdout.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const found = /"url":"([^"]+)"/.exec(seen)?.[1];
          if (found) resolve(found);
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}; output:\n${seen}`)));
      });
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/graphql$/);
      const { status, serial } = await new Promise<{ status: number; serial: string }>((resolve, reject) => {
        const req = request(url, { method: 'POST', ca: pem(pki.ca.cert), headers: { 'content-type': 'application/json' } }, (res) => {
          const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, serial }));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ query: '{ user(id: "1") { name } }' }));
      });
      expect({ status, serial }).toEqual({ status: 200, serial: 'D4' });
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await demo.close();
      pki.remove();
    }
  });

  test('--tls-cert without --tls-key (and no server.tls) exits 2 with the reason', async () => {
    const failure = await promisify(execFile)(process.execPath, [BIN, 'serve', '--port', '0', '--tls-cert', 'gw.crt'], { cwd: REPO_ROOT }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining('--tls-cert and --tls-key go together (or with server.tls in the config): got only --tls-cert') });
  });

  test('a certificate file that cannot be read exits 2 naming it', async () => {
    const failure = await promisify(execFile)(process.execPath, [BIN, 'serve', '--port', '0', '--tls-cert', '/nonexistent/gw.crt', '--tls-key', '/nonexistent/gw.key'], { cwd: REPO_ROOT }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining('server.tls.cert: cannot read /nonexistent/gw.crt (ENOENT)') });
  });
});
