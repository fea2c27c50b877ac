import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { identityOf } from '../auth/identity';
import { createRequestState } from '../shared/request-state';

/** Metric label of a caller: signed in with a token, with an API key, or anonymous (by IP). */
export type ClientClass = 'user' | 'api_key' | 'anonymous';

export interface Client {
  /** The key its counters are kept under: `user:<sub>`, `key:<client>` or `ip:<address>`. */
  key: string;
  class: ClientClass;
  /** The address the request came from (see `clientIp`). */
  ip: string;
  /** What per-IP counters are kept under: the address, or its /64 for IPv6 (see `addressKey`). */
  ipKey: string;
}

/**
 * Who a request counts against. The identity authentication put on the context (user id from the
 * token, else the API key's client name: never the key itself), else the client's IP address.
 */
export type ClientOf = (context: unknown) => Client;

export function createClientIdentity(trustedProxies: readonly string[]): ClientOf {
  const ipOf = clientIp(trustedProxies);
  // One answer per request: several limits (quota, fields) read it.
  const known = createRequestState<object, Client>('tessera.client');
  return (context) => {
    const cached = typeof context === 'object' && context !== null ? known.get(context) : undefined;
    if (cached) return cached;
    const ip = ipOf((context as { req?: IncomingMessage } | undefined)?.req);
    const ipKey = `ip:${addressKey(ip)}`;
    const identity = identityOf(context);
    const client: Client = identity
      ? { key: `${identity.kind === 'jwt' ? 'user' : 'key'}:${identity.subject}`, class: identity.kind === 'jwt' ? 'user' : 'api_key', ip, ipKey }
      : { key: ipKey, class: 'anonymous', ip, ipKey };
    if (typeof context === 'object' && context !== null) known.set(context, client);
    return client;
  };
}

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy
 * (`server.trustedProxies`, addresses or CIDR ranges); then X-Forwarded-For is read from the right,
 * skipping trusted proxies, and the first address that is not one is the client. Entries to the
 * left of it were written by the client itself and are never believed, so a client cannot choose
 * its identity by sending the header.
 */
export function clientIp(trustedProxies: readonly string[]): (req: IncomingMessage | undefined) => string {
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [address, bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) trusted.addAddress(address, family);
    else trusted.addSubnet(address, Number(bits), family);
  }
  const isTrusted = (address: string) => {
    const family = isIP(address);
    return family !== 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
  return (req) => {
    const peer = normalize(req?.socket?.remoteAddress);
    if (!peer) return 'unknown';
    if (trustedProxies.length === 0 || !isTrusted(peer)) return peer;
    const header = req?.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((hop) => normalize(hop.trim()))
      .filter((hop): hop is string => Boolean(hop));
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      if (isIP(hops[i]) === 0) break; // a malformed hop: stop at the last address a trusted proxy vouched for
      client = hops[i];
      if (!isTrusted(client)) break;
    }
    return client;
  };
}

/**
 * One host commonly holds a whole IPv6 /64 (SLAAC, privacy extensions): counted per address it
 * would get 2^64 fresh quotas by rotating its source address. IPv4 addresses count as they are.
 */
export function addressKey(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const address = ip.split('%')[0]; // a zone id names the local interface, not the client
  const [head, tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

/** IPv4 clients of a dual-stack socket appear as ::ffff:a.b.c.d: one client, one key. */
function normalize(address: string | undefined): string | undefined {
  if (!address) return undefined;
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** For the config: an address or a CIDR range `BlockList` accepts. */
export function isAddressOrRange(entry: string): boolean {
  const [address, bits, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const prefix = Number(bits);
  return /^\d+$/.test(bits) && prefix <= (family === 4 ? 32 : 128);
}
