import { valueAt, type ConfigProblem } from './errors';

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE_PLACEHOLDER = new RegExp(`^${PLACEHOLDER.source}$`);

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of a parsed document.
 * Done on the parsed tree (not the raw text) so a missing variable is reported at its path and a
 * value containing YAML syntax cannot change the document's structure. `onWhole` is told the
 * paths of values that were one placeholder and nothing else (`port: ${PORT:-4000}`).
 */
export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  onMissing: (path: PropertyKey[], name: string) => void,
  path: PropertyKey[] = [],
  onWhole: (path: PropertyKey[]) => void = () => {},
): unknown {
  if (typeof value === 'string') {
    if (WHOLE_PLACEHOLDER.test(value)) onWhole(path);
    return value.replace(PLACEHOLDER, (_match, name: string, fallback: string | undefined) => {
      const fromEnv = env[name];
      if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
      if (fallback !== undefined) return fallback;
      onMissing(path, name);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolateEnv(item, env, onMissing, [...path, i], onWhole));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateEnv(item, env, onMissing, [...path, key], onWhole)]),
    );
  }
  return value;
}

/**
 * A whole-value placeholder is text in YAML whatever the variable holds; where the schema wants a
 * number or a boolean, its text is read as one (`port: ${PORT:-4000}` with PORT=8080 is 8080), so
 * ports, limits and flags can come from the environment. Only values the schema refused are
 * touched: a string field keeps a variable's digits as text. Returns whether anything changed.
 */
export function typeWholePlaceholders(raw: unknown, issues: ReadonlyArray<{ code: string; path: PropertyKey[]; expected?: unknown }>, whole: ReadonlySet<string>): boolean {
  let changed = false;
  for (const issue of issues) {
    if (issue.code !== 'invalid_type' || (issue.expected !== 'number' && issue.expected !== 'boolean') || !whole.has(JSON.stringify(issue.path))) continue;
    const parent = valueAt(raw, issue.path.slice(0, -1)) as Record<PropertyKey, unknown> | undefined;
    const key = issue.path.at(-1)!;
    const text = parent?.[key];
    if (typeof text !== 'string') continue;
    const typed = issue.expected === 'number' ? (/^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : undefined) : ({ true: true, false: false } as Record<string, boolean>)[text.trim()];
    if (typed === undefined) continue;
    parent![key] = typed;
    changed = true;
  }
  return changed;
}

export function missingVariableProblem(path: string, location: string, name: string): ConfigProblem {
  return {
    path,
    location,
    expected: `environment variable ${name} to be set (or a default: \${${name}:-value})`,
    found: `${name} unset`,
  };
}
