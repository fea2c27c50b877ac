import type { UsageState } from '../observability/usage';

/** IPC between the primary and the workers of `tessera serve --workers N` (advanced serialization). */
export type ClusterMessage =
  /** worker → primary: the whole cluster's figures, please */
  | { type: 'tessera:figures'; id: number; what: 'metrics' | 'usage' }
  /** primary → worker: the answer */
  | { type: 'tessera:figures-reply'; id: number; metrics?: string; usage?: UsageState[]; error?: string }
  /** primary → worker: your usage state, please; and the answer */
  | { type: 'tessera:usage-state'; id: number }
  | { type: 'tessera:usage-state-reply'; id: number; state: UsageState };

export function isClusterMessage(message: unknown): message is ClusterMessage {
  return typeof message === 'object' && message !== null && String((message as { type?: unknown }).type).startsWith('tessera:');
}
