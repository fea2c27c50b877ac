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

/** A short, readable rendering of a found value (never longer than one line). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  const json = JSON.stringify(value);
  const shown = json.length > 60 ? `${json.slice(0, 57)}...` : json;
  const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  return kind === 'string' || kind === 'null' ? shown : `${kind} ${shown}`;
}
