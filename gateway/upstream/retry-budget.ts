/**
 * A retry budget (as in Finagle and gRPC): each call deposits `ratio` of a retry, and `minPerSecond`
 * retries are always allowed; a retry spends one. When everything is down, retries stay a fraction
 * of the traffic instead of multiplying it by the number of attempts.
 */
export interface RetryBudget {
  /** Counts a call made for a client request. */
  deposit(): void;
  /** True (and spends one) when a retry is allowed now. */
  trySpend(): boolean;
}

export function createRetryBudget({ ratio, minPerSecond }: { ratio: number; minPerSecond: number }): RetryBudget {
  // Tokens never pile up beyond ten seconds' worth, so a quiet hour does not buy a retry storm.
  const cap = Math.max(10, minPerSecond * 10);
  let tokens = cap;
  let refilledAt = performance.now();
  const refill = () => {
    const now = performance.now();
    tokens = Math.min(cap, tokens + ((now - refilledAt) / 1000) * minPerSecond);
    refilledAt = now;
  };
  return {
    deposit() {
      tokens = Math.min(cap, tokens + ratio);
    },
    trySpend() {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
