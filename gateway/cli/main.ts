import { Command, InvalidArgumentError } from 'commander';
import { configJsonSchema } from '../config/json-schema';
import { DEFAULT_CONFIG_FILE } from '../config/load';
import { parsePort } from './port';
import { runCachePurge, type CachePurgeOptions } from './cache';
import { runCompose, type ComposeCommandOptions } from './compose';
import { runDemo, type DemoOptions } from './demo';
import { runServe, type ServeOptions } from './serve';
import { runToken, type TokenOptions } from './token';

function port(value: string): number {
  const parsed = parsePort(value);
  if (parsed === undefined) throw new InvalidArgumentError('expected a port number (0-65535)');
  return parsed;
}

function milliseconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a whole number of milliseconds');
  return parsed;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('tessera')
    .description('GraphQL gateway that composes REST microservices from their OpenAPI specs')
    .showHelpAfterError()
    .exitOverride((error) => process.exit(error.exitCode));

  program
    .command('serve')
    .description('compose the configured sources and serve the gateway')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .option('-p, --port <port>', 'port to listen on (default: $PORT, then server.port)', port)
    .option('--host <host>', 'interface to listen on (default: server.host)')
    // Commander passes (options, command): wrap, so the command object never lands in a parameter.
    .action((options: ServeOptions) => runServe(options));

  program
    .command('compose')
    .description('write the composed public schema (sorted SDL) for schema checks')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .option('-o, --out <file>', 'where to write the SDL ("-" for stdout)', 'schema/schema.graphql')
    .action((options: ComposeCommandOptions) => runCompose(options));

  program
    .command('demo')
    .description('start the four demo REST services and the gateway in front of them')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .option('-p, --port <port>', 'gateway port (default: $PORT, then 4000)', port)
    .option('--services-port <port>', 'first port of the demo services (default: free ports)', port)
    .option('--latency-ms <ms>', 'delay every demo service reply, to look like a real network', milliseconds)
    .action((options: DemoOptions) => runDemo(options));

  program
    .command('token')
    .description('print a signed bearer token that a gateway with this config accepts (HS256 configs, e.g. the demo)')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .requiredOption('--sub <subject>', 'the token subject (user id)')
    .option('--role <role>', 'a role (repeat for more)', collect, [])
    .option('--scope <scope>', 'a scope (repeat for more)', collect, [])
    .option('--ttl <lifetime>', 'lifetime: seconds, or 15m, 1h, 7d', '1h')
    .action((options: TokenOptions) => runToken(options));

  program
    .command('cache')
    .description('manage the response cache')
    .command('purge')
    .description('remove cached responses from the shared (Redis) store: all, or those holding a type or one entity')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .option('--type <type>', 'only entries holding this type, e.g. Order')
    .option('--id <id>', 'only entries holding this entity (with --type)')
    .action((options: CachePurgeOptions) => runCachePurge(options));

  program
    .command('config-schema')
    .description('print the JSON Schema of the config file (committed as tessera.config.schema.json)')
    .action(() => {
      process.stdout.write(configJsonSchema());
    });

  await program.parseAsync(argv);
}
