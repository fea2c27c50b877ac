import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { z, type core } from 'zod';
import { ConfigError, describeValue, formatPath, isSecretPath, valueAt, type ConfigProblem } from './errors';
import { interpolateEnv, missingVariableProblem, typeWholePlaceholders } from './interpolate';
import { configSchema, sourceSchema, type TesseraConfig } from './schema';
import { knownKeysAt } from './known-keys';
import { closestName } from './suggest';

export const DEFAULT_CONFIG_FILE = 'tessera.config.yaml';

export interface LoadedConfig {
  config: TesseraConfig;
  /** Absolute path of the file the config came from. */
  file: string;
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
}

/**
 * Reads, interpolates and validates a config file (YAML or JSON). Relative spec and SDL paths are
 * resolved against the file's folder. Every problem is reported at once, as a ConfigError.
 */
export function loadConfig(file: string = DEFAULT_CONFIG_FILE, options: LoadConfigOptions = {}): LoadedConfig {
  const absolute = resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new ConfigError(absolute, [
      { path: '', location: absolute, expected: 'a readable config file (pass one with --config FILE)', found: reason },
    ]);
  }
  return parseConfig(text, absolute, options);
}

/** Validates config text as if it were read from `file` (used by loadConfig and by tests). */
export function parseConfig(text: string, file: string, options: LoadConfigOptions = {}): LoadedConfig {
  const lineCounter = new LineCounter();
  // JSON is valid YAML 1.2, so one parser serves both and gives line numbers for both.
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const locate = (path: ReadonlyArray<PropertyKey>) => locationOf(document, lineCounter, file, path);
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((error) => ({
        path: '',
        location: `${file}:${error.linePos?.[0].line ?? '?'}:${error.linePos?.[0].col ?? '?'}`,
        expected: `valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}`,
        found: error.message.split('\n')[0],
      })),
    );
  }
  const problems: ConfigProblem[] = [];
  const whole = new Set<string>();
  const raw = interpolateEnv(
    document.toJS(),
    options.env ?? process.env,
    (path, name) => problems.push(missingVariableProblem(formatPath(path), locate(path), name)),
    [],
    (path) => whole.add(JSON.stringify(path)),
  );
  let parsed = configSchema.safeParse(raw);
  // A few rounds: a value typed inside a union can let the schema look deeper and find another.
  for (let round = 0; !parsed.success && round < 3 && typeWholePlaceholders(raw, parsed.error.issues, whole); round++) parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    // A path already reported for a missing variable would only repeat the same fault as a type error.
    const reported = new Set(problems.map((p) => p.path));
    for (const issue of parsed.error.issues) {
      problems.push(...describeIssue(issue, raw, locate).filter((p) => !reported.has(p.path)));
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(file, problems);
  return { config: resolvePaths(parsed.data, dirname(file)), file };
}

function resolvePaths(config: TesseraConfig, base: string): TesseraConfig {
  const local = (location: string) => (/^https?:\/\//.test(location) || isAbsolute(location) ? location : resolve(base, location));
  const tlsFiles = <T extends object>(tls: T | undefined, keys: Array<keyof T>): T | undefined =>
    tls && { ...tls, ...Object.fromEntries(keys.filter((k) => typeof tls[k] === 'string').map((k) => [k, local(tls[k] as string)])) };
  return {
    ...config,
    server: { ...config.server, tls: tlsFiles(config.server.tls, ['cert', 'key', 'ca']) },
    resilience: { ...config.resilience, specCache: local(config.resilience.specCache) },
    sources: config.sources.map((source) =>
      source.kind === 'openapi'
        ? { ...source, spec: local(source.spec), tls: tlsFiles(source.tls, ['ca', 'cert', 'key']) }
        : { ...source, tls: tlsFiles(source.tls, ['ca', 'cert', 'key']), ...(source.sdl ? { sdl: local(source.sdl) } : {}) },
    ),
    registry: { ...config.registry, dir: local(config.registry.dir) },
    usage: { ...config.usage, file: local(config.usage.file) },
    trustedDocuments: { ...config.trustedDocuments, manifests: config.trustedDocuments.manifests.map(local) },
    rateLimits: { ...config.rateLimits, ...(config.rateLimits.directivesFile ? { directivesFile: local(config.rateLimits.directivesFile) } : {}) },
  };
}

function describeIssue(
  issue: core.$ZodIssue,
  raw: unknown,
  locate: (path: ReadonlyArray<PropertyKey>) => string,
): ConfigProblem[] {
  const path = issue.path as PropertyKey[];
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(path, raw);
    return issue.keys.map((key) => ({
      path: formatPath([...path, key]),
      location: locate([...path, key]),
      expected: known.length ? `one of the keys ${known.join(', ')}${suggest(key, known)}` : 'no such key',
      found: `unknown key "${key}"`,
    }));
  }
  if (issue.code === 'invalid_key') {
    return [{ path: formatPath(path), location: locate(path), expected: expectedFrom(issue.issues[0] ?? issue), found: `key ${JSON.stringify(String(path.at(-1)))}` }];
  }
  const found = valueAt(raw, path);
  return [{ path: formatPath(path), location: locate(path), expected: expectedFrom(issue), found: describeValue(found, isSecretPath(path)) }];
}

function expectedFrom(issue: core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
    const kinds = sourceSchema.options.map((option) => {
      const kind = option.shape.kind;
      return JSON.stringify((kind instanceof z.ZodDefault ? kind.unwrap() : kind).value);
    });
    return `"${String(issue.discriminator)}" to be one of ${kinds.join(', ')}`;
  }
  if (issue.code === 'invalid_value') return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  const message = issue.message.replace(/^Invalid input: /, '');
  const typed = /^expected (.+?), received .+$/.exec(message);
  if (typed) return typed[1];
  return message.replace(/^expected /, '');
}

function suggest(key: string, known: string[]): string {
  const close = closestName(key, known);
  return close ? ` (did you mean "${close}"?)` : '';
}

/** file:line:col of the deepest node of `path` that exists in the document. */
function locationOf(document: Document, lines: LineCounter, file: string, path: ReadonlyArray<PropertyKey>): string {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = document.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    const start = node?.range?.[0];
    if (start !== undefined) {
      const { line, col } = lines.linePos(start);
      return `${file}:${line}:${col}`;
    }
  }
  return file;
}
