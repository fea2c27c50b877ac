import { decide, type RateLimitStore } from './store';

/** Expired windows are dropped every this many hits, so idle clients do not stay in memory. */
const SWEEP_EVERY = 1_000;

/**
 * Counters in this process's memory. Synchronous: no await between reading a count and writing it,
 * so concurrent requests in one process are counted exactly. Each process (each `serve --workers`
 * worker) has its own: limits are per process unless Redis is configured.
 */
export function createMemoryStore(now: () => number = Date.now): RateLimitStore {
  const windows = new Map<string, { count: number; endsAt: number }>();
  let hits = 0;
  const sweep = (time: number) => {
    for (const [key, window] of windows) if (window.endsAt <= time) windows.delete(key);
  };
  return {
    kind: 'memory',
    hit(key, max, windowSeconds) {
      const time = now();
      if (++hits % SWEEP_EVERY === 0) sweep(time);
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
