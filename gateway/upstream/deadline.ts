import type { Plugin } from 'graphql-yoga';
import { createRequestState } from '../shared/request-state';

/**
 * Each client request gets a deadline when it arrives; upstream calls (and their retries) are given
 * only what is left of it, so none outlives its request. Kept on the request (../shared/request-state),
 * which the GraphQL context carries down to the upstream fetch.
 */
export function useRequestDeadline(requestTimeoutMs: number) {
  const deadlines = createRequestState<object, number>('tessera.deadline');
  const plugin: Plugin = {
    onRequest({ request }) {
      deadlines.set(request, performance.now() + requestTimeoutMs);
    },
  };
  const remainingMs = (context: unknown): number | undefined => {
    const request = (context as { request?: object } | undefined)?.request;
    const deadline = request ? deadlines.get(request) : undefined;
    return deadline === undefined ? undefined : deadline - performance.now();
  };
  return { plugin, remainingMs };
}
