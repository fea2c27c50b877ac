import { copyFileSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import pino from 'pino';
import { createGateway } from '../../gateway/gateway';
import { listen, type ListeningGateway } from '../../gateway/server/listen';
import { configFor, specPath, startCannedServer, type CannedServer } from '../compose/canned';
import { createTestPki, pem, type TestPki } from './certificates';

interface MtlsUpstream {
  url: string;
  /** `METHOD path` of every request that passed the client-certificate check, with the certificate's CN. */
  calls: Array<{ call: string; client: string }>;
  close(): Promise<void>;
}

/** The notes service over HTTPS, answering only clients with a certificate signed by the test CA. */
async function startMtlsUpstream(pki: TestPki): Promise<MtlsUpstream> {
  const serving = pki.server('notes-upstream', 'c3');
  const calls: MtlsUpstream['calls'] = [];
  const server: Server = createServer({ cert: pem(serving.cert), key: pem(serving.key), ca: pem(pki.ca.cert), requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const client = String((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '');
    calls.push({ call: `${req.method} ${req.url}`, client });
    if (req.url === '/openapi.yaml') {
      res.writeHead(200, { 'content-type': 'application/yaml' }).end(readFileSync(specPath('notes-3.1.yaml')));
    } else if (req.url === '/notes/1') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 1, title: 'Behind mutual TLS', summary: null, priority: null }));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const QUERY = '{ note(id: 1) { title } category(id: "7") { name } }';

describe('upstream over HTTPS with a custom CA and a client certificate (sources[].tls)', () => {
  let pki: TestPki;
  let notes: MtlsUpstream;
  let pets: CannedServer;
  beforeAll(async () => {
    pki = createTestPki();
    notes = await startMtlsUpstream(pki);
    pets = await startCannedServer(({ path }) => (path === '/categories/7' ? [200, { id: '7', name: 'Cats' }] : undefined));
  });
  afterAll(async () => {
    await Promise.all([notes.close(), pets.close()]);
    pki.remove();
  });
  beforeEach(() => (notes.calls.length = 0));

  async function gatewayWith(tlsLines: string[], spec: string): Promise<ListeningGateway> {
    const config = configFor([
      { name: 'notes', spec, url: notes.url, extra: [...tlsLines, 'resilience:', '  health:', '    active: false', '  retries:', '    attempts: 0'] },
      { name: 'pets', spec: specPath('petstore-3.0.yaml'), url: pets.url, extra: ['resilience:', '  health:', '    active: false'] },
    ]);
    return listen(await createGateway(config, { logger: pino({ level: 'silent' }) }), 0, '127.0.0.1');
  }

  async function query(gateway: ListeningGateway) {
    const response = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) });
    return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown>; errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }> } };
  }

  test('with the CA and a client certificate: the spec is fetched and the field answered over mutual TLS', async () => {
    const client = pki.client('tessera-gateway');
    const gateway = await gatewayWith(['tls:', `  ca: ${pki.ca.cert}`, `  cert: ${client.cert}`, `  key: ${client.key}`], `${notes.url}/openapi.yaml`);
    try {
      const { status, body } = await query(gateway);
      expect(status).toBe(200);
      expect(body).toEqual({ data: { note: { title: 'Behind mutual TLS' }, category: { name: 'Cats' } } });
      // The spec is read for composing (and once more by the URL poll, for its first digest).
      expect(notes.calls).toContainEqual({ call: 'GET /openapi.yaml', client: 'tessera-gateway' });
      expect(notes.calls.filter(({ call }) => call !== 'GET /openapi.yaml')).toEqual([{ call: 'GET /notes/1', client: 'tessera-gateway' }]);
    } finally {
      await gateway.close();
    }
  });

  test('without the client certificate: that field fails with an upstream error, the other source still answers', async () => {
    const gateway = await gatewayWith(['tls:', `  ca: ${pki.ca.cert}`], specPath('notes-3.1.yaml'));
    try {
      const { status, body } = await query(gateway);
      expect(status).toBe(200);
      expect(body.data).toEqual({ note: null, category: { name: 'Cats' } });
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0].path).toEqual(['note']);
      expect(body.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', source: 'notes' });
      expect(body.errors![0].message).toBe("notes closed the TLS connection before any reply (an upstream that requires a client certificate does this: check the source's tls: cert, key)");
      expect(notes.calls).toEqual([]);
    } finally {
      await gateway.close();
    }
  });

  test('without the CA: the upstream certificate is not trusted, and the error says so', async () => {
    const gateway = await gatewayWith([], specPath('notes-3.1.yaml'));
    try {
      const { body } = await query(gateway);
      expect(body.data).toEqual({ note: null, category: { name: 'Cats' } });
      expect(body.errors![0].message).toBe("notes could not be reached over TLS: SELF_SIGNED_CERT_IN_CHAIN (check the source's tls: ca, servername)");
      expect(notes.calls).toEqual([]);
    } finally {
      await gateway.close();
    }
  });

  test('a client certificate renewed at the same path is used from the next reload on', async () => {
    const first = pki.client('first-client');
    const certFile = join(pki.dir, 'renewing.crt');
    const keyFile = join(pki.dir, 'renewing.key');
    copyFileSync(first.cert, certFile);
    copyFileSync(first.key, keyFile);
    const config = configFor([
      { name: 'notes', spec: specPath('notes-3.1.yaml'), url: notes.url, extra: ['tls:', `  ca: ${pki.ca.cert}`, `  cert: ${certFile}`, `  key: ${keyFile}`, 'resilience:', '  health:', '    active: false'] },
      { name: 'pets', spec: specPath('petstore-3.0.yaml'), url: pets.url, extra: ['resilience:', '  health:', '    active: false'] },
    ]);
    const gateway = await createGateway(config, { logger: pino({ level: 'silent' }) });
    const served = await listen(gateway, 0, '127.0.0.1');
    try {
      expect((await query(served)).body.data).toEqual({ note: { title: 'Behind mutual TLS' }, category: { name: 'Cats' } });
      const renewed = pki.client('renewed-client');
      copyFileSync(renewed.cert, certFile);
      copyFileSync(renewed.key, keyFile);
      // A file's mtime has a coarse grain on some file systems: make the renewal visibly later.
      const later = new Date(Date.now() + 5_000);
      utimesSync(certFile, later, later);
      await gateway.reload('certificate renewed');
      expect((await query(served)).body.data).toEqual({ note: { title: 'Behind mutual TLS' }, category: { name: 'Cats' } });
      expect(notes.calls.map(({ client }) => client)).toEqual(['first-client', 'renewed-client']);
      expect(gateway.status.sources().map(({ source }) => source)).toContain('notes'); // the serving pool still reports
    } finally {
      await served.close();
    }
  });

  test('a tls file that cannot be read fails at start with the source and key named', async () => {
    await expect(gatewayWith(['tls:', '  ca: /nonexistent/ca.pem'], specPath('notes-3.1.yaml'))).rejects.toThrow(/source "notes": tls\.ca: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/);
  });
});
