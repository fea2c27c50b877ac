import type { RegExpEngine } from 'ajv/dist/types';

/** A pattern compiled on RE2 (linear time in the input), or why RE2 cannot run it. */
export type CompiledPattern = { ok: true; test(value: string): boolean } | { ok: false; reason: string };

/**
 * Compiles a spec's pattern on re2js: matching time grows linearly with the input whatever the
 * pattern, so `^(a+)+$` against a long string cannot stall the gateway as it would on JavaScript's
 * backtracking RegExp. JavaScript syntax (\d, \u{…}, named groups) is translated first; what RE2
 * cannot express (backreferences, lookaround) is reported, never run on JavaScript's engine.
 * Patterns are searched, not fully matched, as JSON Schema says (ECMA-262 `test` semantics).
 */
export function compilePattern(pattern: string, caseInsensitive = false): CompiledPattern {
  // Loaded when a spec has a pattern (Node caches it): start-up pays nothing for specs without one.
  const { RE2JS } = require('re2js') as typeof import('re2js');
  try {
    const re = RE2JS.compile(RE2JS.translateRegExp(pattern), caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
    return { ok: true, test: (value) => re.test(value) };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/** ajv's `code.regExp` option: every `pattern` keyword runs on RE2. Unsupported patterns are removed before ajv sees them. */
export const re2Engine: RegExpEngine = Object.assign(
  (pattern: string) => {
    const compiled = compilePattern(pattern);
    if (!compiled.ok) throw new Error(`pattern ${pattern} cannot run on RE2: ${compiled.reason}`);
    // ajv keys its compiled patterns by toString(): without it, every pattern of a source would share the first one.
    return { test: compiled.test, toString: () => `re2:${pattern}` };
  },
  { code: 're2js' },
);
