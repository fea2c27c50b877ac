/** One problem found in a config document, located as precisely as the document allows. */
export interface ConfigProblem {
  /** Path inside the document, e.g. `sources[0].url`. */
  path: string;
  /** `file:line:column` where the offending value (or its parent) starts, when known. */
  location: string;
  expected: string;
  found: string;
}

/** Thrown at start-up for a config that cannot be used; the message lists every problem. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `Invalid configuration in ${file}:\n` +
        problems.map((p) => `  - ${p.location} at ${p.path || '(root)'}: expected ${p.expected}, found ${p.found}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    const name = String(key);
    return /^[A-Za-z_$][\w$]*$/.test(name) ? (out ? `${out}.${name}` : name) : `${out}[${JSON.stringify(name)}]`;
  }, '');
}

/** The value at `path` in a parsed document, or undefined when the path leads nowhere. */
export function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Keys whose values are credentials (`auth.jwt.secret`, an API key's `key`, a source's `token`, `clientSecret`, `value`, static `headers`). */
const SECRET_KEYS = new Set(['secret', 'key', 'token', 'clientSecret', 'value', 'password']);

/** Is the value at this config path a credential, which an error must not print? */
export function isSecretPath(path: ReadonlyArray<PropertyKey>): boolean {
  const key = path.at(-1);
  return (typeof key === 'string' && SECRET_KEYS.has(key)) || path.at(-2) === 'headers';
}

/**
 * A short, readable rendering of a found value (never longer than one line). A secret's value is
 * never shown, only its length (errors reach logs and CI output), nor a password inside a URL.
 */
export function describeValue(value: unknown, secret = false): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (secret && typeof value === 'string') return `a string of ${value.length} characters (not shown: a secret)`;
  const json = JSON.stringify(value).replace(/(\/\/[^/@\s"]*?):[^/@\s"]*@/g, '$1:***@');
  const shown = json.length > 60 ? `${json.slice(0, 57)}...` : json;
  const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  return kind === 'string' || kind === 'null' ? shown : `${kind} ${shown}`;
}
