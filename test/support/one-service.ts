/** Runs one demo service in its own process (for tests that kill it): prints its URL, then serves. */
import { startDemoService, type DemoServiceName } from '../../sources';

startDemoService(process.argv[2] as DemoServiceName).then(
  (service) => console.log(service.url),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
