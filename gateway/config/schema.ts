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

const sourceBase = {
  name: graphqlName.describe('Source name: used in errors, metrics and logs.'),
  url: httpUrl.describe('Upstream base URL (REST) or GraphQL endpoint URL.'),
  headers: z.record(z.string(), z.string()).default({}).describe('Static headers sent upstream (use ${ENV} for secrets).'),
  forwardHeaders: z
    .array(z.string().transform((h) => h.toLowerCase()))
    .default(['authorization', 'accept-language', 'x-request-id'])
    .describe('Client request headers forwarded to this upstream.'),
  timeoutMs: z.number().int().positive().default(10_000).describe('Total time allowed for one upstream call.'),
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

export const sourceSchema = z.discriminatedUnion('kind', [openApiSourceSchema, graphqlSourceSchema]);

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
        adminPort: z
          .number()
          .int()
          .min(0)
          .max(65535)
          .optional()
          .describe('Serve /metrics, /_tessera and /_tessera/usage on this port only (not on `port`); unset: on `port`, open unless auth protects them.'),
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
  })
  .strict();

/** The config as written (defaults optional). */
export type TesseraConfigInput = z.input<typeof configSchema>;
/** The config after validation, with every default filled in. */
export type TesseraConfig = z.output<typeof configSchema>;
export type SourceConfig = z.output<typeof sourceSchema>;
export type OpenApiSourceConfig = z.output<typeof openApiSourceSchema>;
export type GraphqlSourceConfig = z.output<typeof graphqlSourceSchema>;
export type LinkConfig = z.output<typeof linkSchema>;
export type SourceTransforms = z.output<typeof transformsSchema>;
