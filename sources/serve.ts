/**
 * Starts all four demo services for manual use or benchmarks:
 *   npx tsx sources/serve.ts [--base-port 4101] [--host 127.0.0.1] [--latency-ms 0]
 */
import { parseArgs } from 'node:util';
import { DEMO_SERVICE_NAMES, startDemoServices } from './index';

function nonNegativeInt(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`--${flag} must be a non-negative integer (got '${raw}')`);
  }
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'base-port': { type: 'string', default: '4101' },
      host: { type: 'string', default: '127.0.0.1' },
      'latency-ms': { type: 'string', default: '0' },
    },
    strict: true,
  });
  const basePort = nonNegativeInt('base-port', values['base-port']);
  const latencyMs = nonNegativeInt('latency-ms', values['latency-ms']);

  const running = await startDemoServices({ basePort, host: values.host, latencyMs });
  for (const name of DEMO_SERVICE_NAMES) {
    const { url } = running.services[name];
    console.log(`${name.padEnd(8)} ${url}  (spec: ${url}/openapi.yaml, stats: ${url}/__stats)`);
  }
  if (latencyMs > 0) console.log(`latency: ${latencyMs} ms per reply`);

  const shutdown = (signal: NodeJS.Signals): void => {
    console.log(`\n${signal}: closing demo services`);
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
