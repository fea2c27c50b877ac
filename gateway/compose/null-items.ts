import { fieldError } from './field-errors';

/**
 * @omnigraph/openapi crashes on `null` items of a list response (it attaches metadata to every item
 * with Object.defineProperties, and `typeof null === 'object'`). Batch endpoints legitimately answer
 * `null` for unknown ids, so before the loader reads a body each null item is replaced by a marker
 * object, keeping every position; after the loader, markers become per-item errors.
 */
const NULL_ITEM_MARKER = '__tessera_null_item__';

/** Body adapter for the upstream client of an OpenAPI source. */
export function markNullListItems(body: string, status: number): string {
  if (status < 200 || status > 299 || body.charCodeAt(0) !== 91 /* [ */ || !body.includes('null')) return body;
  try {
    const parsed: unknown = JSON.parse(body);
    if (!Array.isArray(parsed) || !parsed.includes(null)) return body;
    return JSON.stringify(parsed.map((item) => (item === null ? { [NULL_ITEM_MARKER]: true } : item)));
  } catch {
    return body;
  }
}

/** A list result with each marker replaced by a NOT_FOUND error: that item is null plus an error. */
export function restoreNullItems(list: unknown[], source: string): unknown[] {
  return list.map((item, index) =>
    typeof item === 'object' && item !== null && NULL_ITEM_MARKER in item
      ? fieldError(`${source} answered null at index ${index} of the list (as in the error's path): no such entity`, { code: 'NOT_FOUND', source })
      : item,
  );
}
