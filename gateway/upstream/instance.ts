import { CircuitBreakerPolicy, CircuitState, CountBreaker, circuitBreaker, handleWhen } from 'cockatiel';
import type { SourceResilience } from '../config/schema';
import { UpstreamTimeoutError, UpstreamUnreachableError } from './errors';
import type { InstanceStatus } from './status';

/** What one call to an instance gave: a reply (any status) the caller reads. */
export interface InstanceReply {
  status: number;
}

/** Calls that say the instance is in trouble: no answer, or a 5xx. 4xx replies are the caller's fault. */
const instanceFailed = handleWhen((error) => error instanceof UpstreamTimeoutError || error instanceof UpstreamUnreachableError).orWhenResult(
  (reply) => (reply as InstanceReply).status >= 500,
);

/**
 * One instance of a source: its circuit breaker, its passive health and the calls in flight to it.
 *
 * The breaker is cockatiel's (well kept, no dependencies): its CountBreaker is the "error rate over a
 * window of calls" state machine, with the half-open probe, which is the part worth not rewriting.
 * Health (taken out after N failures in a row, back in after a probe) is ours: cockatiel has no
 * notion of it.
 */
export class UpstreamInstance {
  inFlight = 0;
  healthy = true;
  private consecutiveFailures = 0;
  private openedAt = 0;
  private readonly breaker: CircuitBreakerPolicy;

  constructor(
    readonly url: string,
    private readonly options: SourceResilience,
  ) {
    const { failureRate, window, minimumCalls, halfOpenAfterMs } = options.breaker;
    this.breaker = circuitBreaker(instanceFailed, {
      halfOpenAfter: halfOpenAfterMs,
      breaker: new CountBreaker({ threshold: failureRate, size: window, minimumNumberOfCalls: Math.min(minimumCalls, window) }),
    });
    this.breaker.onBreak(() => (this.openedAt = Date.now()));
  }

  get circuit(): InstanceStatus['circuit'] {
    const state = this.breaker.state;
    return state === CircuitState.Closed ? 'closed' : state === CircuitState.HalfOpen ? 'half-open' : 'open';
  }

  /**
   * Closed, or open long enough that the next call is its half-open probe. Not while half-open:
   * the probe is in flight, and calls queued behind it would wait outside any timeout.
   */
  acceptsCalls(): boolean {
    const circuit = this.circuit;
    return circuit === 'closed' || (circuit === 'open' && Date.now() - this.openedAt >= this.options.breaker.halfOpenAfterMs);
  }

  /** Runs one call through the breaker; throws cockatiel's BrokenCircuitError while it is open. */
  async call<T extends InstanceReply>(attempt: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      const reply = await this.breaker.execute(attempt);
      this.recordOutcome(reply.status < 500);
      return reply;
    } catch (error) {
      if (error instanceof UpstreamTimeoutError || error instanceof UpstreamUnreachableError) this.recordOutcome(false);
      throw error;
    } finally {
      this.inFlight--;
    }
  }

  /** Passive health: N failures in a row take the instance out; a success (or a good probe) puts it back. */
  recordOutcome(ok: boolean): void {
    if (ok) {
      this.consecutiveFailures = 0;
      this.healthy = true;
    } else if (++this.consecutiveFailures >= this.options.health.unhealthyAfter) {
      this.healthy = false;
    }
  }

  /** Active health: a failed probe takes the instance out at once, a good one puts it back. */
  recordProbe(ok: boolean): void {
    if (ok) this.recordOutcome(true);
    else this.healthy = false;
  }

  status(): InstanceStatus {
    return { url: this.url, healthy: this.healthy, circuit: this.circuit, inFlight: this.inFlight };
  }
}
