import { PassThrough } from 'node:stream';
import { createLogger } from '../../gateway/observability/logger';
import { startDemoGateway, type RunningGateway } from '../support/harness';
import { asUser } from '../support/identity';

describe('one structured log line per GraphQL request', () => {
  const lines: Array<Record<string, unknown>> = [];
  let gw: RunningGateway;
  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    });
    // Not a TTY, so `pretty: auto` must give JSON lines.
    gw = await startDemoGateway({ logger: createLogger({ level: 'info', pretty: 'auto' }, stream) });
  });
  afterAll(() => gw.close());

  test('names the operation, its duration, upstream calls and the request id; echoes the id', async () => {
    lines.length = 0;
    const auth = await asUser('1', ['customer']);
    const { headers } = await gw.query('query OrdersPage { orders(limit: 5) { customer { name } product { title } } }', undefined, {
      'x-request-id': 'req-42',
      ...auth,
    });
    await new Promise((resolve) => setImmediate(resolve));
    const requestLines = lines.filter((l) => l.msg === 'graphql request');
    expect(requestLines).toEqual([
      expect.objectContaining({ requestId: 'req-42', operation: 'OrdersPage', status: 200, outcome: 'ok', upstreamCalls: 3, errors: 0, durationMs: expect.any(Number) }),
    ]);
    expect(headers.get('x-request-id')).toBe('req-42');
    expect(JSON.stringify(lines)).not.toContain(auth.authorization.slice('Bearer '.length));
  });

  test('a request with an upstream error is logged as such, with a generated id', async () => {
    lines.length = 0;
    const { headers } = await gw.query('{ user(id: "999999") { name } }');
    await new Promise((resolve) => setImmediate(resolve));
    const [line] = lines.filter((l) => l.msg === 'graphql request');
    expect(line).toMatchObject({ operation: 'anonymous', outcome: 'error', errors: 1, upstreamCalls: 1 });
    expect(line.requestId).toBe(headers.get('x-request-id'));
    expect(line.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
