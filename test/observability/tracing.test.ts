/**
 * OpenTelemetry: spans exported over OTLP/HTTP to a receiver this test starts (a node http server
 * that accepts the exporter's JSON), with parent links request → parse/validate/execute →
 * resolver → upstream call, and W3C trace context carried to the upstream services.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDemoServices } from '../../sources';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process';
import { startDemoGateway } from '../support/harness';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: number | string } }>;
  status?: { code?: number };
}

/** An OTLP/HTTP traces receiver: collects every span of every JSON export request. */
async function startOtlpReceiver() {
  const spans: OtlpSpan[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      contentTypes.push(String(request.headers['content-type']));
      if (request.url === '/v1/traces' && String(request.headers['content-type']).startsWith('application/json')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
        };
        for (const resource of body.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`,
    spans,
    contentTypes,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // the exporter keeps its connection alive
      }),
  };
}

/** A pass-through proxy in front of a demo service that records the headers each call carried. */
async function startRecordingProxy(target: string, seen: IncomingHttpHeaders[]) {
  const server = createServer((incoming, outgoing) => {
    // The gateway's active health checks (GET /) are not calls made for the traced request.
    if (incoming.url !== '/') seen.push(incoming.headers);
    const upstream = httpRequest(new URL(incoming.url ?? '/', target), { method: incoming.method, headers: incoming.headers }, (reply) => {
      outgoing.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(outgoing);
    });
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? (value?.intValue !== undefined ? Number(value.intValue) : undefined);
};

test('spans for the request, parse, validate, execute, resolvers and upstream calls, with parent links', async () => {
  // The gateway runs as `tessera serve` in a child process: the OTLP exporter loads its HTTP
  // transport with a dynamic import(), which jest's module sandbox refuses.
  const receiver = await startOtlpReceiver();
  const demo = await startDemoServices();
  const upstreamHeaders: IncomingHttpHeaders[] = [];
  const proxies = await Promise.all([startRecordingProxy(demo.services.users.url, upstreamHeaders), startRecordingProxy(demo.services.orders.url, upstreamHeaders)]);
  let gateway: GatewayProcess | undefined;
  try {
    gateway = await startGatewayProcess({
      env: { USERS_URL: proxies[0].url, ORDERS_URL: proxies[1].url, PRODUCTS_URL: demo.services.products.url, REVIEWS_URL: demo.services.reviews.url },
      extraConfig: `telemetry:\n  tracing:\n    otlpEndpoint: ${receiver.url}\n    serviceName: tessera-test`,
    });
    const clientTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(`${gateway.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${clientTrace}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ query: 'query Traced { orders(limit: 2) { id customer { name } } }' }),
    });
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    const lines = gateway.lines;
    expect(await gateway.stop()).toBe(0); // flushes the batch of spans to the receiver
    gateway = undefined;

    const spans = receiver.spans.filter((s) => s.traceId === clientTrace);
    const byName = (name: string) => spans.filter((s) => s.name === name);
    const [root] = byName('POST /graphql');
    expect(root).toBeDefined();
    expect(root.parentSpanId).toBe('00f067aa0ba902b7'); // the client's span
    expect(attribute(root, 'http.response.status_code')).toBe(200);
    for (const phase of ['graphql.parse', 'graphql.validate', 'graphql.execute']) {
      expect(byName(phase).map((s) => s.parentSpanId)).toEqual([root.spanId]);
    }
    const [execute] = byName('graphql.execute');
    expect(attribute(execute, 'graphql.operation.name')).toBe('Traced');
    const [ordersResolver] = byName('resolve Query.orders');
    expect(ordersResolver.parentSpanId).toBe(execute.spanId);
    const customerResolvers = byName('resolve Order.customer'); // two orders, one batched upstream call
    expect(customerResolvers).toHaveLength(2);
    for (const span of customerResolvers) expect(span.parentSpanId).toBe(execute.spanId);

    const ordersCall = byName('GET orders');
    expect(ordersCall).toHaveLength(1);
    expect(ordersCall[0].parentSpanId).toBe(ordersResolver.spanId);
    expect(attribute(ordersCall[0], 'tessera.source')).toBe('orders');
    expect(attribute(ordersCall[0], 'tessera.instance')).toBe(proxies[1].url);
    expect(attribute(ordersCall[0], 'http.response.status_code')).toBe(200);
    const usersCall = byName('GET users');
    expect(usersCall).toHaveLength(1);
    expect(customerResolvers.map((s) => s.spanId)).toContain(usersCall[0].parentSpanId);

    // Each upstream call carried the trace context of its own span.
    const sent = upstreamHeaders.map((h) => String(h.traceparent));
    expect(sent.sort()).toEqual([ordersCall[0], usersCall[0]].map((s) => `00-${clientTrace}-${s.spanId}-01`).sort());
    // The log line names the trace.
    expect(lines.find((l) => l.msg === 'graphql request')).toMatchObject({ operation: 'Traced', traceId: clientTrace });
    expect(receiver.contentTypes.length).toBeGreaterThan(0);
  } finally {
    await gateway?.stop();
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await demo.close();
    await receiver.close();
  }
}, 90_000);

test('without an OTLP endpoint no trace context goes upstream', async () => {
  const upstreamHeaders: IncomingHttpHeaders[] = [];
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>> | undefined;
  const gw = await startDemoGateway({
    urls: async (services) => {
      proxy = await startRecordingProxy(services.users.url, upstreamHeaders);
      return { users: proxy.url };
    },
  });
  try {
    upstreamHeaders.length = 0;
    await gw.query('{ user(id: "1") { name } }');
    expect(upstreamHeaders).toHaveLength(1);
    expect(upstreamHeaders[0].traceparent).toBeUndefined();
  } finally {
    await gw.close();
    await proxy?.close();
  }
});
