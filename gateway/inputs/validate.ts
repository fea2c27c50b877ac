import type { default as Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { FieldConstraints } from './constraints';
import { enforcedFormats, FORMAT_DESCRIPTIONS } from './formats';
import { re2Engine } from './regex';

/** One argument value that breaks its spec's constraint. */
export interface Violation {
  /** Argument name, then input field names and list indexes (the loader's names). */
  path: Array<string | number>;
  /** The JSON Schema keyword: `maximum`, `pattern`, `format`… */
  constraint: string;
  /** The bound, pattern, format or allowed values the spec sets. */
  expected: unknown;
  /** What is wrong, without the argument's name: `must be at most 100 (got 250)`. */
  problem: string;
}

/** Checks a root field's arguments (by the loader's `Type.field` name); undefined when they comply. */
export type InputValidator = (coordinate: string, args: Record<string, unknown>) => Violation | undefined;

/**
 * ajv runs the constraints: it is the JSON Schema validator of this ecosystem (the loader itself
 * uses it), its `pattern` keyword runs on RE2 through `code.regExp`, and its formats here are RE2
 * too. Each field's validator is compiled on its first call, so composing a large spec costs none.
 */
export function createInputValidator(constraints: FieldConstraints): InputValidator {
  let ajv: Ajv | undefined;
  const compiled = new Map<string, ValidateFunction | null>();
  return (coordinate, args) => {
    const schema = constraints.get(coordinate);
    if (!schema) return undefined;
    let validate = compiled.get(coordinate);
    if (validate === undefined) {
      // The schema is built from checked keyword values only (./constraints), so this should not
      // fail; if ajv still refuses it, the field goes unchecked (the upstream still validates)
      // rather than fail every call.
      try {
        ajv ??= createAjv();
        validate = ajv.compile(schema);
      } catch {
        validate = null;
      }
      compiled.set(coordinate, validate);
    }
    if (!validate || validate(args)) return undefined;
    const error = validate.errors![0];
    const path = error.instancePath
      .split('/')
      .slice(1)
      .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
    return { path, constraint: error.keyword, expected: expectedOf(error), problem: problemOf(error) };
  };
}

/** Loaded on the first validation: ajv takes about 0.1 s to load, which start-up need not pay. */
function createAjv(): Ajv {
  const { default: AjvClass } = require('ajv') as typeof import('ajv');
  return new AjvClass({ strict: false, allErrors: false, verbose: true, code: { regExp: re2Engine }, formats: enforcedFormats() });
}

function expectedOf(error: ErrorObject): unknown {
  const params = error.params as Record<string, unknown>;
  return params.limit ?? params.pattern ?? params.format ?? params.allowedValues;
}

function problemOf(error: ErrorObject): string {
  const got = describeValue(error.data);
  const limit = (error.params as { limit?: number }).limit;
  switch (error.keyword) {
    case 'minimum':
      return `must be at least ${limit} (got ${got})`;
    case 'maximum':
      return `must be at most ${limit} (got ${got})`;
    case 'exclusiveMinimum':
      return `must be greater than ${limit} (got ${got})`;
    case 'exclusiveMaximum':
      return `must be less than ${limit} (got ${got})`;
    case 'minLength':
      return `must be at least ${plural(limit!, 'character')} long (got ${got})`;
    case 'maxLength':
      return `must be at most ${plural(limit!, 'character')} long (got ${got})`;
    case 'minItems':
      return `must have at least ${plural(limit!, 'item')} (got ${got})`;
    case 'maxItems':
      return `must have at most ${plural(limit!, 'item')} (got ${got})`;
    case 'pattern':
      return `must match the pattern ${clip(String(error.params.pattern), 100)} (got ${got})`;
    case 'format': {
      const format = String(error.params.format) as keyof typeof FORMAT_DESCRIPTIONS;
      return `must be ${FORMAT_DESCRIPTIONS[format] ?? `in the ${format} format`} (got ${got})`;
    }
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).filter((value) => value !== null).map(String);
      return `must be one of ${clip(allowed.join(', '), 200)} (got ${got})`;
    }
    default:
      return `${error.message ?? 'is invalid'} (got ${got})`;
  }
}

/**
 * What the client sent, short: numbers as they are, strings quoted up to 20 characters and
 * otherwise by their length and first characters, so a megabyte of input is never echoed back.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    if (value.length <= 20) return JSON.stringify(value);
    return `a string of ${value.length} characters starting ${JSON.stringify(value.slice(0, 12))}…`;
  }
  if (Array.isArray(value)) return plural(value.length, 'item');
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return typeof value;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
