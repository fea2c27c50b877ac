import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';

const encoders = {
  // Quality 11 (zlib's default) costs tens of milliseconds on a large JSON reply for a few percent;
  // 5 compresses JSON better than gzip's default at about its speed.
  br: (body: Buffer) => promisify(brotliCompress)(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength } }),
  gzip: (body: Buffer) => promisify(gzip)(body),
};
type Encoding = keyof typeof encoders;

export interface CompressionOptions {
  /** Bodies smaller than this are sent as they are. Default 1024. */
  minBytes?: number;
}

/** Statuses whose replies have no body (RFC 9110). */
const BODILESS = new Set([101, 103, 204, 205, 304]);

/**
 * Compresses whole replies with br or gzip when the client's Accept-Encoding allows it, br first
 * (smaller for JSON), honouring q-values (`br;q=0` refuses br). Streams (server-sent events,
 * multipart incremental delivery) are left alone: a compressor holds bytes back until it has a
 * block, which would delay every event.
 *
 * Not @whatwg-node/server's useContentEncoding: it takes the client's first listed encoding rather
 * than the best one, ignores q-values, compresses every body (event streams and tiny ones included)
 * and also inflates compressed request bodies, which would let a small body pass
 * server.http.maxBodyBytes and expand past it. Node's zlib has brotli on every supported Node;
 * CompressionStream('br') does not exist on Node 20.
 */
export function useCompression({ minBytes = 1_024 }: CompressionOptions = {}): Plugin {
  return {
    // Synchronous when the reply stays as it is (small, or nothing accepted): a promise would take
    // the later onResponse hooks off the promise-free path (../shared/sync-promise-helpers).
    onResponse({ request, response, setResponse, fetchAPI }) {
      // Not `!response.body`: on the fetch ponyfill yoga uses, reading that getter turns a text body
      // into a stream (~3% of a cached hit's CPU), which the server then does not even use.
      const declaredLength = response.headers.get('content-length');
      if (BODILESS.has(response.status) || declaredLength === '0' || response.headers.has('content-encoding')) return;
      const type = response.headers.get('content-type') ?? '';
      if (/^(text\/event-stream|multipart\/)/i.test(type)) return;
      // Caches in between must keep the compressed and the plain reply apart.
      response.headers.set('vary', [response.headers.get('vary'), 'Accept-Encoding'].filter(Boolean).join(', '));
      // The reply as it is, not copied: a small one whatever the client accepts (browsers always
      // send Accept-Encoding, and most GraphQL replies are small), any one when it accepts nothing.
      if (declaredLength !== null && Number(declaredLength) < minBytes) return;
      const encoding = chooseEncoding(request.headers.get('accept-encoding'));
      if (!encoding) return;
      return compressed(response, encoding, fetchAPI).then(setResponse);
    },
  };

  /** The reply compressed, or copied as it is when it turns out smaller than `minBytes`. */
  async function compressed(response: Response, encoding: Encoding, fetchAPI: { Response: typeof Response; Headers: typeof Headers }): Promise<Response> {
    const headers = new fetchAPI.Headers(response.headers);
    const reply = (body: BodyInit | null) => new fetchAPI.Response(body, { status: response.status, statusText: response.statusText, headers });
    const body = Buffer.from(await response.arrayBuffer());
    if (body.byteLength < minBytes) return reply(body);
    const encoded = await encoders[encoding](body);
    headers.set('content-encoding', encoding);
    headers.set('content-length', String(encoded.byteLength));
    // A strong validator promises identical bytes, which the br, gzip and plain replies are not
    // (RFC 9110 8.8.3); weak, it still answers If-None-Match (the cache compares weakly).
    const etag = headers.get('etag');
    if (etag && !etag.startsWith('W/')) headers.set('etag', `W/${etag}`);
    return reply(encoded);
  }
}

/** The encoding to answer with: br over gzip, among those the header accepts (q > 0, or `*`). */
export function chooseEncoding(acceptEncoding: string | null): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name) accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const wildcard = accepted.get('*') ?? 0;
  return (['br', 'gzip'] as const).find((encoding) => (accepted.get(encoding) ?? wildcard) > 0);
}
