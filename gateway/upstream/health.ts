import { request, type Dispatcher } from 'undici';
import type { SourceResilience } from '../config/schema';
import type { UpstreamInstance } from './instance';

/** One health probe, for its own metric (probes are never counted as client traffic). */
export interface HealthProbe {
  source: string;
  instance: string;
  healthy: boolean;
}

export interface HealthChecker {
  /** Settles when the first round of probes is done (at once when active checks are off). */
  firstRound: Promise<void>;
  stop(): void;
}

/**
 * Active health checks: every `intervalMs`, GET `path` on each instance (any status below 500 is
 * healthy). With `active: false` only the instances that passive health took out are probed, so
 * they still come back in.
 */
export function startHealthChecks(
  source: string,
  instances: readonly UpstreamInstance[],
  options: SourceResilience['health'],
  dispatcher: Dispatcher,
  onProbe: (probe: HealthProbe) => void,
): HealthChecker {
  const probe = async (instance: UpstreamInstance) => {
    let healthy: boolean;
    try {
      const response = await request(new URL(options.path.slice(1), withSlash(instance.url)), {
        method: 'GET',
        dispatcher,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await response.body.dump();
      healthy = response.statusCode < 500;
    } catch {
      healthy = false;
    }
    instance.recordProbe(healthy);
    onProbe({ source, instance: instance.url, healthy });
  };
  let running: Promise<unknown> | undefined;
  const round = (all: boolean) => {
    // A slow round is not stacked on: the next tick waits for it.
    running ??= Promise.all(instances.filter((i) => all || !i.healthy).map(probe)).finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void round(options.active), options.intervalMs);
  timer.unref();
  return { firstRound: options.active ? round(true).then(() => undefined) : Promise.resolve(), stop: () => clearInterval(timer) };
}

/** The probe path is resolved under the instance's base path (`/health` on `http://h/api` is `/api/health`). */
function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
