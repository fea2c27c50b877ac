/* eslint-disable @typescript-eslint/no-require-imports -- `ms` ships no types; its one function is typed here */

/**
 * Windows are written the way @envelop/rate-limiter reads them ("60s", "1m", "1h"), through the
 * same parser it uses (`ms`), so a window valid in its `@rateLimit` directive is valid here.
 */
const ms = require('ms') as (value: string) => number | undefined;

/** A window in whole seconds, or undefined when `text` is not one ("10" alone is 10 ms to `ms`: refused). */
export function windowSeconds(text: string): number | undefined {
  const millis = typeof text === 'string' && /[a-z]\s*$/i.test(text.trim()) ? ms(text.trim()) : undefined;
  if (millis === undefined || !Number.isFinite(millis) || millis < 1000 || millis % 1000 !== 0) return undefined;
  return millis / 1000;
}
