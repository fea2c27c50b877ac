import { copyFileSync, writeFileSync } from 'node:fs';
import { connect as connectH2, constants } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import pino from 'pino';
import { startDemoGateway, type RunningGateway } from '../support/harness';
import { createTestPki, pem, type TestPki } from './certificates';

const QUERY = JSON.stringify({ query: '{ user(id: "1") { name } }' });

interface HttpsReply {
  status: number;
  body: string;
  protocol: string | false | null;
  serial: string;
}

// https.RequestOptions' typings leave out ALPNProtocols, which node passes on to tls.connect.
const offerHttp1: ConnectionOptions = { ALPNProtocols: ['http/1.1'] };

/** One POST over HTTP/1.1 (ALPN offering only http/1.1), trusting `ca` when given. */
function postHttp1(url: string, body: string, ca?: Buffer): Promise<HttpsReply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'POST', ca, agent: false, ...offerHttp1, headers: { 'content-type': 'application/json' } }, (res) => {
      const socket = res.socket as TLSSocket;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), protocol: socket.alpnProtocol, serial: socket.getPeerCertificate().serialNumber }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One POST over HTTP/2 (a real h2 client session), trusting `ca`. */
function postHttp2(base: string, path: string, body: string, ca: Buffer): Promise<HttpsReply> {
  return new Promise((resolve, reject) => {
    const session = connectH2(base, { ca });
    session.on('error', reject);
    const stream = session.request({ [constants.HTTP2_HEADER_METHOD]: 'POST', [constants.HTTP2_HEADER_PATH]: path, 'content-type': 'application/json' });
    let status = 0;
    const chunks: Buffer[] = [];
    stream.on('response', (headers) => (status = Number(headers[constants.HTTP2_HEADER_STATUS])));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    // Resolved when the stream is closed: an answered request whose body was not read must be reset.
    stream.on('close', () => {
      const socket = session.socket as TLSSocket;
      const reply = { status, body: Buffer.concat(chunks).toString(), protocol: session.alpnProtocol ?? null, serial: socket.getPeerCertificate().serialNumber };
      session.destroy();
      resolve(reply);
    });
    stream.on('error', reject);
    stream.end(body);
  });
}

describe('HTTPS: server.tls serves TLS with HTTP/2 by ALPN and reloads the certificate', () => {
  let pki: TestPki;
  let gw: RunningGateway | undefined;
  let logs: string[];
  const certFile = () => join(pki.dir, 'serving.crt');
  const keyFile = () => join(pki.dir, 'serving.key');

  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki.remove());
  beforeEach(async () => {
    const first = pki.server('first', 'a1');
    copyFileSync(first.cert, certFile());
    copyFileSync(first.key, keyFile());
    logs = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    gw = await startDemoGateway({
      logger: pino({ level: 'info' }, sink),
      configure: (config) => ({ ...config, server: { ...config.server, tls: { cert: certFile(), key: keyFile(), requestClientCert: false } } }),
      listen: { tlsPollMs: 50 },
    });
  });
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });

  test('a client trusting the CA gets 200 over HTTP/1.1 and over HTTP/2', async () => {
    expect(gw!.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/graphql$/);
    const h1 = await postHttp1(gw!.url, QUERY, pem(pki.ca.cert));
    expect(h1).toMatchObject({ status: 200, protocol: 'http/1.1', serial: 'A1' });
    expect(JSON.parse(h1.body)).toEqual({ data: { user: { name: expect.any(String) } } });

    const h2 = await postHttp2(gw!.base, '/graphql', QUERY, pem(pki.ca.cert));
    expect(h2).toMatchObject({ status: 200, protocol: 'h2', serial: 'A1' });
    expect(JSON.parse(h2.body)).toEqual(JSON.parse(h1.body));

    // The body limit answers HTTP/2 too (without the connection header HTTP/2 forbids).
    const tooLarge = await postHttp2(gw!.base, '/graphql', JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(2_200_000) } }), pem(pki.ca.cert));
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body).errors[0].extensions.code).toBe('REQUEST_TOO_LARGE');
  });

  test('a client that does not trust the CA is refused at the handshake', async () => {
    await expect(postHttp1(gw!.url, QUERY)).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    // Plain HTTP on the TLS port gets no GraphQL answer either.
    await expect(fetch(gw!.url.replace('https:', 'http:'), { method: 'POST', body: QUERY })).rejects.toThrow();
  });

  test('a replaced certificate is served without a restart; a broken one keeps the last good one', async () => {
    const ca = pem(pki.ca.cert);
    expect((await postHttp1(gw!.url, QUERY, ca)).serial).toBe('A1');

    const second = pki.server('second', 'b2');
    copyFileSync(second.cert, certFile());
    copyFileSync(second.key, keyFile());
    expect(await eventually(async () => (await postHttp1(gw!.url, QUERY, ca)).serial, 'B2')).toBe('B2');
    expect(logs.some((line) => line.includes('TLS certificate reloaded'))).toBe(true);

    writeFileSync(certFile(), '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n');
    expect(await eventually(() => Promise.resolve(logs.some((line) => line.includes('TLS certificate not reloaded'))), true)).toBe(true);
    const after = await postHttp1(gw!.url, QUERY, ca);
    expect(after).toMatchObject({ status: 200, serial: 'B2' });
  });

  test('close() drains an open HTTP/2 session: the request in flight finishes, the session gets GOAWAY', async () => {
    const session = connectH2(gw!.base, { ca: pem(pki.ca.cert) });
    session.on('error', () => undefined); // the session ends with the server; what matters is asserted below
    const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()));
    const exchange = (body: string, endWith?: string) => {
      const stream = session.request({ ':method': 'POST', ':path': '/graphql', 'content-type': 'application/json' });
      const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
        let status = 0;
        const chunks: Buffer[] = [];
        stream.on('response', (headers) => (status = Number(headers[':status'])));
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString() }));
        stream.on('error', reject);
      });
      if (endWith === undefined) stream.end(body);
      else stream.write(body);
      return { answered, finish: () => stream.end(endWith) };
    };
    expect((await exchange(QUERY).answered).status).toBe(200);
    // Half a request in flight; a PING's answer means the server has read every frame sent before it.
    const inFlight = exchange(QUERY.slice(0, 10), QUERY.slice(10));
    await new Promise<void>((resolve, reject) => session.ping((error) => (error ? reject(error) : resolve())));
    const closing = gw!.close();
    gw = undefined;
    await goaway;
    inFlight.finish();
    const reply = await inFlight.answered;
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).data.user.name).toEqual(expect.any(String));
    await closing;
    session.destroy();
  });
});

