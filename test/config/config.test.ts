import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../gateway/config/errors';
import { configJsonSchema } from '../../gateway/config/json-schema';
import { loadConfig, parseConfig } from '../../gateway/config/load';
import { composeGateway } from '../../gateway/compose/compose';
import { REPO_ROOT } from '../support/harness';

const FILE = '/etc/tessera/gateway.yaml';

function errorOf(text: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    parseConfig(text, FILE, { env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config errors name the file, the place, what was expected and what was found', () => {
  test('a wrong type and an unknown key, both reported at once with line numbers', () => {
    const error = errorOf('sources:\n  - name: users\n    spec: users.yaml\n    url: 42\n    timout: 5\n');
    expect(error.problems).toEqual([
      { path: 'sources[0].url', location: `${FILE}:4:10`, expected: 'an http(s) URL', found: 'number 42' },
      {
        path: 'sources[0].timout',
        location: `${FILE}:5:13`,
        expected: expect.stringContaining('(did you mean "timeoutMs"?)'),
        found: 'unknown key "timout"',
      },
    ]);
    expect(error.message).toContain(`Invalid configuration in ${FILE}`);
    expect(error.message).toContain(`${FILE}:4:10 at sources[0].url: expected an http(s) URL, found number 42`);
  });

  test('a missing required key', () => {
    const error = errorOf('sources:\n  - name: users\n    url: http://localhost:1\n');
    expect(error.problems).toEqual([{ path: 'sources[0].spec', location: `${FILE}:2:5`, expected: 'string', found: 'nothing (the key is missing)' }]);
  });

  test('an unset ${VAR} is reported once, at its path, with how to give a default', () => {
    const error = errorOf('sources:\n  - name: users\n    spec: u.yaml\n    url: ${USERS_URL}\n');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ path: 'sources[0].url', expected: expect.stringContaining('USERS_URL to be set') });
  });

  test('${VAR} and ${VAR:-default} are interpolated', () => {
    const text = 'sources:\n  - name: users\n    spec: u.yaml\n    url: ${USERS_URL:-http://localhost:1}\n    headers: { x-api-key: "${KEY}" }\n';
    const { config } = parseConfig(text, FILE, { env: { KEY: 's3cret' } });
    expect(config.sources[0]).toMatchObject({ url: 'http://localhost:1', headers: { 'x-api-key': 's3cret' }, spec: '/etc/tessera/u.yaml' });
  });

  test('an unknown source kind and a malformed link key', () => {
    const error = errorOf('sources:\n  - name: a\n    kind: soap\n    url: http://x\nlinks:\n  Order: { type: User, from: userId, query: users, argument: ids }\n');
    expect(error.problems.map((p) => [p.path, p.expected])).toEqual([
      ['sources[0].kind', '"kind" to be one of "openapi", "graphql"'],
      ['links.Order', '"Type.field", e.g. "Order.customer"'],
    ]);
  });

  test('invalid YAML says where', () => {
    expect(errorOf('sources: [\n').problems[0]).toMatchObject({ location: `${FILE}:2:1`, expected: 'valid YAML' });
  });

  test('a missing file says which and how to pass another', () => {
    expect(() => loadConfig('/nonexistent/tessera.yaml')).toThrow(/\/nonexistent\/tessera\.yaml.*--config FILE.*no such file/s);
  });

  test('defaults fill every knob the file leaves out', () => {
    const { config } = parseConfig('sources:\n  - name: users\n    spec: u.yaml\n    url: http://localhost:1\n', FILE, { env: {} });
    expect(config.server).toEqual({
      host: '127.0.0.1',
      port: 4000,
      graphqlPath: '/graphql',
      graphiql: true,
      maskErrors: true,
      introspection: true,
      fieldSuggestions: true,
      csrfPrevention: false,
      cors: { origins: ['*'], credentials: false, maxAgeSeconds: 600 },
      trustedProxies: [],
      http: {
        maxBodyBytes: 2_097_152,
        headersTimeoutMs: 20_000,
        requestTimeoutMs: 60_000,
        keepAliveTimeoutMs: 30_000,
        maxRequestsPerSocket: 1_000,
        compression: { enabled: true, minBytes: 1_024 },
      },
    });
    expect(config.sources[0]).toMatchObject({ kind: 'openapi', timeoutMs: 10_000, forwardHeaders: ['authorization', 'accept-language', 'x-request-id'] });
    expect(config.auth).toMatchObject({ anonymous: true, defaultPolicy: 'allow', rules: {} });
  });

  test('the production profile closes what development leaves open, unless the file opens it', () => {
    const text = 'profile: production\nserver: { introspection: true }\nsources:\n  - name: users\n    spec: u.yaml\n    url: http://localhost:1\n';
    const { config } = parseConfig(text, FILE, { env: {} });
    expect(config.server).toMatchObject({ graphiql: false, introspection: true, fieldSuggestions: false, csrfPrevention: true });
    expect(config.auth.defaultPolicy).toBe('deny');
    const closed = parseConfig(text.replace('server: { introspection: true }\n', ''), FILE, { env: {} }).config;
    expect(closed.server.introspection).toBe('admins');
    expect(closed.cache.exposeMetadata).toBe(false);
    expect(parseConfig(text.replace('profile: production\n', ''), FILE, { env: {} }).config.cache.exposeMetadata).toBe(true);
  });

  test('the production profile refuses the public demo secrets, at their place in the file', () => {
    const text = [
      'profile: production',
      'auth: { jwt: { secret: tessera-demo-secret-for-development-only } }',
      'sources:',
      '  - name: orders',
      '    spec: o.yaml',
      '    url: http://localhost:1',
      '    identityHeaders: { secret: tessera-demo-identity-secret }',
      '',
    ].join('\n');
    expect(() => parseConfig(text, FILE, { env: {} })).toThrow(/gateway\.yaml:2:24 at auth\.jwt\.secret: expected a secret of your own: the demo secret is public/);
    expect(() => parseConfig(text, FILE, { env: {} })).toThrow(/gateway\.yaml:7:32 at sources\[0\]\.identityHeaders\.secret: expected a secret of your own: the demo identity secret is public/);
    expect(errorOf(text).message).not.toMatch(/tessera-demo-secret|tessera-demo-identity-secret/);
  });

  test('a value that is one ${VAR} is read as a number or boolean where the key takes one; text stays text', () => {
    const text = [
      'server:',
      '  port: ${GW_PORT:-5431}',
      '  graphiql: ${GRAPHIQL:-false}',
      'limits:',
      '  maxDepth: ${MAX_DEPTH}',
      'auth:',
      '  apiKeys:',
      '    keys:',
      '      - client: ops',
      '        key: ${OPS_KEY}',
      'sources:',
      '  - name: orders',
      '    spec: o.yaml',
      '    url: http://localhost:1',
      '',
    ].join('\n');
    const { config } = parseConfig(text, FILE, { env: { MAX_DEPTH: '6', OPS_KEY: '12345678901234567890' } });
    expect([config.server.port, config.server.graphiql, config.limits.maxDepth]).toEqual([5431, false, 6]);
    expect(config.auth.apiKeys.keys[0].key).toBe('12345678901234567890');
    const error = errorOf(text.replace('5431', 'not-a-port'), { MAX_DEPTH: '6', OPS_KEY: '12345678901234567890' });
    expect(error.problems).toEqual([{ path: 'server.port', location: `${FILE}:2:9`, expected: 'number', found: '"not-a-port"' }]);
  });

  test('a credential in an error is never printed, only its length; nor a password in a URL', () => {
    const text = [
      'auth: { apiKeys: { keys: [{ client: ops, key: admin-key-xyz }] } }',
      'cache: { redisUrl: 42 }',
      'sources:',
      '  - name: orders',
      '    spec: o.yaml',
      '    url: http://localhost:1',
      '    headers: { authorization: 7 }',
      '    credentials: { type: bearer, token: "" }',
      'registry: { redisUrl: [ "redis://ops:hunter2@cache:6379" ] }',
      '',
    ].join('\n');
    const { message, problems } = errorOf(text);
    expect(problems.find((p) => p.path === 'auth.apiKeys.keys[0].key')?.found).toBe('a string of 13 characters (not shown: a secret)');
    expect(problems.find((p) => p.path === 'sources[0].credentials.token')?.found).toBe('a string of 0 characters (not shown: a secret)');
    expect(message).not.toContain('admin-key-xyz');
    expect(message).not.toContain('hunter2');
    expect(problems.find((p) => p.path === 'registry.redisUrl')?.found).toBe('array ["redis://ops:***@cache:6379"]');
    expect(message).toContain('number 42'); // what is not a credential is shown as before
  });
});

