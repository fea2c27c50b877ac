import { request, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { ClientLimitsConfig } from '../../gateway/config/schema';
import { chooseEncoding } from '../../gateway/server/compression';
import { startDemoGateway, type RunningGateway } from '../support/harness';

const SMALL_QUERY = JSON.stringify({ query: '{ user(id: "1") { name } }' });
// Well over compression.minBytes once answered.
const LARGE_QUERY = JSON.stringify({ query: '{ __schema { types { name fields { name } } } }' });

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  socket: Socket;
}

/** A POST with node:http (no automatic Accept-Encoding or decoding, unlike fetch). */
function post(url: string, body: string | Buffer[], options: { headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const chunked = Array.isArray(body);
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), socket: res.socket }));
    });
    // Writes after the server has answered and closed may fail: the answer is what is asserted.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (!chunked) {
      req.end(body);
      return;
    }
    req.flushHeaders();
    for (const chunk of body) req.write(chunk);
    // The end is never sent when over the limit: the gateway must answer without waiting for it.
    if (body.reduce((size, chunk) => size + chunk.length, 0) <= 2_000) req.end();
  });
}

/** Opens a raw connection, writes `text`, and resolves with everything read until the gateway closes it. */
function rawUntilClosed(base: string, text: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let read = '';
    socket.on('data', (chunk: Buffer) => (read += chunk.toString()));
    socket.on('close', () => resolve(read));
    socket.on('error', reject);
  });
}

/** Request/response turns on one raw connection: each resolves with one whole response (by Content-Length or chunked end). */
function rawExchanges(socket: Socket): (text: string) => Promise<string> {
  let buffer = '';
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    waiting?.();
  });
  const complete = () => {
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const length = /\r\ncontent-length: (\d+)\r\n/i.exec(buffer.slice(0, end));
    const total = length ? end + 4 + Number(length[1]) : buffer.indexOf('\r\n0\r\n\r\n', end) < 0 ? -1 : buffer.indexOf('\r\n0\r\n\r\n', end) + 7;
    if (total < 0 || buffer.length < total) return undefined;
    const response = buffer.slice(0, total);
    buffer = buffer.slice(total);
    return response;
  };
  return (text) =>
    new Promise((resolve) => {
      waiting = () => {
        const response = complete();
        if (response !== undefined) resolve(response);
      };
      socket.write(text);
    });
}

async function startWith(http: Partial<ClientLimitsConfig>): Promise<RunningGateway> {
  return startDemoGateway({ configure: (config) => ({ ...config, server: { ...config.server, http: { ...config.server.http, ...http } } }) });
}

