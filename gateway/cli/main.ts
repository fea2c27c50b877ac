import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../config/load';
import { parsePort } from './port';
import { REPORT_FORMATS, type ReportFormat } from '../check/format';
// Commands are loaded when run (below): each pulls in its own part of the gateway, and loading all
// of them cost `serve` a quarter of a second of start-up. With require, not import(): under node16
// module settings import() stays a real ESM import, which wants file extensions on relative paths.
/* eslint-disable @typescript-eslint/no-require-imports */
import type { CachePurgeOptions } from './cache';
import type { CheckCommandOptions } from './check';
import type { ComposeCommandOptions } from './compose';
import type { SchemaCommandOptions } from './schema';
import type { DemoOptions } from './demo';
import type { DocumentsManifestOptions } from './documents';
import type { ServeOptions } from './serve';
import type { TokenOptions } from './token';

/** Also the default of `check --against` (cli/check.ts), named here so help needs no import of it. */
const REGISTERED_SCHEMA = 'schema/schema.graphql';

function port(value: string): number {
  const parsed = parsePort(value);
  if (parsed === undefined) throw new InvalidArgumentError('expected a port number (0-65535)');
  return parsed;
}

function reportFormat(value: string): ReportFormat {
  if (!(REPORT_FORMATS as string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${REPORT_FORMATS.join(', ')}`);
  return value as ReportFormat;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function workers(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 256) throw new InvalidArgumentError('expected a number of workers (1-256) or "auto" (one per CPU)');
  return parsed;
}

function milliseconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a whole number of milliseconds');
  return parsed;
}

/** `version` is the package's, which the bin reads: the compiled CLI runs from a build folder. */
export async function main(argv: string[], version = 'unknown'): Promise<void> {
  const program = new Command('tessera')
    .description('GraphQL gateway that composes REST microservices from their OpenAPI specs')
    .version(version, '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride((error) => process.exit(error.exitCode));

  program
    .command('serve')
    .description('compose the configured sources and serve the gateway')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .option('-p, --port <port>', 'port to listen on (default: $PORT, then server.port)', port)
    .option('--host <host>', 'interface to listen on (default: server.host)')
    .option('-w, --workers <n>', 'worker processes sharing the port (node:cluster); "auto": one per CPU', workers)
    .option('--tls-cert <file>', 'serve HTTPS (and HTTP/2) with this PEM certificate (overrides server.tls.cert)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert (overrides server.tls.key)')
    // Commander passes (options, command): wrap, so the command object never lands in a parameter.
    .action((options: ServeOptions) => (require('./serve') as typeof import('./serve')).runServe(options));

  program
    .command('compose')
    .description('write the composed public schema (sorted SDL) for schema checks')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .option('-o, --out <file>', 'where to write the SDL ("-" for stdout)', 'schema/schema.graphql')
    .action((options: ComposeCommandOptions) => (require('./compose') as typeof import('./compose')).runCompose(options));

  program
    .command('check')
    .description('compare the composed schema with the registered one; exit 0 (safe), 1 (breaking changes) or 2 (could not run)')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .option('--against <file|registry>', `registered schema: an SDL file, or "registry" for the latest published version (default: ${REGISTERED_SCHEMA})`)
    .option('--against-git <ref>', 'take the --against file as committed at a git ref (e.g. origin/main)')
    .option('--operations <path>', 'client operations: folder, glob, .graphql file or persisted-documents JSON; repeatable (default: schema/operations; the config\'s trustedDocuments.manifests are always read)', collect)
    .option('--usage <file|redis>', 'operations recorded by the gateway (usage file, or "redis" for usage.redisUrl); repeatable', collect)
    .option('--allow-unused-breaking', 'breaking changes no listed operation uses do not fail the check')
    .option('--approvals <file>', 'breaking changes accepted on purpose (default: schema/approved-changes.json, which may be absent)')
    .option('--format <format>', `report format: ${REPORT_FORMATS.join(', ')}`, reportFormat, 'text')
    // The check's own problems (bad option values included) exit with 2, never with 1 ("breaking").
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .action((options: CheckCommandOptions) => (require('./check') as typeof import('./check')).runCheck(options));

  const schema = program.command('schema').description('the schema registry: published versions of the composed schema');
  schema
    .command('publish')
    .description('store the composed schema as the next version, with its time and the hashes of the specs it came from')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .action((options: SchemaCommandOptions) => (require('./schema') as typeof import('./schema')).runSchemaPublish(options));
  schema
    .command('history')
    .description('list the published versions, oldest first')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .option('--json', 'print JSON (without the SDL)')
    .action((options: SchemaCommandOptions) => (require('./schema') as typeof import('./schema')).runSchemaHistory(options));

  program
    .command('documents')
    .description('trusted documents (persisted operations)')
    .command('manifest')
    .description('write the manifest of folders of .graphql files: { "<sha256 hex of each file>": "<its text>" } (graphql-codegen client preset format)')
    .argument('<paths...>', 'folders (every .graphql/.gql file below) or files')
    .option('-o, --out <file>', 'where to write the manifest ("-" for stdout)', '-')
    .action((paths: string[], options: DocumentsManifestOptions) => (require('./documents') as typeof import('./documents')).runDocumentsManifest(paths, options));

  program
    .command('demo')
    .description('start the four demo REST services and the gateway in front of them')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .option('-p, --port <port>', 'gateway port (default: $PORT, then 4000)', port)
    .option('--services-port <port>', 'first port of the demo services (default: free ports)', port)
    .option('--latency-ms <ms>', 'delay every demo service reply, to look like a real network', milliseconds)
    .action((options: DemoOptions) => (require('./demo') as typeof import('./demo')).runDemo(options));

  program
    .command('token')
    .description('print a signed bearer token that a gateway with this config accepts (HS256 configs, e.g. the demo)')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .requiredOption('--sub <subject>', 'the token subject (user id)')
    .option('--role <role>', 'a role (repeat for more)', collect, [])
    .option('--scope <scope>', 'a scope (repeat for more)', collect, [])
    .option('--ttl <lifetime>', 'lifetime: seconds, or 15m, 1h, 7d', '1h')
    .action((options: TokenOptions) => (require('./token') as typeof import('./token')).runToken(options));

  program
    .command('cache')
    .description('manage the response cache')
    .command('purge')
    .description('remove cached responses from the shared (Redis) store: all, or those holding a type or one entity')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .option('--type <type>', 'only entries holding this type, e.g. Order')
    .option('--id <id>', 'only entries holding this entity (with --type)')
    .action((options: CachePurgeOptions) => (require('./cache') as typeof import('./cache')).runCachePurge(options));

  program
    .command('config-schema')
    .description('print the JSON Schema of the config file (committed as tessera.config.schema.json)')
    .action(() => {
      process.stdout.write((require('../config/json-schema') as typeof import('../config/json-schema')).configJsonSchema());
    });

  await program.parseAsync(argv);
}
