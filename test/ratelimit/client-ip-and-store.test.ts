import type { IncomingMessage } from 'node:http';
import { addressKey, clientIp, createClientIdentity, isAddressOrRange } from '../../gateway/ratelimit/client-identity';
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
  const ipKey = 'ip:192.0.2.7';
  expect(clientOf(identity('jwt', '42'))).toEqual({ key: 'user:42', class: 'user', ip: '192.0.2.7', ipKey });
  expect(clientOf(identity('api-key', 'billing'))).toEqual({ key: 'key:billing', class: 'api_key', ip: '192.0.2.7', ipKey });
  expect(clientOf({ identity: null, req })).toEqual({ key: ipKey, class: 'anonymous', ip: '192.0.2.7', ipKey });
});

test('IPv6 callers count by their /64: rotating addresses inside one prefix does not buy a fresh quota', () => {
  const clientOf = createClientIdentity([]);
  const anonymousFrom = (address: string) => clientOf({ identity: null, req: request(address) }).key;
  expect(anonymousFrom('2001:db8:1:2:aaaa::1')).toBe('ip:2001:db8:1:2::/64');
  expect(anonymousFrom('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('ip:2001:db8:1:2::/64');
  expect(anonymousFrom('2001:db8:1:3::1')).toBe('ip:2001:db8:1:3::/64'); // the next /64 is another client
  expect(anonymousFrom('::1')).toBe('ip:0:0:0:0::/64');
  expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  expect(addressKey('198.51.100.4')).toBe('198.51.100.4');
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

  test('expired windows of idle clients are dropped a few per hit, never all at once', () => {
    let now = 0;
    const store = createMemoryStore(() => now);
    for (let i = 0; i < 1_000; i++) store.hit(`idle-${i}`, 5, 10);
    expect(store.size).toBe(1_000);
    now += 10_000; // every idle window has ended
    store.hit('active', 5, 10);
    expect(store.size).toBeGreaterThan(990); // one hit looked at a couple of entries only
    for (let i = 0; i < 600; i++) store.hit('active', 5_000, 10);
    expect(store.size).toBe(1); // 601 hits, two entries each: all 1,000 idle windows are gone
  });

  test('windows are read with the library\'s syntax, whole seconds only', () => {
    expect(['10s', '1m', '1h', '1.5m', '2 minutes'].map(windowSeconds)).toEqual([10, 60, 3600, 90, 120]);
    expect(['10', '500ms', '1x', ''].map(windowSeconds)).toEqual([undefined, undefined, undefined, undefined]);
  });
});
