import { Command, InvalidArgumentError } from 'commander';
import { configJsonSchema } from '../config/json-schema';
import { DEFAULT_CONFIG_FILE } from '../config/load';
import { parsePort } from './port';
import { runCompose, type ComposeCommandOptions } from './compose';
import { runDemo, type DemoOptions } from './demo';
import { runServe, type ServeOptions } from './serve';

function port(value: string): number {
  const parsed = parsePort(value);
  if (parsed === undefined) throw new InvalidArgumentError('expected a port number (0-65535)');
  return parsed;
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
    .option('-w, --workers <n>', 'worker processes sharing the port (node:cluster); "auto": one per CPU', workers)
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
    .command('config-schema')
    .description('print the JSON Schema of the config file (committed as tessera.config.schema.json)')
    .action(() => {
      process.stdout.write(configJsonSchema());
    });

  await program.parseAsync(argv);
}
