/** What a store answers for one counted request. */
export interface Decision {
  /** Within the limit (this request counted as one of the `max`). */
  allowed: boolean;
  /** Requests left in the current window (0 when refused). */
  remaining: number;
  /** Seconds until the window ends and the count starts again (at least 1). */
  resetSeconds: number;
}

/**
 * A counter per key in fixed windows that start at a key's first request. `hit` counts one request
 * and decides in the same step: the decision and the write cannot be split by another request, in
 * this process (the memory store is synchronous) or across instances (the Redis store runs one Lua
 * script). @envelop/rate-limiter's stores offer `getForIdentity` then `setForIdentity`: two
 * concurrent requests both read 9 of 10 and both pass, so its limits are not exact; its store
 * interface cannot express an atomic count, hence this one.
 *
 * Fixed windows rather than the library's sliding log of timestamps: one integer per key instead
 * of up to `max` timestamps (a quota of 1,000 a minute per IP would keep 1,000), and a reset time
 * to put in `RateLimit-Reset`. The price: a client may spend one window's `max` at its end and the
 * next one's at the start.
 */
export interface RateLimitStore {
  readonly kind: 'memory' | 'redis';
  hit(key: string, max: number, windowSeconds: number): Decision | Promise<Decision>;
  close(): Promise<void>;
}

export function decide(count: number, max: number, ttlMs: number): Decision {
  return { allowed: count <= max, remaining: Math.max(0, max - count), resetSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) };
}
