/**
 * A reply's JSON handed to the resolver beside the Response instead of through it.
 *
 * @graphql-mesh/transport-rest parses every reply itself and then defines eight getters
 * (`$statusCode`, `$response`, ...) with Object.defineProperties on each object of the answer. In
 * profiles of list queries that was ~5% of the gateway's CPU and ~20% of the bytes it allocated, and
 * the getters' closures keep the reply's text alive as long as the objects. Only the loader's
 * union-by-status-code, `responseMetadata` and OpenAPI-link fields read them.
 *
 * So a resolver that needs none of those puts a slot on the resolve info it passes the loader (the
 * loader hands a copy of that info to fetch as its fourth argument); the upstream client parses a
 * successful reply into the slot and gives the loader a stand-in body, `0`, which the loader
 * returns untouched (no getters for a number). Replies the loader handles differently (errors,
 * no JSON, `null`, lists with `null` items) go the usual way.
 */
export const PARSED_BODY = Symbol('tessera.parsedBody');

export interface ParsedBodySlot {
  /** Set once the client has put a reply's parsed JSON in `value`. */
  parsed: boolean;
  value?: unknown;
}

/** What the loader is given instead of a body the client parsed. */
export const STAND_IN_BODY = '0';

/** The slot a fetch's fourth argument carries, if its caller asked for the parsed body. */
export function parsedBodySlotOf(info: unknown): ParsedBodySlot | undefined {
  return typeof info === 'object' && info !== null ? (info as { [PARSED_BODY]?: ParsedBodySlot })[PARSED_BODY] : undefined;
}

/** Parses a successful reply into the slot; false (slot untouched) when the loader should read it. */
export function handOver(slot: ParsedBodySlot, status: number, body: string): boolean {
  if (status < 200 || status > 299) return false;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return false;
  }
  if (value === null || (Array.isArray(value) && value.includes(null))) return false;
  slot.parsed = true;
  slot.value = value;
  return true;
}
