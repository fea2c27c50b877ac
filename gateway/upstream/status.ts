/** A snapshot of the upstream pools, for /readyz, /metrics and the status page. */
export interface InstanceStatus {
  /** Base URL of the instance (operators' view; never sent to GraphQL clients). */
  url: string;
  healthy: boolean;
  circuit: 'closed' | 'open' | 'half-open';
  /** Requests to this instance in flight now. */
  inFlight: number;
}

export interface SourceStatus {
  source: string;
  instances: InstanceStatus[];
}

/** The composed schema the gateway serves now. */
export interface SchemaStatus {
  /** sha256 (hex, first 12 chars) of the printed public SDL. */
  version: string;
  loadedAt: Date;
  /** Why the last reload failed (the last good schema is still served), if it did. */
  lastReloadError?: string;
  /** Config settings changed since start that only a restart applies (`server.port`…), after a reload that read them. */
  restartRequired?: string[];
  /** Sources that could not be read when this schema was composed: served from their last known good spec, or left out. */
  degradedSources?: Array<{ source: string; how: 'last-known-good' | 'skipped'; reason: string }>;
}

/** Implemented by the gateway; read by health, metrics and the status page. */
export interface GatewayStatus {
  sources(): SourceStatus[];
  schema(): SchemaStatus;
}
