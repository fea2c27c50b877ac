import { decide, type RateLimitStore } from './store';

/**
 * Entries each hit looks at for expiry, so idle clients do not stay in memory. A few per hit
 * rather than a full scan now and then: with many clients a scan would stall the requests behind it,
 * and since every new key takes a hit, sweeping keeps pace with growth.
 */
const SWEEP_PER_HIT = 2;

/**
 * Counters in this process's memory. Synchronous: no await between reading a count and writing it,
 * so concurrent requests in one process are counted exactly. Each process (each `serve --workers`
 * worker) has its own: limits are per process unless Redis is configured.
 */
export function createMemoryStore(now: () => number = Date.now): RateLimitStore & { readonly size: number } {
  const windows = new Map<string, { count: number; endsAt: number }>();
  // A Map iterator stays valid while entries are deleted and added; at its end it starts again.
  let cursor = windows.entries();
  const sweep = (time: number) => {
    for (let seen = 0; seen < SWEEP_PER_HIT; seen++) {
      let next = cursor.next();
      if (next.done) next = (cursor = windows.entries()).next();
      if (next.done) return;
      const [key, window] = next.value;
      if (window.endsAt <= time) windows.delete(key);
    }
  };
  return {
    kind: 'memory',
    get size() {
      return windows.size;
    },
    hit(key, max, windowSeconds) {
      const time = now();
      sweep(time);
      let window = windows.get(key);
      if (!window || window.endsAt <= time) {
        window = { count: 0, endsAt: time + windowSeconds * 1000 };
        windows.set(key, window);
      }
      window.count++;
      return decide(window.count, max, window.endsAt - time);
    },
    close: async () => windows.clear(),
  };
}
