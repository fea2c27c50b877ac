import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { createSchema, createYoga } from 'graphql-yoga';
import { createLogger, toYogaLogger } from '../../gateway/observability/logger';
import { createMetrics } from '../../gateway/observability/metrics';
import { useRequestObservability } from '../../gateway/observability/request-log';
import { createUsageStats } from '../../gateway/observability/usage';
import { maskUnexpectedErrors } from '../../gateway/security/mask-errors';
import { startDemoGateway } from '../support/harness';

describe('error masking', () => {
  test('an unexpected error is "Unexpected error." with the request id; the log line with that id has the cause', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)));
    const logger = createLogger({ level: 'info', pretty: 'never' }, stream);
    const observability = useRequestObservability({ logger, metrics: createMetrics(), usage: createUsageStats() });
    // The same wiring as gateway.ts, around a resolver with a bug that would leak internals.
    const yoga = createYoga({
      schema: createSchema({
        typeDefs: 'type Query { broken: String fine: String }',
        resolvers: { Query: { broken: () => { throw new TypeError('cannot read "x" of undefined at db 10.0.0.5'); }, fine: () => 'fine' } },
      }),
      maskedErrors: maskUnexpectedErrors(true),
      logging: toYogaLogger(logger),
      plugins: [observability.plugin],
    });
    const server = createServer(yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ broken fine }' }),
      });
      const body = (await response.json()) as { data: unknown; errors: Array<{ message: string; extensions: Record<string, unknown> }> };
      const requestId = response.headers.get('x-request-id');
      expect(body.data).toEqual({ broken: null, fine: 'fine' });
      expect(body.errors).toEqual([expect.objectContaining({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } })]);
      expect(JSON.stringify(body)).not.toContain('10.0.0.5');
      await new Promise((resolve) => setImmediate(resolve));
      const logged = JSON.stringify(lines);
      expect(logged).toContain('cannot read \\"x\\" of undefined at db 10.0.0.5');
      expect(lines.find((l) => l.msg === 'graphql request')).toMatchObject({ requestId, errors: 1 });
    } finally {
      server.close();
    }
  });
});

describe('CORS from the config', () => {
  test('a preflight from an allowed origin is answered; another origin gets no allow header', async () => {
    const gw = await startDemoGateway({
      configure: (config) => ({ ...config, server: { ...config.server, cors: { origins: ['https://app.example'], credentials: true, maxAgeSeconds: 60 } } }),
    });
    try {
      const preflight = (origin: string) =>
        fetch(gw.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } });
      const allowed = await preflight('https://app.example');
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
      expect(allowed.headers.get('access-control-max-age')).toBe('60');
      const other = await preflight('https://evil.example');
      expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
      // The app's script may read the request id, the cache's answer and its quota.
      const answer = await fetch(gw.url, { method: 'POST', headers: { origin: 'https://app.example', 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      const exposed = answer.headers.get('access-control-expose-headers')?.split(/,\s*/) ?? [];
      expect(exposed).toEqual(expect.arrayContaining(['x-request-id', 'x-tessera-cache', 'etag', 'retry-after', 'ratelimit-remaining']));
    } finally {
      await gw.close();
    }
  });
});
