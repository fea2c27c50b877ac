import type { Format } from 'ajv';
import { fastFormats, fullFormats } from 'ajv-formats/dist/formats';
import { compilePattern } from './regex';

/** The formats enforced on inputs; any other `format` in a spec is ignored (as JSON Schema allows). */
export const ENFORCED_FORMATS = ['email', 'uuid', 'date-time', 'uri'] as const;

export const FORMAT_DESCRIPTIONS: Record<(typeof ENFORCED_FORMATS)[number], string> = {
  email: 'an email address',
  uuid: 'a UUID',
  'date-time': 'an RFC 3339 date-time with a time zone, e.g. 2024-01-31T12:00:00Z',
  uri: 'an absolute URI, e.g. https://example.com/a',
};

/**
 * ajv-formats' definitions, kept maintained upstream, but every regex among them re-compiled on RE2
 * so no format check can backtrack either: email and uri from its "fast" set (its "full" email
 * regex is polynomial in the domain part), uuid as is, and date-time as its full validating
 * function (split and fixed-width regexes, linear; it also checks the day of the month).
 */
export function enforcedFormats(): Record<string, Format> {
  const onRe2 = (format: Format): Format => {
    if (!(format instanceof RegExp)) throw new Error('expected a regex format');
    const compiled = compilePattern(format.source, format.flags.includes('i'));
    if (!compiled.ok) throw new Error(`format regex ${format.source} does not compile on RE2: ${compiled.reason}`);
    return { type: 'string', validate: compiled.test };
  };
  return {
    email: onRe2(fastFormats.email),
    uuid: onRe2(fullFormats.uuid),
    uri: onRe2(fastFormats.uri),
    'date-time': fullFormats['date-time'],
  };
}
