import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../gateway/config/errors';
import { loadConfig } from '../../gateway/config/load';
import { writeDemoConfig } from '../support/config-file';

/** The demo config with its rateLimits section (the file's last) replaced by `section`. */
function load(section: string) {
  const { file } = writeDemoConfig();
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, `${text.slice(0, text.indexOf('\nrateLimits:'))}\n${section}\n`);
  return { file, load: () => loadConfig(file, { env: {} }).config };
}

function problemOf(section: string): string {
  try {
    load(section).load();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('rateLimits config', () => {
  test('the demo: shorthand limits read as { max, window, per }, quotas on, memory store, fail open', () => {
    const { config } = loadConfig(join(__dirname, '..', '..', 'tessera.config.yaml'), { env: {} });
    expect(config.rateLimits).toEqual({
      enabled: true,
      fields: { 'Mutation.createOrder': { max: 5, window: '60s', per: 'user' } },
      quotas: { authenticated: { max: 3000, window: '1m' }, anonymous: { max: 1000, window: '1m' } },
      keyPrefix: 'tessera:ratelimit',
      redisTimeoutMs: 250,
      onStoreError: 'allow',
    });
    expect(config.server.trustedProxies).toEqual([]);
  });

  test('objects, shorthands without `per`, and the directives file relative to the config file', () => {
    const { file, load: read } = load(
      'rateLimits:\n  directivesFile: limits.graphql\n  fields:\n    Query.products: "100 per 10s"\n    Query.product: { max: 3, window: 1m, per: ip, message: "{{field}}: wait {{retryAfter}} s" }\n',
    );
    const config = read();
    expect(config.rateLimits.fields).toEqual({
      'Query.products': { max: 100, window: '10s', per: 'user' },
      'Query.product': { max: 3, window: '1m', per: 'ip', message: '{{field}}: wait {{retryAfter}} s' },
    });
    expect(config.rateLimits.directivesFile).toBe(join(file, '..', 'limits.graphql'));
  });

  test.each([
    ['Mutation.createOrder: 5 per 60s per usr', /rateLimits\.fields\["Mutation\.createOrder"\]: expected "<max> per <window>\[ per user\|ip\|all\]" \(e\.g\. "5 per 60s per user"\) or \{ max, window, per \}, found "5 per 60s per usr"/],
    ['Mutation.createOrder: 5 per 10', /expected "<max> per <window>.*found "5 per 10"/],
    ['Mutation.createOrder: { max: 5, window: 1x }', /rateLimits\.fields\["Mutation\.createOrder"\]\.window: expected a window of whole seconds with its unit, e\.g\. "10s", "1m", "1h", found "1x"/],
    ['Mutation.createOrder: { max: 5, window: 1m, message: "{{user}}" }', /\.message: expected placeholders among \{\{field\}\}, \{\{max\}\}/],
    ['createOrder: 5 per 1m', /rateLimits\.fields.*expected "Type\.field"/],
  ])('a bad field limit fails at its path: %s', (line, expected) => {
    expect(problemOf(`rateLimits:\n  fields:\n    ${line}\n`)).toMatch(expected);
  });

  test('bad quotas, store policy and trusted proxies fail at their path', () => {
    expect(problemOf('rateLimits:\n  quotas: { anonymous: "lots" }\n')).toMatch(/rateLimits\.quotas\.anonymous: expected "<max> per <window>" \(e\.g\. "600 per 1m"\) or \{ max, window \}, found "lots"/);
    expect(problemOf('rateLimits:\n  onStoreError: open\n')).toMatch(/rateLimits\.onStoreError: expected one of "allow", "reject", found "open"/);
    expect(problemOf('server:\n  trustedProxies: [10.0.0.0/40]\n')).toMatch(/server\.trustedProxies\[0\]: expected an IP address or a CIDR range, e\.g\. "10\.0\.0\.0\/8", found "10\.0\.0\.0\/40"/);
  });
});
