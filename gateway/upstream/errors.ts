/** Thrown when an upstream does not answer within the source's `timeoutMs` (or the request's deadline). */
export class UpstreamTimeoutError extends Error {
  readonly code = 'UPSTREAM_TIMEOUT';
  constructor(
    readonly source: string,
    readonly timeoutMs: number,
    message = `${source} did not answer within ${Math.round(timeoutMs)} ms`,
  ) {
    super(message);
    this.name = 'UpstreamTimeoutError';
  }
}

/** Thrown when an upstream cannot be reached at all (refused, reset, DNS). */
export class UpstreamUnreachableError extends Error {
  readonly code = 'UPSTREAM_UNAVAILABLE';
  constructor(
    readonly source: string,
    cause: unknown,
    message = `${source} could not be reached`,
  ) {
    super(message, { cause });
    this.name = 'UpstreamUnreachableError';
  }
}

/** Thrown without calling when every instance of a source has its circuit open: fail fast. */
export class UpstreamCircuitOpenError extends UpstreamUnreachableError {
  constructor(source: string) {
    super(source, undefined, `${source} is unavailable (circuit open after repeated failures)`);
    this.name = 'UpstreamCircuitOpenError';
  }
}

/** An upstream reply the gateway will not read: too large, or not JSON where JSON is expected. */
export class UpstreamBadResponseError extends Error {
  readonly code = 'UPSTREAM_BAD_RESPONSE';
  constructor(
    readonly source: string,
    reason: string,
  ) {
    super(`${source} ${reason}`);
    this.name = 'UpstreamBadResponseError';
  }
}
