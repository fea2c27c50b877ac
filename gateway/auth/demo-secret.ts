/**
 * The demo's HS256 secret: public on purpose (README), so `tessera token` and `tessera demo` can
 * mint tokens a person can paste into GraphiQL. The production profile refuses to start with it.
 */
export const DEMO_JWT_SECRET = 'tessera-demo-secret-for-development-only';
