import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TesseraConfig } from '../../gateway/config/schema';
import type { DemoServiceName } from '../../sources';
import { startDemoGateway, type RunningGateway } from './harness';
import { withInstances } from './instances';

export interface FlakyProxy {
  url: string;
  /** `ok` forwards to the target; `fail` answers 503; `html` answers 200 with an HTML page; `truncated` 200 with cut-off JSON. */
  mode: 'ok' | 'fail' | 'html' | 'truncated';
  /** Requests received, by method. */
  hits: Record<string, number>;
  close(): Promise<void>;
}

/** A proxy in front of a demo service that can be told to fail, counting what reaches it. */
export async function startFlakyProxy(target: string): Promise<FlakyProxy> {
  const proxy: FlakyProxy = { url: '', mode: 'ok', hits: {}, close: async () => {} };
  const server: Server = createServer(async (req, res) => {
    const method = req.method ?? 'GET';
    proxy.hits[method] = (proxy.hits[method] ?? 0) + 1;
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    if (proxy.mode === 'fail') {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":"unavailable"}');
      return;
    }
    if (proxy.mode === 'truncated') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": 1, "na');
      return;
    }
    if (proxy.mode === 'html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><body>Bad gateway</body></html>');
      return;
    }
    try {
      const upstream = await fetch(`${target}${req.url}`, {
        method,
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      // Written as a stream (chunked, no content-length), as many proxies do.
      res.write(Buffer.from(await upstream.arrayBuffer()));
      res.end();
    } catch {
      // The service behind went away (a test closing): answer as a real proxy would.
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"error":"bad_gateway"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return proxy;
}

export interface BehindProxyOptions {
  /** Edit the config; by default the service's source is pointed at the proxy. */
  configure?: (config: TesseraConfig, proxy: FlakyProxy) => TesseraConfig;
  /** The proxy's mode from the start (before the gateway composes). */
  mode?: FlakyProxy['mode'];
}

/** The demo gateway with one service reached through a flaky proxy; closing the gateway closes the proxy. */
export async function startDemoGatewayBehindProxy(
  service: DemoServiceName,
  options: BehindProxyOptions = {},
): Promise<{ gw: RunningGateway; proxy: FlakyProxy }> {
  let proxy: FlakyProxy | undefined;
  try {
    const gw = await startDemoGateway({
      urls: async (services) => {
        proxy = await startFlakyProxy(services[service].url);
        proxy.mode = options.mode ?? 'ok';
        return {};
      },
      configure: (config) => (options.configure ? options.configure(config, proxy!) : withInstances(config, service, [proxy!.url])),
    });
    const closeGateway = gw.close;
    gw.close = async () => {
      await closeGateway();
      await proxy!.close();
    };
    return { gw, proxy: proxy! };
  } catch (error) {
    await proxy?.close();
    throw error;
  }
}