describe('HTTPS: client certificates and the admin port', () => {
  test('requestClientCert: a client with a certificate from `ca` is served, one without is refused', async () => {
    const pki = createTestPki();
    const serving = pki.server('gateway', 'f6');
    const client = pki.client('partner');
    const gw = await startDemoGateway({
      configure: (config) => ({ ...config, server: { ...config.server, tls: { cert: serving.cert, key: serving.key, ca: pki.ca.cert, requestClientCert: true } } }),
    });
    const ask = (identity?: { cert: Buffer; key: Buffer }) =>
      new Promise<number>((resolve, reject) => {
        const req = httpsRequest(gw.url, { method: 'POST', ca: pem(pki.ca.cert), agent: false, ...identity, headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(QUERY);
      });
    try {
      expect(await ask({ cert: pem(client.cert), key: pem(client.key) })).toBe(200);
      // TLS 1.3: the refusal comes as an alert after the client's handshake, on the first read.
      await expect(ask()).rejects.toMatchObject({ code: expect.stringMatching(/ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ECONNRESET/) });
    } finally {
      await gw.close();
      pki.remove();
    }
  });


  test('HTTP/2: a stream whose body trickles past server.http.requestTimeoutMs is cancelled; a prompt one on the same session is served', async () => {
    const pki = createTestPki();
    const serving = pki.server('slow', 'c3');
    const gw = await startDemoGateway({
      configure: (config) => ({
        ...config,
        server: { ...config.server, tls: { cert: serving.cert, key: serving.key, requestClientCert: false }, http: { ...config.server.http, requestTimeoutMs: 300 } },
      }),
    });
    const session = connectH2(gw.base, { ca: pem(pki.ca.cert) });
    try {
      const slow = session.request({ [constants.HTTP2_HEADER_METHOD]: 'POST', [constants.HTTP2_HEADER_PATH]: '/graphql', 'content-type': 'application/json' });
      slow.on('error', () => {}); // the cancel also surfaces as a stream error
      slow.write(QUERY.slice(0, 5)); // and never the rest
      const trickle = setInterval(() => slow.write(' '), 100); // every frame well inside the session's idle timeout
      // -1 if it is still open long after the limit (a guard, so the test fails instead of hanging).
      const rstCode = await new Promise<number>((resolve) => {
        slow.on('close', () => resolve(slow.rstCode ?? -1));
        setTimeout(() => resolve(-1), 10_000).unref();
      });
      clearInterval(trickle);
      expect(rstCode).toBe(constants.NGHTTP2_CANCEL);
      const prompt = session.request({ [constants.HTTP2_HEADER_METHOD]: 'POST', [constants.HTTP2_HEADER_PATH]: '/graphql', 'content-type': 'application/json' });
      const status = new Promise<number>((resolve) => prompt.on('response', (headers) => resolve(Number(headers[constants.HTTP2_HEADER_STATUS]))));
      prompt.resume();
      prompt.end(QUERY);
      expect(await status).toBe(200);
    } finally {
      session.destroy();
      await gw.close();
      pki.remove();
    }
  });

  test('server.adminPort is served with the same certificate', async () => {
    const pki = createTestPki();
    const serving = pki.server('admin', 'e5');
    const gw = await startDemoGateway({
      configure: (config) => ({ ...config, server: { ...config.server, adminPort: 0, tls: { cert: serving.cert, key: serving.key, requestClientCert: false } } }),
    });
    try {
      expect(gw.adminBase).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const reply = await new Promise<{ status: number; body: string; serial: string }>((resolve, reject) => {
        const req = httpsRequest(`${gw.adminBase}/metrics`, { ca: pem(pki.ca.cert), agent: false }, (res) => {
          const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), serial }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(reply).toMatchObject({ status: 200, serial: 'E5' });
      expect(reply.body).toContain('# TYPE');
    } finally {
      await gw.close();
      pki.remove();
    }
  });
});

/** Polls `probe` until it returns `expected` (or 100 tries, then returns the last value for the assertion to show). */
async function eventually<T>(probe: () => Promise<T>, expected: T): Promise<T> {
  let value = await probe();
  for (let i = 0; i < 100 && value !== expected; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await probe();
  }
  return value;
}
