import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { CallTimeout } from '../../gateway/upstream/call-timeout';

// undici's request() with the signal the upstream client gives it, against a real server on loopback.
describe('CallTimeout as the signal of an undici request', () => {
  let server: Server;
  let base: string;
  const agent = new Agent();
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/fast') return res.end('{"ok":true}');
      if (req.url === '/slow-headers') return void setTimeout(() => res.end('{}'), 3_000).unref();
      // Headers at once, the body after 3 s: the limit must also cover reading the body.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"part":');
      setTimeout(() => res.end('1}'), 3_000).unref();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await agent.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function call(path: string, timeout: CallTimeout): Promise<string> {
    try {
      const response = await request(`${base}${path}`, { signal: timeout, dispatcher: agent });
      return await response.body.text();
    } finally {
      timeout.clear();
    }
  }

  test('a reply within the limit is read whole, and nothing of the call is left listening', async () => {
    const timeout = new CallTimeout(2_000);
    await expect(call('/fast', timeout)).resolves.toBe('{"ok":true}');
    expect(timeout.aborted).toBe(false);
    expect((timeout as unknown as { listeners: unknown[] }).listeners).toHaveLength(0);
  });

  test.each([
    ['waiting for headers', '/slow-headers'],
    ['whose body is slow', '/slow-body'],
  ])('the limit ends a call %s, and says it timed out', async (_what, path) => {
    const started = Date.now();
    const timeout = new CallTimeout(200);
    await expect(call(path, timeout)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(timeout.timedOut).toBe(true);
    expect((timeout.reason as DOMException).name).toBe('TimeoutError');
  });

  test("the caller's signal ends the call, which did not time out; its listener is removed afterwards", async () => {
    const caller = new AbortController();
    const removed = jest.spyOn(caller.signal, 'removeEventListener');
    const timeout = new CallTimeout(5_000, caller.signal);
    setTimeout(() => caller.abort(new Error('client went away')), 100);
    await expect(call('/slow-headers', timeout)).rejects.toThrow('client went away');
    expect(timeout.timedOut).toBe(false);
    expect(removed).toHaveBeenCalledWith('abort', expect.any(Function));
  });

  test('a caller signal already aborted ends the call before it is sent', async () => {
    const caller = new AbortController();
    caller.abort(new Error('already gone'));
    const timeout = new CallTimeout(5_000, caller.signal);
    await expect(call('/fast', timeout)).rejects.toThrow('already gone');
    expect(timeout.timedOut).toBe(false);
  });

  test("a finished call no longer listens to the caller's signal", async () => {
    const caller = new AbortController();
    const timeout = new CallTimeout(5_000, caller.signal);
    await call('/fast', timeout);
    caller.abort();
    expect(timeout.aborted).toBe(false);
  });
});
