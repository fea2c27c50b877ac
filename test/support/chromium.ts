import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { startDemoGateway, type RunningGateway } from './harness';

const CHROMIUM = '/usr/bin/chromium';
// The launch flags that work on this machine and in CI (no sandbox as root, no GPU, no network chatter).
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Debian's chromium driven by playwright-core (which never downloads a browser). Missing, it fails
 * rather than skips: CI installs it.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Browser tests need Debian's chromium at ${CHROMIUM}, which is missing. Install it with: apt-get update && apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * A demo gateway and a browser for one test file: started before its tests, closed after them.
 * Call at the top level of the file; the getters are valid inside tests.
 */
export function demoGatewayAndBrowser(): { gateway(): RunningGateway; browser(): Browser } {
  let gateway: RunningGateway | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    gateway = await startDemoGateway();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });
  return { gateway: () => gateway!, browser: () => browser! };
}
