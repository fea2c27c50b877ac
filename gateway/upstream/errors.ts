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

/**
 * Why an upstream could not be reached, for the client: the TLS failure's code (untrusted
 * certificate, wrong name…), or that an HTTPS upstream closed the connection before any reply,
 * which is what one that requires a client certificate does when none is shown. Enough to know
 * sources[].tls is what to fix, and nothing of the upstream's address or internals.
 */
export function unreachableMessage(source: string, cause: unknown, https: boolean): string {
  const { code, socket } = (cause ?? {}) as { code?: unknown; socket?: { bytesRead?: number } };
  if (typeof code === 'string' && /CERT|SSL|TLS|UNABLE_TO_|SELF_SIGNED/.test(code)) {
    return `${source} could not be reached over TLS: ${code} (check the source's tls: ca, servername)`;
  }
  if (https && code === 'UND_ERR_SOCKET' && socket?.bytesRead === 0) {
    return `${source} closed the TLS connection before any reply (an upstream that requires a client certificate does this: check the source's tls: cert, key)`;
  }
  return `${source} could not be reached`;
}
