import { z } from 'zod';
import { DEMO_IDENTITY_SECRET, DEMO_JWT_SECRET } from '../auth/demo-secret';
import { isAddressOrRange } from '../ratelimit/client-identity';
import { PLACEHOLDERS_EXPECTED, unknownPlaceholders } from '../ratelimit/errors';
import { windowSeconds } from '../ratelimit/window';

/**
 * The one configuration document. Every knob is declared here, once, with its default and a
 * description; `tessera.config.schema.json` is generated from this file for editor completion.
 */

const typeFieldKey = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/, 'expected "Type.field", e.g. "Order.customer"');

const typeOrFieldKey = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/, 'expected "Type" or "Type.field"');

const graphqlName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a GraphQL name ([A-Za-z_][A-Za-z0-9_]*)');

const redisUrl = z.url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' });

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

const transformsSchema = z
  .object({
    rename: z
      .object({
        types: z.record(graphqlName, graphqlName).default({}).describe('Type renames: { GeneratedName: NewName }, applied after the naming rules.'),
        fields: z
          .record(typeFieldKey, graphqlName)
          .default({})
          .describe('Field renames: { "Type.field": newName }; root fields are "Query.x" / "Mutation.x" (names after the naming rules).'),
      })
      .strict()
      .prefault({}),
    hide: z
      .array(typeOrFieldKey)
      .default([])
      .describe('Types ("Type") or fields ("Type.field", "Query.x") removed from the public schema.'),
  })
  .strict();

const upstreamCredentialsSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('apiKey'),
      value: z.string().min(1).describe('The key (use ${ENV}).'),
      header: z.string().optional().describe("Header to send it in; default: the spec's apiKey security scheme (in: header)."),
    })
    .strict(),
  z.object({ type: z.literal('bearer'), token: z.string().min(1).describe('The token (use ${ENV}).') }).strict(),
  z
    .object({
      type: z.literal('oauth2'),
      clientId: z.string().min(1),
      clientSecret: z.string().min(1).describe('Use ${ENV}.'),
      tokenUrl: httpUrl.optional().describe("Default: the spec's oauth2 clientCredentials flow tokenUrl."),
      scopes: z.array(z.string()).default([]),
    })
    .strict()
    .describe('OAuth2 client credentials: the token is cached until it expires.'),
]);