describe('composition errors name the config path', () => {
  const demo = () => loadConfig(join(REPO_ROOT, 'tessera.config.yaml'), { env: {} }).config;

  test.each([
    ['query', { query: 'people' }, 'links["Order.customer"].query: no source has a query field "people"'],
    ['argument', { argument: 'userIds' }, 'links["Order.customer"].argument: users has no argument "userIds" (it has ids)'],
    ['from', { from: 'customerId' }, 'links["Order.customer"].from: Order has no field "customerId"'],
    ['type', { type: 'Product' }, 'links["Order.customer"].type: "users" returns User, but the link declares Product'],
    ['args key', { args: { limti: 100 } }, 'links["Order.customer"].args.limti: users has no argument "limti" (it has ids)'],
  ])('a link with a wrong %s', async (_key, patch, message) => {
    const config = demo();
    config.links['Order.customer'] = { ...config.links['Order.customer'], ...patch };
    await expect(composeGateway(config)).rejects.toThrow(message);
  });
});

describe('the published JSON Schema of the config', () => {
  test('is the committed tessera.config.schema.json and accepts the demo config', () => {
    const committed = readFileSync(join(REPO_ROOT, 'tessera.config.schema.json'), 'utf8');
    expect(committed).toBe(configJsonSchema());
    const validate = addFormats(new Ajv2020({ strict: false })).compile(JSON.parse(committed));
    const demo = parseYaml(readFileSync(join(REPO_ROOT, 'tessera.config.yaml'), 'utf8'));
    expect(validate(demo)).toBe(true);
    expect(validate({ sources: [{ name: 'x', spec: 'a', url: 'http://x', timout: 1 }] })).toBe(false);
    expect(validate({ sources: [{ name: 'x', spec: 'a', url: 'not a url' }] })).toBe(false);
  });
});

describe('the CLI fails at start-up with the message and exit code 2', () => {
  test('tessera serve with a broken config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'sources:\n  - name: users\n    spec: u.yaml\n    url: not-a-url\n');
    const run = promisify(execFile)(process.execPath, [join(REPO_ROOT, 'bin/tessera.cjs'), 'serve', '--config', file, '--port', '0']);
    await expect(run).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining(`${file}:4:10 at sources[0].url: expected an http(s) URL, found "not-a-url"`),
    });
  });
});
