import { z } from 'zod';

/**
 * The one configuration document. Every knob is declared here, once, with its default and a
 * description; `tessera.config.schema.json` is generated from this file for editor completion.
 */

const typeFieldKey = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/, 'expected "Type.field", e.g. "Order.customer"');

const graphqlName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a GraphQL name ([A-Za-z_][A-Za-z0-9_]*)');

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
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/, 'expected "Type" or "Type.field"'))
      .default([])
      .describe('Types ("Type") or fields ("Type.field", "Query.x") removed from the public schema.'),
  })
  .strict();

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
};

export const openApiSourceSchema = z
  .object({
    kind: z.literal('openapi').default('openapi'),
    ...sourceBase,
    spec: z.string().min(1).describe('OpenAPI 3.x or Swagger 2.0 document (YAML or JSON): a path relative to the config file, or a URL.'),
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

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    server: z
      .object({
        host: z.string().default('127.0.0.1').describe('Interface to listen on (0.0.0.0 in containers).'),
        port: z.number().int().min(0).max(65535).default(4000).describe('HTTP port; PORT or --port override it.'),
        graphqlPath: z.string().regex(/^\//, 'expected a path starting with /').default('/graphql').describe('Path of the GraphQL endpoint.'),
        graphiql: z.boolean().default(true).describe('Serve GraphiQL (assets from installed packages, no CDN) on GET /graphql.'),
        maskErrors: z.boolean().default(true).describe('Replace unexpected errors by "Unexpected error." (details logged).'),
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
    sources: z.array(sourceSchema).min(1, 'expected at least one source'),
    links: z.record(typeFieldKey, linkSchema).default({}).describe('Cross-source fields: { "Order.customer": { type, from, query, argument } }.'),
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
            watch: z.boolean().default(true).describe('Recompose when a spec or SDL file or the config file changes (SIGHUP always does).'),
            pollIntervalMs: z.number().int().min(0).default(30_000).describe('How often specs given as URLs are fetched again (0: never).'),
          })
          .strict()
          .prefault({}),
        specCache: z
          .string()
          .min(1)
          .default('.tessera/spec-cache')
          .describe('Folder (relative to the config file) where sources with whenDown: last-known-good keep their last good spec or SDL.'),
        shutdownGraceMs: z.number().int().positive().default(10_000).describe('On SIGTERM, how long requests in flight may take to finish.'),
      })
      .strict()
      .prefault({})
      .describe('Gateway-wide resilience: request deadline, retry budget, live reload, shutdown.'),
  })
  .strict();

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
export type SourceTransforms = z.output<typeof transformsSchema>;
