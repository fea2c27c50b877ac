/**
 * Puts the results of one batch call back in the order of the keys that were asked for, by each
 * result's key field, never by position: an upstream that answers out of order or leaves keys out
 * still gives every parent its own child, and a missing one gets its own error.
 *  - one-to-one: one entry per key, the result or `missing(key)`;
 *  - one-to-many: one list per key with every result whose key field equals it (empty when none).
 */
export function matchByKey<T>(
  results: readonly T[],
  keys: readonly string[],
  keyOf: (result: T) => unknown,
  options: { many: false; missing: (key: string) => Error },
): Array<T | Error>;
export function matchByKey<T>(results: readonly T[], keys: readonly string[], keyOf: (result: T) => unknown, options: { many: true }): T[][];
export function matchByKey<T>(
  results: readonly T[],
  keys: readonly string[],
  keyOf: (result: T) => unknown,
  options: { many: boolean; missing?: (key: string) => Error },
): Array<T | Error> | T[][] {
  const byKey = new Map<string, T[]>();
  for (const result of results) {
    if (result === null || result === undefined) continue;
    const key = keyOf(result);
    if (key === null || key === undefined) continue;
    const group = byKey.get(String(key));
    if (group) group.push(result);
    else byKey.set(String(key), [result]);
  }
  if (options.many) return keys.map((key) => byKey.get(key) ?? []);
  const missing = options.missing as (key: string) => Error;
  return keys.map((key) => byKey.get(key)?.[0] ?? missing(key));
}
