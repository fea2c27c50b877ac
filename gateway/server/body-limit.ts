import { constants, type Http2ServerResponse } from 'node:http2';
import type { Plugin } from 'graphql-yoga';

/**
 * `server.http.maxBodyBytes`: the transport-level guard on what a client may send, before anything
 * parses it. A declared Content-Length over the limit is refused unread; a body without one
 * (chunked, or HTTP/2 without the header) is read only up to the limit and refused the moment it
 * passes it, so no more than `maxBodyBytes` is ever held. `limits.maxQueryBytes` is a different
 * guard: the size of the GraphQL query text inside a body that passed this one.
 *
 * Written here rather than taken from raw-body or a framework's body parser (those work on node
 * streams before the request becomes a fetch Request) or yoga's `maxRequestBodySize` (turned off in
 * gateway.ts): yoga's 413 does not say the limit or the setting, it reads the body only when a
 * parser asks (after earlier plugins), and it pipes every body through a TransformStream to count
 * it, where a Content-Length is enough (node holds the body to it).
 */
export function useBodyLimit(maxBodyBytes: number): Plugin {
  return {
    // Synchronous unless a body without Content-Length must be read: a hook that returns a promise
    // takes every later onRequest hook off the promise-free path (../shared/sync-promise-helpers).
    onRequest({ request, setRequest, endResponse, fetchAPI, serverContext }) {
      if (request.method === 'GET' || request.method === 'HEAD') return;
      const refuse = (found: string) => endResponse(tooLarge(fetchAPI, maxBodyBytes, found, serverContext));
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        // node's parser holds the body to its Content-Length, so the header is the size; the body
        // is not touched (reading `request.body` would turn yoga's fast body parsing into a stream).
        if (Number(declared) > maxBodyBytes) refuse(`${declared} bytes`);
        return;
      }
      if (!request.body) return;
      return readWithin(request.body, maxBodyBytes, refuse, (chunks) =>
        setRequest(new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, body: Buffer.concat(chunks), signal: request.signal })),
      );
    },
  };
}

/** Reads a body that declared no length, refusing it as soon as it passes `maxBodyBytes`. */
async function readWithin(stream: ReadableStream<Uint8Array>, maxBodyBytes: number, refuse: (found: string) => void, done: (chunks: Uint8Array[]) => void): Promise<void> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    size += next.value.byteLength;
    if (size > maxBodyBytes) {
      // The rest is left unread: the socket is closed after the answer (see tooLarge).
      reader.releaseLock();
      refuse(`more than ${maxBodyBytes} bytes`);
      return;
    }
    chunks.push(next.value);
  }
  done(chunks);
}

function tooLarge(fetchAPI: { Response: typeof Response }, max: number, found: string, serverContext: unknown): Response {
  const message = `Request body too large: the limit is ${max} bytes, the request sent ${found} (server.http.maxBodyBytes).`;
  const body = { errors: [{ message, extensions: { code: 'REQUEST_TOO_LARGE', limit: 'maxBodyBytes', max, http: { status: 413 } } }] };
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  const { req, res } = (serverContext ?? {}) as { req?: { httpVersionMajor?: number }; res?: Pick<Http2ServerResponse, 'stream'> };
  if (req?.httpVersionMajor === 2 && res?.stream) {
    // HTTP/2 (RFC 9113 §8.1): after the whole answer, RST_STREAM with NO_ERROR tells the client to
    // stop sending; without it the stream would stay open, its body unread, until the session ends.
    // Sent on the tick after our side finished: during 'finish' node would defer it again.
    const stream = res.stream;
    stream.once('finish', () => setImmediate(() => stream.close(constants.NGHTTP2_NO_ERROR)));
  } else {
    // HTTP/1.1 has no other way to stop a body mid-way than closing the connection after the
    // answer (node would otherwise read and discard the rest).
    headers.connection = 'close';
  }
  return new fetchAPI.Response(JSON.stringify(body), { status: 413, headers });
}
