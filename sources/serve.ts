/**
 * Starts all four demo services for manual use or benchmarks, or one of them (`--only users`, on
 * `--base-port` itself: one container per service in docker-compose.yml):
 *   npx tsx sources/serve.ts [--base-port 4101] [--host 127.0.0.1] [--latency-ms 0] [--only NAME]
 */
import { parseArgs } from 'node:util';
import { DEMO_SERVICE_NAMES, startDemoService, startDemoServices, type DemoServiceName } from './index';

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
      only: { type: 'string' },
    },
    strict: true,
  });
  const basePort = nonNegativeInt('base-port', values['base-port']);
  const latencyMs = nonNegativeInt('latency-ms', values['latency-ms']);

  const only = values.only;
  if (only !== undefined && !DEMO_SERVICE_NAMES.includes(only as DemoServiceName)) {
    throw new Error(`--only must be one of ${DEMO_SERVICE_NAMES.join(', ')} (got '${only}')`);
  }
  const running = only
    ? await startDemoService(only as DemoServiceName, { port: basePort, host: values.host, latencyMs }).then((service) => ({
        services: { [service.name]: service } as Partial<Record<DemoServiceName, typeof service>>,
        close: () => service.close(),
      }))
    : await startDemoServices({ basePort, host: values.host, latencyMs });
  for (const name of DEMO_SERVICE_NAMES) {
    const service = running.services[name];
    if (!service) continue;
    const { url } = service;
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
