import type { IncomingMessage } from 'node:http';
import { clientIp, createClientIdentity, isAddressOrRange } from '../../gateway/ratelimit/client-identity';
import { createMemoryStore } from '../../gateway/ratelimit/memory-store';
import { windowSeconds } from '../../gateway/ratelimit/window';

const request = (remoteAddress: string, forwardedFor?: string) =>
  ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

describe('clientIp', () => {
  test('without trusted proxies: the socket peer, X-Forwarded-For ignored; IPv4-mapped addresses unmapped', () => {
    const ip = clientIp([]);
    expect(ip(request('::ffff:192.0.2.7', '203.0.113.1'))).toBe('192.0.2.7');
    expect(ip(request('2001:db8::1'))).toBe('2001:db8::1');
    expect(ip(undefined)).toBe('unknown');
  });

  test('behind trusted proxies: the rightmost address that is not one of them', () => {
    const ip = clientIp(['10.0.0.0/8', '2001:db8::/32', '192.0.2.1']);
    expect(ip(request('10.1.2.3', 'spoofed, 198.51.100.4, 192.0.2.1'))).toBe('198.51.100.4');
    expect(ip(request('2001:db8::5', '198.51.100.4'))).toBe('198.51.100.4');
    // Every hop trusted: the leftmost one.
    expect(ip(request('10.1.2.3', '10.0.0.9, 192.0.2.1'))).toBe('10.0.0.9');
    // A malformed hop stops the walk at the last address a trusted proxy vouched for.
    expect(ip(request('10.1.2.3', '198.51.100.4, not-an-ip'))).toBe('10.1.2.3');
    // An untrusted peer's header is never read.
    expect(ip(request('198.51.100.9', '10.0.0.1'))).toBe('198.51.100.9');
  });

  test('config entries: addresses and CIDR ranges', () => {
    expect(['10.0.0.0/8', '::1', '2001:db8::/32', '127.0.0.1'].every(isAddressOrRange)).toBe(true);
    expect(['10.0.0.0/33', 'localhost', '10.0.0.0/8/1', '10.0.0.0/x'].some(isAddressOrRange)).toBe(false);
  });
});

test('client keys: user:<sub> for a token, key:<client> for an API key (never the key), ip:<address> for anonymous callers', () => {
  const clientOf = createClientIdentity([]);
  const req = request('::ffff:192.0.2.7', '203.0.113.1');
  const identity = (kind: 'jwt' | 'api-key', subject: string) => ({ identity: { subject, kind, roles: [], scopes: [], claims: {} }, req });
  expect(clientOf(identity('jwt', '42'))).toEqual({ key: 'user:42', class: 'user', ip: '192.0.2.7' });
  expect(clientOf(identity('api-key', 'billing'))).toEqual({ key: 'key:billing', class: 'api_key', ip: '192.0.2.7' });
  expect(clientOf({ identity: null, req })).toEqual({ key: 'ip:192.0.2.7', class: 'anonymous', ip: '192.0.2.7' });
});

describe('memory store and windows', () => {
  test('fixed windows from the first request: refused past max, counting again once the window ends', () => {
    let now = 1_000_000;
    const store = createMemoryStore(() => now);
    expect(store.hit('k', 2, 10)).toEqual({ allowed: true, remaining: 1, resetSeconds: 10 });
    now += 4_500;
    expect(store.hit('k', 2, 10)).toEqual({ allowed: true, remaining: 0, resetSeconds: 6 });
    expect(store.hit('k', 2, 10)).toEqual({ allowed: false, remaining: 0, resetSeconds: 6 });
    expect(store.hit('other', 2, 10)).toMatchObject({ allowed: true });
    now += 5_500;
    expect(store.hit('k', 2, 10)).toEqual({ allowed: true, remaining: 1, resetSeconds: 10 });
  });

  test('windows are read with the library\'s syntax, whole seconds only', () => {
    expect(['10s', '1m', '1h', '1.5m', '2 minutes'].map(windowSeconds)).toEqual([10, 60, 3600, 90, 120]);
    expect(['10', '500ms', '1x', ''].map(windowSeconds)).toEqual([undefined, undefined, undefined, undefined]);
  });
});
