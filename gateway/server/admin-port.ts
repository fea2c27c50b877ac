import type { Plugin } from 'graphql-yoga';

/** The server context the admin listener passes to yoga (see listen.ts). */
export interface AdminListenerContext {
  adminListener?: boolean;
}

/** Operators' endpoints: with `server.adminPort` set they are served on that port only. */
export const ADMIN_PATHS = ['/metrics', '/_tessera', '/_tessera/usage', '/_tessera/cache/purge'];
/** Answered on both ports: an orchestrator may probe either. */
const PROBE_PATHS = ['/healthz', '/readyz'];

/**
 * With a separate admin port, the public port answers 404 for the operators' endpoints and the
 * admin port answers 404 for everything else, so a deployment exposes only the public port.
 * Requests are told apart by the listener they came in on, never by a header a client can set.
 */
export function useAdminPort(enabled: boolean): Plugin {
  if (!enabled) return {};
  return {
    onRequest({ url, serverContext, endResponse, fetchAPI }) {
      const onAdminListener = (serverContext as AdminListenerContext | undefined)?.adminListener === true;
      const adminPath = ADMIN_PATHS.includes(url.pathname);
      if (adminPath === onAdminListener || PROBE_PATHS.includes(url.pathname)) return;
      endResponse(new fetchAPI.Response(null, { status: 404 }));
    },
  };
}
