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

const keyPrefix = z.string().default('tessera:').describe('Prefix of every Redis key this feature writes (share one Redis between gateways by giving each its own).');

const registrySchema = z
  .object({
    dir: z.string().min(1).default('schema/registry').describe('Folder of published schema versions (one JSON file each), relative to the config file.'),
    redisUrl: z
      .url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' })
      .optional()
      .describe('Keep the versions in Redis instead of the folder.'),
    keyPrefix,
  })
  .strict();

const usageSchema = z
  .object({
    record: z.boolean().default(false).describe('Record the operations the gateway serves (hash, name, count, last seen), for `tessera check --usage`.'),
    file: z.string().min(1).default('tessera-usage.json').describe('Where the record is kept (relative to the config file) when redisUrl is not set.'),
    redisUrl: z
      .url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' })
      .optional()
      .describe('Keep the record in Redis (one hash per operation), shared by every gateway instance.'),
    keyPrefix,
    flushIntervalMs: z.number().int().positive().default(10_000).describe('How often counts gathered in memory are written out (and once more on shutdown).'),
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
    registry: registrySchema.prefault({}).describe('Where `tessera schema publish` keeps composed schema versions (`tessera check --against registry`).'),
    usage: usageSchema.prefault({}).describe('Recording of the operations clients send, so `tessera check --usage` knows what they use.'),
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
export type SourceDeprecation = z.output<typeof deprecationSchema>;
export type RegistryConfig = z.output<typeof registrySchema>;
export type UsageConfig = z.output<typeof usageSchema>;
