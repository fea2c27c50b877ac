import type { FieldError } from '../http';
import { INT32_MAX } from '../http';
import type { OrderInput } from './store';

export const MIN_QUANTITY = 1;
export const MAX_QUANTITY = 100;
/** Kept in step with `maxLength` of OrderInput.note in openapi.yaml. */
export const MAX_NOTE_LENGTH = 200;

export interface ReferenceChecks {
  userExists(id: number): boolean;
  productExists(id: number): boolean;
}

export type Validated = { ok: true; value: OrderInput } | { ok: false; errors: FieldError[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks one integer field; returns the value, or records why not. */
function integerField(
  body: Record<string, unknown>,
  field: keyof OrderInput,
  min: number,
  max: number,
  errors: FieldError[],
): number | undefined {
  const value = body[field];
  if (value === undefined) {
    errors.push({ field, message: 'is required' });
  } else if (typeof value !== 'number' || !Number.isInteger(value)) {
    errors.push({ field, message: `must be an integer (got ${JSON.stringify(value)})` });
  } else if (value < min || value > max) {
    errors.push({ field, message: `must be between ${min} and ${max} (got ${value})` });
  } else {
    return value;
  }
  return undefined;
}

/**
 * Validates a createOrder body and reports every problem at once, so a client
 * fixing its request does not have to discover errors one round trip at a time.
 * Unknown extra properties are ignored, as the spec does not forbid them.
 */
export function validateOrderInput(body: unknown, refs: ReferenceChecks): Validated {
  if (!isRecord(body)) return { ok: false, errors: [{ field: 'body', message: 'must be a JSON object' }] };

  const errors: FieldError[] = [];
  const userId = integerField(body, 'userId', 1, INT32_MAX, errors);
  const productId = integerField(body, 'productId', 1, INT32_MAX, errors);
  const quantity = integerField(body, 'quantity', MIN_QUANTITY, MAX_QUANTITY, errors);

  // Orders pointing at nothing would surface later as nulls in the gateway's joins.
  if (userId !== undefined && !refs.userExists(userId)) {
    errors.push({ field: 'userId', message: `refers to unknown user ${userId}` });
  }
  if (productId !== undefined && !refs.productExists(productId)) {
    errors.push({ field: 'productId', message: `refers to unknown product ${productId}` });
  }

  const note = body.note;
  if (note !== undefined && (typeof note !== 'string' || note.length > MAX_NOTE_LENGTH || /[\r\n]/.test(note))) {
    errors.push({ field: 'note', message: `must be a string of at most ${MAX_NOTE_LENGTH} characters on one line` });
  }

  if (userId === undefined || productId === undefined || quantity === undefined || errors.length > 0) {
    return { ok: false, errors };
  }
  return { ok: true, value: { userId, productId, quantity, ...(typeof note === 'string' ? { note } : {}) } };
}
