import type { UpstreamCall } from '../upstream/fetch';

/** What the usage statistics learn from one finished GraphQL request. */
export interface RequestUsage {
  operation: string;
  durationMs: number;
  /** `Type.field` coordinates the operation selected (each once per request). */
  fields: readonly string[];
  errors: ReadonlyArray<{ code: string; message: string; path?: ReadonlyArray<string | number> }>;
}

export interface UsageOptions {
  /** How far back the figures reach. Default 300 s. */
  windowSeconds?: number;
  /** Granularity of the window and of the time series. Default 10 s. */
  bucketSeconds?: number;
  /** Most distinct operation names (and fields, ×5) kept per bucket; the rest count as `other`. Default 200. */
  maxOperations?: number;
  /** Latency samples kept per operation per bucket (reservoir sampling beyond). Default 500. */
  samplesPerBucket?: number;
  /** Recent errors kept. Default 20. */
  recentErrors?: number;
  /** Clock, in ms; tests may pass their own. */
  now?: () => number;
}

export interface LatencySummary {
  count: number;
  errors: number;
  errorRate: number;
  p50Ms: number;
  p99Ms: number;
}

export interface UsageSnapshot {
  windowSeconds: number;
  bucketSeconds: number;
  /** How many processes the figures add up (cluster workers; 1 otherwise). */
  processes: number;
  totals: LatencySummary & { ratePerSecond: number };
  /** One point per bucket, oldest first; empty buckets included so charts keep their time axis. */
  series: Array<{ at: string; count: number; errors: number; p50Ms: number; p99Ms: number }>;
  operations: Array<LatencySummary & { operation: string }>;
  fields: Array<{ field: string; count: number }>;
  upstreams: Array<LatencySummary & { source: string; instance: string }>;
  recentErrors: Array<{ at: string; operation: string; code: string; message: string; path?: ReadonlyArray<string | number> }>;
}

/** Counts, error counts and a bounded latency sample (read as plain fields: it crosses processes). */
class Tally {
  count = 0;
  errors = 0;
  samples: number[] = [];
  add(durationMs: number, failed: boolean, maxSamples: number) {
    this.count++;
    if (failed) this.errors++;
    // Reservoir sampling keeps memory bounded under load while every request still counts.
    if (this.samples.length < maxSamples) this.samples.push(durationMs);
    else {
      const slot = Math.floor(Math.random() * this.count);
      if (slot < maxSamples) this.samples[slot] = durationMs;
    }
  }
}

/** One slice of the window; its maps survive structured clone (cluster IPC). */
export interface Bucket {
  start: number;
  all: Tally;
  operations: Map<string, Tally>;
  fields: Map<string, number>;
  upstreams: Map<string, Tally>;
}

/** The raw figures of one process, for merging several (cluster workers) into one snapshot. */
export interface UsageState {
  buckets: Bucket[];
  errors: UsageSnapshot['recentErrors'];
}

export interface UsageStats {
  recordRequest(usage: RequestUsage): void;
  recordUpstream(call: UpstreamCall): void;
  /** This process's raw figures (structured-clone safe: sent between cluster workers). */
  state(): UsageState;
  /** The figures of this process; or, given the states of several (cluster workers, this one among them), of all of them. */
  snapshot(states?: UsageState[]): UsageSnapshot;
}

/**
 * Rolling usage statistics over a time window split into buckets; a bucket older than the window is
 * dropped whole. Memory is bounded: a fixed number of buckets, at most `maxOperations` operation
 * names and `5 × maxOperations` fields per bucket (client input must not grow it), and a capped
 * latency sample per name. Counts are exact; percentiles come from the samples.
 *
 * Our own code rather than a library: prom-client's histograms are cumulative since start-up and
 * have fixed buckets, while this page wants "the last few minutes" per operation and a top-N.
 */
