/**
 * The demo's HS256 secret: public on purpose (README), so `tessera token` and `tessera demo` can
 * mint tokens a person can paste into GraphiQL. The production profile refuses to start with it.
 */
export const DEMO_JWT_SECRET = 'tessera-demo-secret-for-development-only';

/**
 * The demo's identity-header secret, shared by the demo services and the demo config
 * (`${ORDERS_IDENTITY_SECRET:-…}`); public too, and refused by the production profile as well.
 */
export const DEMO_IDENTITY_SECRET = 'tessera-demo-identity-secret';