describe('client limits: server.http', () => {
  describe('maxBodyBytes', () => {
    let gw: RunningGateway;
    beforeAll(async () => {
      gw = await startWith({ maxBodyBytes: 2_000 });
    });
    afterAll(() => gw.close());

    const expectTooLarge = (reply: Reply, found: RegExp) => {
      expect(reply.status).toBe(413);
      expect(reply.headers.connection).toBe('close');
      const body = JSON.parse(reply.body.toString()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0].message).toMatch(found);
      expect(body.errors[0].message).toContain('server.http.maxBodyBytes');
      expect(body.errors[0].extensions).toEqual({ code: 'REQUEST_TOO_LARGE', limit: 'maxBodyBytes', max: 2_000, http: { status: 413 } });
    };

    test('a body declared larger (Content-Length) is refused with 413 before it is read', async () => {
      const padded = JSON.stringify({ query: '{ user(id: "1") { name } }', variables: { pad: 'x'.repeat(3_000) } });
      expectTooLarge(await post(gw.url, padded), /the limit is 2000 bytes, the request sent 30\d\d bytes/);
    });

    test('a chunked body is refused with 413 as soon as it passes the limit, without its end', async () => {
      const chunks = [Buffer.from(`{"query":"{ user(id: \\"1\\") { name } }","variables":{"pad":"`), Buffer.from('x'.repeat(1_500)), Buffer.from('x'.repeat(1_500))];
      expectTooLarge(await post(gw.url, chunks), /the request sent more than 2000 bytes/);
    });

    test('a chunked body within the limit is answered as usual', async () => {
      const reply = await post(gw.url, [Buffer.from(SMALL_QUERY.slice(0, 12)), Buffer.from(SMALL_QUERY.slice(12))]);
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body.toString())).toEqual({ data: { user: { name: expect.any(String) } } });
    });
  });

  describe('slow clients and keep-alive', () => {
    let gw: RunningGateway;
    beforeAll(async () => {
      gw = await startWith({ headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300, maxRequestsPerSocket: 2 });
    });
    afterAll(() => gw.close());

    test('headers sent too slowly: 408 and the connection is closed', async () => {
      const read = await rawUntilClosed(gw.base, 'POST /graphql HTTP/1.1\r\nHost: gateway\r\n');
      expect(read).toMatch(/^HTTP\/1\.1 408 /);
    });

    test('a body sent too slowly: 408 and the connection is closed', async () => {
      const read = await rawUntilClosed(gw.base, `POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: ${SMALL_QUERY.length}\r\n\r\n${SMALL_QUERY.slice(0, 5)}`);
      expect(read).toMatch(/^HTTP\/1\.1 408 /);
    });

    test('the maxRequestsPerSocket-th request is answered with Connection: close', async () => {
      const { hostname, port } = new URL(gw.base);
      const socket = connect(Number(port), hostname);
      try {
        const exchange = rawExchanges(socket);
        const get = 'GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n';
        const first = await exchange(get);
        const second = await exchange(get);
        expect(first).toMatch(/^HTTP\/1\.1 200 [^]*\r\nconnection: keep-alive\r\n/i);
        expect(second).toMatch(/^HTTP\/1\.1 200 [^]*\r\nconnection: close\r\n/i);
        // node's rule for a client that ignores the close: 503 on that connection.
        expect(await exchange(get)).toMatch(/^HTTP\/1\.1 503 /);
      } finally {
        socket.destroy();
      }
    });

    test('an idle keep-alive connection is closed by the gateway after keepAliveTimeoutMs', async () => {
      const read = await rawUntilClosed(gw.base, `POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: ${SMALL_QUERY.length}\r\n\r\n${SMALL_QUERY}`);
      // Resolved only once the gateway closed the connection: the client never does.
      expect(read).toMatch(/^HTTP\/1\.1 200 /);
      expect(read).toMatch(/\r\nconnection: keep-alive\r\n/i);
    });
  });

  describe('compression', () => {
    let gw: RunningGateway;
    beforeAll(async () => {
      gw = await startWith({});
    });
    afterAll(() => gw.close());

    test('br and gzip replies decode to the same JSON as the plain one; br is preferred', async () => {
      const plain = await post(gw.url, LARGE_QUERY);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.headers.vary).toMatch(/Accept-Encoding/);
      expect(plain.body.length).toBeGreaterThan(1_024);
      const json = JSON.parse(plain.body.toString()) as { data: { __schema: { types: unknown[] } } };
      expect(json.data.__schema.types.length).toBeGreaterThan(10);

      const br = await post(gw.url, LARGE_QUERY, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect(br.headers['content-encoding']).toBe('br');
      expect(Number(br.headers['content-length'])).toBe(br.body.length);
      expect(br.body.length).toBeLessThan(plain.body.length);
      expect(JSON.parse(brotliDecompressSync(br.body).toString())).toEqual(json);

      const gzip = await post(gw.url, LARGE_QUERY, { headers: { 'accept-encoding': 'gzip' } });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(JSON.parse(gunzipSync(gzip.body).toString())).toEqual(json);

      // br refused by q=0: gzip.
      const noBr = await post(gw.url, LARGE_QUERY, { headers: { 'accept-encoding': 'br;q=0, gzip' } });
      expect(noBr.headers['content-encoding']).toBe('gzip');
    });

    test('a reply below compression.minBytes is sent as it is', async () => {
      const reply = await post(gw.url, SMALL_QUERY, { headers: { 'accept-encoding': 'br, gzip' } });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-encoding']).toBeUndefined();
      expect(reply.headers.vary).toMatch(/Accept-Encoding/);
      expect(Number(reply.headers['content-length'])).toBe(reply.body.length);
      expect(JSON.parse(reply.body.toString())).toEqual({ data: { user: { name: expect.any(String) } } });
    });

    test('Accept-Encoding parsing: q-values, wildcard, identity only', () => {
      expect(chooseEncoding('gzip, deflate, br')).toBe('br');
      expect(chooseEncoding('gzip;q=1.0, br;q=0')).toBe('gzip');
      expect(chooseEncoding('*')).toBe('br');
      expect(chooseEncoding('*;q=0, gzip')).toBe('gzip');
      expect(chooseEncoding('identity')).toBeUndefined();
      expect(chooseEncoding(null)).toBeUndefined();
    });
  });
});
