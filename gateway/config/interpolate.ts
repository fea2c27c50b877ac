import type { ConfigProblem } from './errors';

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of a parsed document.
 * Done on the parsed tree (not the raw text) so a missing variable is reported at its path and a
 * value containing YAML syntax cannot change the document's structure.
 */
export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  onMissing: (path: PropertyKey[], name: string) => void,
  path: PropertyKey[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (_match, name: string, fallback: string | undefined) => {
      const fromEnv = env[name];
      if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
      if (fallback !== undefined) return fallback;
      onMissing(path, name);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolateEnv(item, env, onMissing, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateEnv(item, env, onMissing, [...path, key])]),
    );
  }
  return value;
}

export function missingVariableProblem(path: string, location: string, name: string): ConfigProblem {
  return {
    path,
    location,
    expected: `environment variable ${name} to be set (or a default: \${${name}:-value})`,
    found: `${name} unset`,
  };
}