const sourceResilienceSchema = z
  .object({
    balancing: z
      .enum(['round-robin', 'least-outstanding'])
      .default('round-robin')
      .describe('How calls are spread over the instances: in turn, or to the one with the fewest calls in flight.'),
    connectTimeoutMs: z.number().int().positive().default(2_000).describe('Time allowed to open a connection to an instance.'),
    maxConnections: z.number().int().positive().default(128).describe('Most keep-alive connections to one instance.'),
    maxResponseBytes: z
      .number()
      .int()
      .positive()
      .default(10 * 1024 * 1024)
      .describe('Largest upstream reply body read; a larger one fails its field (UPSTREAM_BAD_RESPONSE).'),
    retries: z
      .object({
        attempts: z.number().int().min(0).max(10).default(2).describe('Retries after the first attempt (0: none).'),
        initialDelayMs: z.number().int().min(0).default(25).describe('First backoff delay; later ones grow exponentially, with jitter.'),
        maxDelayMs: z.number().int().min(0).default(1_000).describe('Longest backoff delay.'),
      })
      .strict()
      .prefault({})
      .describe('Retries of GET/HEAD calls (and of idempotentOperations) on connection errors, timeouts and 502/503/504, on another instance where there is one.'),
    idempotentOperations: z
      .array(z.string().min(1))
      .default([])
      .describe('operationIds of non-GET operations that may be retried (e.g. a PUT that replaces).'),
    breaker: z
      .object({
        failureRate: z.number().gt(0).lt(1).default(0.5).describe('Share of failed calls in the window that opens the circuit.'),
        window: z.number().int().positive().default(20).describe('How many of the latest calls to an instance the failure rate is taken over.'),
        minimumCalls: z.number().int().positive().default(5).describe('Calls in the window before the circuit may open.'),
        halfOpenAfterMs: z.number().int().positive().default(5_000).describe('How long a circuit stays open before one probe call is let through.'),
      })
      .strict()
      .prefault({})
      .describe('Circuit breaker per instance; while every instance is open, calls fail fast with UPSTREAM_UNAVAILABLE.'),
    whenDown: z
      .enum(['fail', 'last-known-good', 'skip'])
      .default('fail')
      .describe(
        'When the spec (URL) or schema (introspection) cannot be read while composing: fail; last-known-good: use the copy saved in resilience.specCache on the last good read; skip: compose without this source (and the links that need it). Skipped or cached sources are retried every reload.pollIntervalMs.',
      ),
    health: z
      .object({
        active: z.boolean().default(true).describe('Probe every instance at `intervalMs` (when false, only instances taken out are probed).'),
        path: z.string().regex(/^\//, 'expected a path starting with /').default('/').describe('Path probed on each instance; any HTTP status below 500 is healthy.'),
        intervalMs: z.number().int().positive().default(5_000).describe('Time between probes.'),
        timeoutMs: z.number().int().positive().default(2_000).describe('Time a probe may take.'),
        unhealthyAfter: z.number().int().positive().default(3).describe('Consecutive failed calls that take an instance out until a probe succeeds.'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** How the gateway reaches an upstream over HTTPS: which CA to trust, which client certificate to show. */
const upstreamTlsSchema = z
  .object({
    ca: z.string().min(1).optional().describe('PEM file of the CA(s) that signed the upstream certificate (relative to the config file); default: the system CAs.'),
    cert: z.string().min(1).optional().describe('PEM file of the client certificate shown to the upstream (mutual TLS); needs `key`.'),
    key: z.string().min(1).optional().describe('PEM file of the client certificate\'s private key; needs `cert`.'),
    servername: z.string().min(1).optional().describe('Name checked against the upstream certificate (and sent as SNI) instead of the URL host.'),
  })
  .strict()
  .refine((tls) => (tls.cert === undefined) === (tls.key === undefined), { message: 'expected both `cert` and `key` (a client certificate needs its key), or neither', path: ['cert'] });

const sourceBase = {
  name: graphqlName.describe('Source name: used in errors, metrics and logs.'),
  url: httpUrl.optional().describe('Upstream base URL (REST) or GraphQL endpoint URL (one instance; `urls` for several).'),
  urls: z.array(httpUrl).min(1, 'expected at least one URL').optional().describe('Several instances of the same service, load-balanced.'),
  resilience: sourceResilienceSchema.prefault({}),
  headers: z.record(z.string(), z.string()).default({}).describe('Static headers sent upstream (use ${ENV} for secrets).'),
  forwardHeaders: z
    .array(z.string().transform((h) => h.toLowerCase()))
    .default(['authorization', 'accept-language', 'x-request-id'])
    .describe('Client request headers forwarded to this upstream.'),
  timeoutMs: z.number().int().positive().default(10_000).describe('Total time allowed for one upstream call (each attempt).'),
  transforms: transformsSchema.prefault({}),
  identityHeaders: z
    .object({ secret: z.string().min(16, 'expected a secret of at least 16 characters (use ${ENV})') })
    .strict()
    .optional()
    .describe("Send the caller's identity as X-User-Id/-Roles/-Scopes, HMAC-SHA256-signed over method, path and time with this secret."),
  credentials: upstreamCredentialsSchema.optional().describe("The gateway's own credentials for this upstream (the spec's securitySchemes)."),
  tls: upstreamTlsSchema.optional().describe('HTTPS to this upstream (calls, probes, spec URL): a custom CA and/or a client certificate.'),
};

const deprecationSchema = z
  .object({
    reason: z.string().min(1).describe('Deprecation reason clients see, e.g. "Use contactEmail."'),
    removeAfter: z.iso.date().optional().describe('Date (YYYY-MM-DD) after which the field may go; composing warns once it has passed.'),
    type: z
      .string()
      .regex(/^(\[[A-Za-z_][A-Za-z0-9_]*!?\]|[A-Za-z_][A-Za-z0-9_]*)!?$/, 'expected a GraphQL type such as "String!" or "[Review]"')
      .optional()
      .describe('The type the field had (public names): needed, and used, only when the spec no longer has the field.'),
    property: z.string().min(1).optional().describe('JSON property the kept field reads from the upstream answer (default: the field name).'),
  })
  .strict();

export const openApiSourceSchema = z
  .object({
    kind: z.literal('openapi').default('openapi'),
    ...sourceBase,
    spec: z.string().min(1).describe('OpenAPI 3.x or Swagger 2.0 document (YAML or JSON): a path relative to the config file, or a URL.'),
    deprecations: z
      .record(typeFieldKey, deprecationSchema)
      .default({})
      .describe('{ "Type.field": { reason, removeAfter?, type? } }: mark fields @deprecated, and keep fields removed from the spec for a while.'),
  })
  .strict();

export const graphqlSourceSchema = z
  .object({
    kind: z.literal('graphql'),
    ...sourceBase,
    sdl: z.string().min(1).optional().describe('SDL file of the service; without it the schema is read by introspection at start-up.'),
  })
  .strict();

export const sourceSchema = z.discriminatedUnion('kind', [openApiSourceSchema, graphqlSourceSchema]).superRefine((source, context) => {
  if ((source.url === undefined) === (source.urls === undefined)) {
    context.addIssue({ code: 'custom', path: ['url'], message: 'expected either `url` (one instance) or `urls` (several), not both or neither' });
  }
});

export const linkSchema = z
  .object({
    type: z
      .string()
      .regex(/^(\[[A-Za-z_][A-Za-z0-9_]*\]|[A-Za-z_][A-Za-z0-9_]*)$/, 'expected a type name ("User") or a list of one ("[Review]")')
      .describe('GraphQL type of the new field: "User" for one, "[Review]" for many.'),
    from: graphqlName.describe('Field of the parent type that holds the key, e.g. "userId".'),
    query: graphqlName.describe('Root query field (public name) that resolves the link, e.g. "users".'),
    argument: graphqlName.describe('Argument of `query` that takes the key; when it is a list, keys are batched: one call per link per level.'),
    matchOn: graphqlName
      .default('id')
      .describe('For batched links: field of each result matched to the key (results are matched by key, never by position).'),
    args: z.record(graphqlName, z.union([z.string(), z.number(), z.boolean()])).default({}).describe('Fixed extra arguments for `query`.'),
    batchSize: z
      .number()
      .int()
      .positive()
      .default(200)
      .describe('For batched links: at most this many keys per upstream call (more keys make more calls, run concurrently).'),
    description: z.string().optional(),
  })
  .strict();

/**
 * An authorization rule, as written in `auth.rules`. Strings for the common cases, objects for the
 * ones that take a value, `and`/`or`/`not` to combine them.
 */
export type RuleInput =
  | 'allow'
  | 'deny'
  | 'authenticated'
  | { role: string }
  | { scope: string }
  | { owner: { field: string; claim?: string } }
  | { argument: { path: string; claim?: string } }
  | { and: RuleInput[] }
  | { or: RuleInput[] }
  | { not: RuleInput };

const claimName = z.string().min(1).default('sub').describe('Token claim compared with the value (default "sub").');
export const ruleSchema: z.ZodType<RuleInput> = z.lazy(() =>
  z.union([
    z.enum(['allow', 'deny', 'authenticated']),
    z.object({ role: z.string().min(1) }).strict(),
    z.object({ scope: z.string().min(1) }).strict(),
    z
      .object({ owner: z.object({ field: graphqlName.describe('Field of the parent object, e.g. "id".'), claim: claimName }).strict() })
      .strict()
      .describe('The parent object belongs to the caller: parent[field] equals the claim.'),
    z
      .object({
        argument: z
          .object({ path: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'expected an argument path, e.g. "input.userId"'), claim: claimName })
          .strict(),
      })
      .strict()
      .describe('An argument (dotted path into it) equals the claim, e.g. a customer creating an order for themselves.'),
    z.object({ and: z.array(ruleSchema).min(1) }).strict(),
    z.object({ or: z.array(ruleSchema).min(1) }).strict(),
    z.object({ not: ruleSchema }).strict(),
  ]),
) as z.ZodType<RuleInput>;

const jwtSchema = z
  .object({
    secret: z.string().min(1).optional().describe('HS256 shared secret (use ${ENV}).'),
    publicKey: z.string().min(1).optional().describe('PEM public key (SPKI) for RS256 or ES256, inline or a path to a .pem file.'),
    jwksUrl: httpUrl.optional().describe('JWKS endpoint; keys are cached and re-fetched when a token names an unknown `kid`.'),
    jwksCooldownSeconds: z
      .number()
      .min(0)
      .default(30)
      .describe('Least time between two JWKS fetches, so tokens with made-up `kid`s cannot hammer the identity provider.'),
    algorithms: z
      .array(z.enum(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA']))
      .optional()
      .describe('Accepted algorithms (default: HS256 with `secret`, RS256/ES256 with a key or JWKS). `none` is never accepted.'),
    issuer: z.string().optional().describe('Required `iss`.'),
    audience: z.string().optional().describe('Required `aud`.'),
    clockSkewSeconds: z.number().int().min(0).default(30).describe('Leeway for `exp` and `nbf`.'),
    requireExp: z.boolean().default(true).describe('Refuse tokens without an `exp` claim (one without it would be valid for ever).'),
    rolesClaim: z.string().default('roles').describe('Claim holding the roles (array or space-separated string).'),
    scopesClaim: z.string().default('scope').describe('Claim holding the scopes (array or space-separated string).'),
  })
  .strict()
  .refine((jwt) => [jwt.secret, jwt.publicKey, jwt.jwksUrl].filter(Boolean).length === 1, {
    message: 'expected exactly one of secret (HS256), publicKey (PEM) or jwksUrl',
  });

const apiKeySchema = z
  .object({
    client: z.string().min(1).describe('Client identity the key stands for (the `subject`).'),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'expected the hex SHA-256 of the key (`printf %s KEY | sha256sum`)')
      .optional()
      .describe('Hex SHA-256 of the key: the config never holds the key itself.'),
    key: z.string().min(16, 'expected a key of at least 16 characters').optional().describe('The key itself, from the environment (`${CLIENT_KEY}`).'),
    roles: z.array(z.string()).default([]),
    scopes: z.array(z.string()).default([]),
  })
  .strict()
  .refine((k) => Boolean(k.sha256) !== Boolean(k.key), { message: 'expected exactly one of sha256 or key' });

export const authSchema = z
  .object({
    anonymous: z.boolean().default(true).describe('Serve callers without credentials (as anonymous; rules still apply).'),
    adminRole: z
      .string()
      .min(1)
      .default('admin')
      .describe('The role of operators: the cache purge endpoint, the status page, introspection under "admins", and any document under trustedDocuments.only with allowAdmins.'),
    jwt: jwtSchema.optional(),
    apiKeys: z
      .object({
        header: z.string().transform((h) => h.toLowerCase()).default('x-api-key').describe('Header carrying the key.'),
        keys: z.array(apiKeySchema).default([]),
      })
      .strict()
      .prefault({}),
    defaultPolicy: z
      .enum(['allow', 'deny'])
      .optional()
      .describe('For fields no rule names: allow, or deny. Default: allow (development), deny (production).'),
    rules: z
      .record(typeOrFieldKey, ruleSchema)
      .default({})
      .describe('graphql-shield rules: { "Type.field": rule } or { "Type": rule } for every field of a type.'),
  })
  .strict();

export const limitsSchema = z
  .object({
    maxDepth: z.number().int().positive().default(12).describe('Deepest field nesting of an operation.'),
    maxAliases: z.number().int().positive().default(30).describe('Aliases in one operation.'),
    maxDirectives: z.number().int().positive().default(50).describe('Directives in one operation.'),
    maxTokens: z.number().int().positive().default(5_000).describe('Lexical tokens in one document.'),
    maxCost: z.number().int().positive().default(20_000).describe('Cost: each field 1; a list field multiplies its selection by its `limit`/`first` (or defaultListSize).'),
    defaultListSize: z.number().int().positive().default(20).describe('Assumed length of a list field without a `limit`/`first` argument.'),
    maxBatchOperations: z.number().int().positive().default(10).describe('Operations in one batched (JSON array) request.'),
    maxQueryBytes: z.number().int().positive().default(100_000).describe('Size of the query text.'),
  })
  .strict();

export const corsSchema = z
  .object({
    origins: z.array(z.string()).default(['*']).describe('Allowed origins ("*" for any).'),
    credentials: z.boolean().default(false),
    maxAgeSeconds: z.number().int().min(0).default(600),
  })
  .strict();

export const cacheSchema = z
  .object({
    enabled: z.boolean().default(false).describe('Cache whole query responses (mutations and responses with errors never are).'),
    defaultTtlSeconds: z.number().int().min(0).default(60).describe('TTL of a response when nothing it contains has a TTL of its own.'),
    ttl: z
      .record(typeOrFieldKey, z.number().int().min(0))
      .default({})
      .describe('TTL in seconds per type ("Product") or field ("Query.orders"); a response lives as long as the smallest TTL of what it contains; 0: never cached.'),
    private: z
      .array(typeOrFieldKey)
      .default([])
      .describe('Types or fields whose values belong to one user ("User.email"): a query selecting one is cached per user, and never for anonymous callers.'),
    maxEntries: z.number().int().positive().default(10_000).describe('In-memory store: most entries kept (least recently used evicted first).'),
    maxBytes: z.number().int().positive().default(64 * 1024 * 1024).describe('In-memory store: most bytes of serialized responses kept.'),
    redisUrl: redisUrl.optional().describe('Shared store for several gateway instances; REDIS_URL is used when this is unset; neither: in-memory.'),
    keyPrefix: z.string().min(1).default('tessera:cache').describe('Prefix of every Redis key the cache writes.'),
    redisTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(250)
      .describe('Longest wait for Redis per cache operation; slower or failed operations count as misses (the query runs uncached).'),
    exposeMetadata: z
      .boolean()
      .optional()
      .describe('Add extensions.responseCache (hit, ttl, invalidated entities) to responses. Default: on (development), off (production); the x-tessera-cache header (HIT, MISS, BYPASS) is sent either way.'),
  })
  .strict();

const rateWindow = z
  .string()
  .refine((text) => windowSeconds(text) !== undefined, 'expected a window of whole seconds with its unit, e.g. "10s", "1m", "1h"');

const limitText = /^([1-9]\d*)\s+per\s+(\S+)(?:\s+per\s+(user|ip|all))?$/;
const LIMIT_FORMS = 'expected "<max> per <window>[ per user|ip|all]" (e.g. "5 per 60s per user") or { max, window, per }';

/** "5 per 60s per user" → { max: 5, window: "60s", per: "user" }. */
const limitShorthand = z
  .string()
  .regex(limitText, LIMIT_FORMS)
  .refine((text) => windowSeconds(limitText.exec(text)?.[2] ?? '') !== undefined, 'expected a window of whole seconds with its unit after "per", e.g. "5 per 60s"')
  .transform((text) => {
    const [, max, window, per] = limitText.exec(text)!;
    return { max: Number(max), window, ...(per ? { per } : {}) };
  });

const fieldLimitObject = z
  .object({
    max: z.number().int().positive().describe('Requests allowed in one window.'),
    window: rateWindow.describe('Window length, e.g. "10s", "1m" (a window starts at its first request).'),
    per: z
      .enum(['user', 'ip', 'all'])
      .default('user')
      .describe('Whose requests are counted together: user (the caller: token user, else API key, else IP), ip (the client address), all (every caller: one counter).'),
    message: z
      .string()
      .min(1)
      .refine((text) => unknownPlaceholders(text).length === 0, PLACEHOLDERS_EXPECTED)
      .optional()
      .describe('Error message when the limit is exceeded; may use {{field}}, {{max}}, {{window}}, {{per}}, {{retryAfter}}, {{id}}.'),
  })
  .strict();

const quotaObject = z
  .object({
    max: z.number().int().positive().describe('Requests allowed in one window.'),
    window: rateWindow.describe('Window length, e.g. "1m".'),
  })
  .strict();
const quotaSchema = z.union([limitShorthand.pipe(quotaObject), quotaObject], { error: 'expected "<max> per <window>" (e.g. "600 per 1m") or { max, window }' });

const rateLimitsSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Apply the field limits and client quotas below.'),
    fields: z
      .record(typeFieldKey, z.union([limitShorthand.pipe(fieldLimitObject), fieldLimitObject], { error: LIMIT_FORMS }))
      .default({})
      .describe('Per-field limits: { "Mutation.createOrder": "5 per 60s per user" } or { max, window, per, message }. An exceeded field is null with a RATE_LIMITED error; the rest of the response stays.'),
    directivesFile: z
      .string()
      .min(1)
      .optional()
      .describe('SDL file (relative to the config file) whose fields carry @rateLimit(max, window, message) directives (@envelop/rate-limiter\'s), e.g. `extend type Query { products: [Product] @rateLimit(max: 100, window: "10s") }`: read as more field limits, per user.'),
    quotas: z
      .object({
        authenticated: quotaSchema
          .optional()
          .describe('Requests per window for each signed-in caller (token user or API key), e.g. "600 per 1m". Unset: none.'),
        anonymous: quotaSchema
          .optional()
          .describe('Requests per window for each anonymous client IP, e.g. "1000 per 1m". Unset: none.'),
      })
      .strict()
      .prefault({})
      .describe('Per-client request quotas: beyond them HTTP 429 with Retry-After; RateLimit-Limit/-Remaining/-Reset on every GraphQL response that passed authentication.'),
    redisUrl: redisUrl
      .optional()
      .describe('Count in Redis, shared (exactly) by every gateway instance; REDIS_URL is used when this is unset; neither: in memory, per process.'),
    keyPrefix: z.string().min(1).default('tessera:ratelimit').describe('Prefix of every Redis key the limiter writes.'),
    redisTimeoutMs: z.number().int().positive().default(250).describe('Longest wait for Redis per count; a slower or failed count is a store error.'),
    onStoreError: z
      .enum(['allow', 'reject'])
      .default('allow')
      .describe('When Redis cannot count: allow (fail open: serve, log a warning, count tessera_rate_limit_store_errors_total) or reject (fail closed: 503 / field error RATE_LIMIT_UNAVAILABLE).'),
  })
  .strict();

const keyPrefix = z.string().default('tessera:').describe('Prefix of every Redis key this feature writes (share one Redis between gateways by giving each its own).');

const registrySchema = z
  .object({
    dir: z.string().min(1).default('schema/registry').describe('Folder of published schema versions (one JSON file each), relative to the config file.'),
    redisUrl: redisUrl.optional().describe('Keep the versions in Redis instead of the folder.'),
    keyPrefix,
  })
  .strict();

const usageSchema = z
  .object({
    record: z.boolean().default(false).describe('Record the operations the gateway serves (hash, name, count, last seen), for `tessera check --usage`.'),
    file: z.string().min(1).default('tessera-usage.json').describe('Where the record is kept (relative to the config file) when redisUrl is not set.'),
    redisUrl: redisUrl.optional().describe('Keep the record in Redis (one hash per operation), shared by every gateway instance.'),
    keyPrefix,
    flushIntervalMs: z.number().int().positive().default(10_000).describe('How often counts gathered in memory are written out (and once more on shutdown).'),
  })
  .strict();

const trustedDocumentsSchema = z
  .object({
    manifests: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Trusted documents: JSON manifests (graphql-codegen client preset persisted-documents.json, or an Apollo persisted query manifest) and folders of .graphql files (id: hex SHA-256 of each file), relative to the config file.',
      ),
    only: z
      .boolean()
      .optional()
      .describe('Accept only trusted documents (by documentId or extensions.persistedQuery.sha256Hash); any other query is refused (403 PERSISTED_QUERY_ONLY). Default: off (development), on (production) when manifests are given.'),
    allowAdmins: z.boolean().default(true).describe('With `only`: callers with auth.adminRole may still send any document (GraphiQL for operators).'),
  })
  .strict();

/** HTTPS on the gateway's own port(s). */
const serverTlsSchema = z
  .object({
    cert: z.string().min(1).describe('PEM file of the server certificate (with its chain), relative to the config file; reloaded when it changes.'),
    key: z.string().min(1).describe('PEM file of its private key; reloaded when it changes.'),
    ca: z.string().min(1).optional().describe('PEM file of the CA(s) whose client certificates are accepted (with requestClientCert).'),
    requestClientCert: z
      .boolean()
      .default(false)
      .describe('Ask clients for a certificate signed by `ca` and refuse connections without one (mutual TLS).'),
  })
  .strict()
  .refine((tls) => !tls.requestClientCert || tls.ca !== undefined, { message: 'expected `ca` (the CA client certificates are checked against) with requestClientCert: true', path: ['ca'] });

/** What one client connection may cost the gateway: the transport-level guards before GraphQL. */
const clientLimitsSchema = z
  .object({
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      // Apollo Router's default is 2 MB too: room for large variables and a 1 MB query that
      // limits.maxQueryBytes then refuses with its own, more precise error.
      .default(2 * 1024 * 1024)
      .describe('Largest request body (bytes, as sent); a larger one is refused with 413 before it is read past the limit. limits.maxQueryBytes bounds the query text inside it.'),
    headersTimeoutMs: z.number().int().positive().default(20_000).describe('Time a client has to send the request headers; a slower one gets 408 and the socket is closed.'),
    requestTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(60_000)
      .describe('Time a client has to send the whole request (headers and body); a slower one gets 408 and the socket is closed.'),
    keepAliveTimeoutMs: z.number().int().positive().default(30_000).describe('How long an idle keep-alive connection is kept open.'),
    maxRequestsPerSocket: z
      .number()
      .int()
      .min(0)
      .default(1_000)
      .describe('Requests served on one HTTP/1.1 connection before it is closed (Connection: close on the last), so load spreads again; 0: no limit.'),
    compression: z
      .object({
        enabled: z.boolean().default(true).describe('Compress responses with br or gzip when the client accepts it (Accept-Encoding), preferring br.'),
        minBytes: z.number().int().min(0).default(1_024).describe('Smaller response bodies are sent as they are (compressing them saves nothing).'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    profile: z
      .enum(['development', 'production'])
      .default('development')
      .describe('production: deny by default, no introspection or suggestions, CSRF prevention, refuses the demo secret.'),
    server: z
      .object({
        host: z.string().default('127.0.0.1').describe('Interface to listen on (0.0.0.0 in containers).'),
        port: z.number().int().min(0).max(65535).default(4000).describe('HTTP port; PORT or --port override it.'),
        graphqlPath: z.string().regex(/^\//, 'expected a path starting with /').default('/graphql').describe('Path of the GraphQL endpoint.'),
        graphiql: z.boolean().optional().describe('Serve GraphiQL (assets from installed packages, no CDN) on GET /graphql. Default: on (development), off (production).'),
        maskErrors: z.boolean().default(true).describe('Replace unexpected errors by "Unexpected error." with the request id (details logged).'),
        introspection: z
          .union([z.boolean(), z.literal('admins')])
          .optional()
          .describe('Allow introspection: true, false, or "admins" (callers whose token has the admin role, so operators can still use GraphiQL). Default: true (development), "admins" (production).'),
        fieldSuggestions: z.boolean().optional().describe('"Did you mean…" in validation errors. Default: on (development), off (production).'),
        csrfPrevention: z
          .boolean()
          .optional()
          .describe('Require a non-simple header (e.g. content-type: application/json or x-graphql-csrf) on GET and form requests. Default: off (development), on (production).'),
        cors: corsSchema.prefault({}),
        adminPort: z
          .number()
          .int()
          .min(0)
          .max(65535)
          .optional()
          .describe('Serve /metrics, /_tessera, /_tessera/usage and the cache purge on this port only (not on `port`); unset: on `port`, where the usage figures and the purge need an admin caller when auth is on and /metrics is open.'),
        trustedProxies: z
          .array(z.string().refine(isAddressOrRange, 'expected an IP address or a CIDR range, e.g. "10.0.0.0/8"'))
          .default([])
          .describe('Proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed: the client IP is the last address in it that is not one of them. Empty: the socket address, the header ignored.'),
        tls: serverTlsSchema.optional().describe('Serve HTTPS (HTTP/2 to clients that offer it, HTTP/1.1 otherwise) on `port` and `adminPort`; --tls-cert/--tls-key override cert and key.'),
        http: clientLimitsSchema.prefault({}).describe('Client connections: body size, slow-client timeouts, keep-alive and response compression.'),
      })
      .strict()
      .prefault({}),
    logging: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        pretty: z.enum(['auto', 'always', 'never']).default('auto').describe('auto: pretty on a TTY, JSON lines otherwise.'),
      })
      .strict()
      .prefault({}),
    telemetry: z
      .object({
        tracing: z
          .object({
            otlpEndpoint: httpUrl
              .optional()
              .describe('OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces. Unset: tracing is off and costs nothing.'),
            serviceName: z.string().min(1).default('tessera').describe('service.name of the exported spans.'),
            sampleRatio: z.number().min(0).max(1).default(1).describe('Share of new traces sampled (0..1); a sampled parent from the client is always followed.'),
          })
          .strict()
          .prefault({}),
        usage: z
          .object({
            windowSeconds: z.number().int().min(10).max(86_400).default(300).describe('How far back the usage figures and the status page reach.'),
          })
          .strict()
          .prefault({}),
        statusPage: z.boolean().default(true).describe('Serve GET /_tessera (status page) and GET /_tessera/usage (figures as JSON).'),
      })
      .strict()
      .prefault({}),
    sources: z.array(sourceSchema).min(1, 'expected at least one source'),
    links: z.record(typeFieldKey, linkSchema).default({}).describe('Cross-source fields: { "Order.customer": { type, from, query, argument } }.'),
    auth: authSchema.prefault({}),
    limits: limitsSchema.prefault({}),
    cache: cacheSchema.prefault({}),
    rateLimits: rateLimitsSchema.prefault({}).describe('Per-field rate limits and per-client quotas, in memory or in Redis.'),
    registry: registrySchema.prefault({}).describe('Where `tessera schema publish` keeps composed schema versions (`tessera check --against registry`).'),
    usage: usageSchema.prefault({}).describe('Recording of the operations clients send, so `tessera check --usage` knows what they use.'),
    trustedDocuments: trustedDocumentsSchema.prefault({}).describe('Operations accepted by id (persisted operations) from manifests that frontend builds produce; `tessera check` reads them too.'),
    resilience: z
      .object({
        requestTimeoutMs: z
          .number()
          .int()
          .positive()
          .default(30_000)
          .describe('Deadline of one client request; upstream calls (and their retries) get what is left of it.'),
        retryBudget: z
          .object({
            ratio: z.number().min(0).default(0.2).describe('Retries allowed per source, as a share of its calls.'),
            minPerSecond: z.number().min(0).default(10).describe('Retries always allowed per second and source, whatever the ratio.'),
          })
          .strict()
          .prefault({})
          .describe('Keeps retries from multiplying load when an upstream is down.'),
        reload: z
          .object({
            watch: z.boolean().default(true).describe('Recompose when the config file, a spec or SDL file, a trusted documents manifest, a source\'s TLS file or the rate-limit directives file changes (SIGHUP always does).'),
            pollIntervalMs: z.number().int().min(0).default(30_000).describe('How often specs given as URLs are fetched again (0: never).'),
          })
          .strict()
          .prefault({}),
        specCache: z
          .string()
          .min(1)
          .default('.tessera/spec-cache')
          .describe(
            'Folder (relative to the config file) where sources with whenDown: last-known-good keep their last good spec or SDL, and where OpenAPI specs converted to GraphQL are kept by spec hash (converted/) so the next start skips the conversion.',
          ),
        shutdownGraceMs: z.number().int().positive().default(10_000).describe('On SIGTERM, how long requests in flight may take to finish.'),
      })
      .strict()
      .prefault({})
      .describe('Gateway-wide resilience: request deadline, retry budget, live reload, shutdown.'),
  })
  .strict()
  .superRefine(refuseUnsafeProduction)
  .transform(applyProfile);

/** The production profile does not start with a secret anyone can read, nor one that is short. */
function refuseUnsafeProduction(
  config: { profile: string; auth: { jwt?: { secret?: string } }; sources: Array<{ identityHeaders?: { secret: string } }> },
  ctx: z.RefinementCtx,
) {
  if (config.profile !== 'production') return;
  config.sources.forEach((source, i) => {
    if (source.identityHeaders?.secret === DEMO_IDENTITY_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['sources', i, 'identityHeaders', 'secret'], message: 'a secret of your own: the demo identity secret is public and refused by the production profile' });
    }
  });
  const secret = config.auth.jwt?.secret;
  if (secret === undefined) return;
  if (secret === DEMO_JWT_SECRET) {
    ctx.addIssue({ code: 'custom', path: ['auth', 'jwt', 'secret'], message: 'a secret of your own: the demo secret is public and refused by the production profile' });
  } else if (Buffer.byteLength(secret) < 32) {
    ctx.addIssue({ code: 'custom', path: ['auth', 'jwt', 'secret'], message: 'a secret of at least 32 bytes for HS256 in production' });
  }
}

/** Settings whose default depends on the profile: production is closed unless opened on purpose. */
function applyProfile<
  T extends { profile: 'development' | 'production'; server: object; auth: object; cache: { exposeMetadata?: boolean }; trustedDocuments: { manifests: string[]; only?: boolean } },
>(config: T) {
  const production = config.profile === 'production';
  const server = config.server as { graphiql?: boolean; introspection?: boolean | 'admins'; fieldSuggestions?: boolean; csrfPrevention?: boolean };
  const auth = config.auth as { defaultPolicy?: 'allow' | 'deny' };
  return {
    ...config,
    server: {
      ...config.server,
      graphiql: server.graphiql ?? !production,
      introspection: server.introspection ?? (production ? ('admins' as const) : true),
      fieldSuggestions: server.fieldSuggestions ?? !production,
      csrfPrevention: server.csrfPrevention ?? production,
    },
    auth: { ...config.auth, defaultPolicy: auth.defaultPolicy ?? (production ? 'deny' : 'allow') },
    cache: { ...config.cache, exposeMetadata: config.cache.exposeMetadata ?? !production },
    trustedDocuments: { ...config.trustedDocuments, only: config.trustedDocuments.only ?? (production && config.trustedDocuments.manifests.length > 0) },
  };
}

/** The config as written (defaults optional). */
export type TesseraConfigInput = z.input<typeof configSchema>;
/** The config after validation, with every default filled in. */
export type TesseraConfig = z.output<typeof configSchema>;
export type SourceConfig = z.output<typeof sourceSchema>;
export type OpenApiSourceConfig = z.output<typeof openApiSourceSchema>;
export type GraphqlSourceConfig = z.output<typeof graphqlSourceSchema>;
export type SourceResilience = z.output<typeof sourceResilienceSchema>;
export type ResilienceConfig = TesseraConfig['resilience'];
export type LinkConfig = z.output<typeof linkSchema>;
export type CacheConfig = z.output<typeof cacheSchema>;
export type RateLimitsConfig = z.output<typeof rateLimitsSchema>;
export type FieldLimitConfig = z.output<typeof fieldLimitObject>;
export type SourceTransforms = z.output<typeof transformsSchema>;
export type AuthConfig = TesseraConfig['auth'];
export type LimitsConfig = TesseraConfig['limits'];
export type UpstreamCredentials = z.output<typeof upstreamCredentialsSchema>;
export type SourceDeprecation = z.output<typeof deprecationSchema>;
export type RegistryConfig = z.output<typeof registrySchema>;
export type UsageConfig = z.output<typeof usageSchema>;
export type TrustedDocumentsConfig = TesseraConfig['trustedDocuments'];
export type ServerTlsConfig = z.output<typeof serverTlsSchema>;
export type ClientLimitsConfig = z.output<typeof clientLimitsSchema>;
export type UpstreamTlsConfig = z.output<typeof upstreamTlsSchema>;