export function createUsageStats(options: UsageOptions = {}): UsageStats {
  const { windowSeconds = 300, bucketSeconds = 10, maxOperations = 200, samplesPerBucket = 500, recentErrors = 20, now = Date.now } = options;
  const bucketMs = bucketSeconds * 1000;
  const bucketCount = Math.max(1, Math.ceil(windowSeconds / bucketSeconds));
  const maxFields = maxOperations * 5;
  let buckets: Bucket[] = [];
  const errors: UsageSnapshot['recentErrors'] = [];

  const current = (): Bucket => {
    const start = Math.floor(now() / bucketMs) * bucketMs;
    const last = buckets[buckets.length - 1];
    if (last?.start === start) return last;
    const bucket: Bucket = { start, all: new Tally(), operations: new Map(), fields: new Map(), upstreams: new Map() };
    buckets.push(bucket);
    buckets = buckets.filter((b) => b.start > start - bucketCount * bucketMs);
    return bucket;
  };
  const bounded = <V>(map: Map<string, V>, key: string, max: number) => (map.has(key) || map.size < max ? key : 'other');
  const tally = (map: Map<string, Tally>, key: string) => {
    let found = map.get(key);
    if (!found) map.set(key, (found = new Tally()));
    return found;
  };

  return {
    recordRequest({ operation, durationMs, fields, errors: requestErrors }) {
      const bucket = current();
      const failed = requestErrors.length > 0;
      bucket.all.add(durationMs, failed, samplesPerBucket);
      tally(bucket.operations, bounded(bucket.operations, operation, maxOperations)).add(durationMs, failed, samplesPerBucket);
      for (const field of fields) {
        const key = bounded(bucket.fields, field, maxFields);
        bucket.fields.set(key, (bucket.fields.get(key) ?? 0) + 1);
      }
      if (!failed) return;
      const at = new Date(now()).toISOString();
      for (const error of requestErrors) errors.push({ at, operation, ...error });
      errors.splice(0, Math.max(0, errors.length - recentErrors));
    },
    recordUpstream(call) {
      const bucket = current();
      // Sources and instances come from the config, so they are bounded already.
      const failed = call.status === 'timeout' || call.status === 'network_error' || Number(call.status) >= 500;
      tally(bucket.upstreams, `${call.source} ${call.instance}`).add(call.durationMs, failed, samplesPerBucket);
    },
    state: () => ({ buckets, errors }),
    snapshot(states) {
      const newest = current().start;
      const all = states ?? [{ buckets, errors }];
      const live = all.flatMap((state) => state.buckets).filter((b) => b.start > newest - bucketCount * bucketMs);
      const merge = (pick: (b: Bucket) => Map<string, Tally>) => {
        const merged = new Map<string, Tally[]>();
        for (const bucket of live) for (const [key, t] of pick(bucket)) merged.set(key, [...(merged.get(key) ?? []), t]);
        return [...merged].map(([key, tallies]) => ({ key, ...summarize(tallies) })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
      };
      const fieldCounts = new Map<string, number>();
      for (const bucket of live) for (const [field, count] of bucket.fields) fieldCounts.set(field, (fieldCounts.get(field) ?? 0) + count);
      const byStart = new Map<number, Tally[]>();
      for (const bucket of live) byStart.set(bucket.start, [...(byStart.get(bucket.start) ?? []), bucket.all]);
      const series: UsageSnapshot['series'] = [];
      for (let i = bucketCount - 1; i >= 0; i--) {
        const start = newest - i * bucketMs;
        const { count, errors: failed, p50Ms, p99Ms } = summarize(byStart.get(start) ?? []);
        series.push({ at: new Date(start).toISOString(), count, errors: failed, p50Ms, p99Ms });
      }
      const totals = summarize(live.map((b) => b.all));
      // Rate over the time the window has actually covered (a fresh gateway has not run 5 minutes).
      const oldest = Math.min(...live.map((b) => b.start));
      const covered = live.length ? (now() - oldest) / 1000 : 0;
      return {
        windowSeconds: bucketCount * bucketSeconds,
        bucketSeconds,
        totals: { ...totals, ratePerSecond: covered > 0 ? round(totals.count / Math.max(covered, 1)) : 0 },
        series,
        operations: merge((b) => b.operations).map(({ key, ...s }) => ({ operation: key, ...s })),
        fields: [...fieldCounts].map(([field, count]) => ({ field, count })).sort((a, b) => b.count - a.count || a.field.localeCompare(b.field)),
        upstreams: merge((b) => b.upstreams).map(({ key, ...s }) => {
          const [source, instance] = key.split(' ');
          return { source, instance, ...s };
        }),
        // Newest first (kept oldest first; a stable sort keeps same-millisecond errors in order).
        processes: all.length,
        recentErrors: all
          .flatMap((state) => [...state.errors].reverse())
          .sort((x, y) => y.at.localeCompare(x.at))
          .slice(0, recentErrors),
      };
    },
  };
}

function summarize(tallies: Array<Pick<Tally, 'count' | 'errors' | 'samples'>>): LatencySummary {
  const count = tallies.reduce((n, t) => n + t.count, 0);
  const errors = tallies.reduce((n, t) => n + t.errors, 0);
  const samples = tallies.flatMap((t) => t.samples).sort((a, b) => a - b);
  return { count, errors, errorRate: count ? round(errors / count) : 0, p50Ms: percentile(samples, 0.5), p99Ms: percentile(samples, 0.99) };
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
