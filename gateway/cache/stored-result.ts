import type { ExecutionResult } from 'graphql';

/**
 * A cached result's `data`, kept as the JSON text it was stored as. A hit is sent by writing that
 * text out (see `stringify` below) instead of parsing the entry into objects and serializing them
 * again, which was ~19 % of a hit's CPU (JSON.parse 10.7 %, yoga's JSON.stringify 8.4 %, profile of
 * the bench's Q4 with the cache on). Anything else that serializes it gets the parsed value.
 */
export class SerializedData {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/**
 * How an entry is stored: all of it as JSON text, so the in-memory store can keep the entry object
 * itself (nothing in it can be changed by a consumer of a hit) and Redis copies two strings.
 */
export interface StoredEntry {
  dataText: string;
  /** The result's other members (`extensions`...), usually `{}`. */
  restText: string;
}

/** An entry written before `restText`: the other members as they were. */
interface EarlierEntry {
  dataText: string;
  rest: Omit<ExecutionResult, 'data'>;
}

export function toStored({ data, ...rest }: ExecutionResult): StoredEntry {
  return { dataText: dataText(data), restText: JSON.stringify(rest) };
}

/** What an entry costs the in-memory store: its text. */
export function storedSize(entry: StoredEntry): number {
  return entry.dataText.length + entry.restText.length;
}

/**
 * The result a hit answers with. `stringify` is the hook yoga's result processor calls instead of
 * JSON.stringify (the one graphql-jit results use); it writes the same bytes JSON.stringify would.
 *
 * What a hit is made of (the data's text, the other members parsed) is built once per entry and
 * kept on it: the in-memory store hands back the same entry on every hit, and JSON.parse of the
 * other members plus the objects around the text were ~2 % of a hit's CPU. Each hit gets its own
 * copy of the other members (small: the cache's metadata, usually), so no consumer of a hit can
 * change the next one; the data's text is shared, as it was when the entry was kept as is.
 */
export function fromStored(entry: StoredEntry | EarlierEntry | ExecutionResult | undefined): ExecutionResult | undefined {
  if (!entry || !('dataText' in entry)) return entry as ExecutionResult | undefined;
  const { data, rest } = hitPartsOf(entry);
  return { data: data as unknown as ExecutionResult['data'], ...copyOf(rest), stringify } as ExecutionResult;
}

interface HitParts {
  data: SerializedData;
  rest: EarlierEntry['rest'];
}

const HIT_PARTS = Symbol('tessera.hitParts');

function hitPartsOf(entry: (StoredEntry | EarlierEntry) & { [HIT_PARTS]?: HitParts }): HitParts {
  let parts = entry[HIT_PARTS];
  if (!parts) {
    parts = { data: new SerializedData(entry.dataText), rest: 'restText' in entry ? (JSON.parse(entry.restText) as EarlierEntry['rest']) : entry.rest };
    // Not enumerable: the entry stays what the store sized and would serialize, text only.
    Object.defineProperty(entry, HIT_PARTS, { value: parts });
  }
  return parts;
}

/** A copy of a JSON value (what JSON.parse of the entry's text gave), cheaper than parsing it again. */
function copyOf<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyOf) as T;
  const copy: Record<string, unknown> = {};
  for (const key in value) copy[key] = copyOf((value as Record<string, unknown>)[key]);
  return copy as T;
}

function stringify(result: Record<string, unknown>): string {
  // A hit with nothing but its data (the production default leaves the cache's metadata out).
  if (result.data instanceof SerializedData && onlyData(result)) return `{"data":${result.data.text}}`;
  const members: string[] = [];
  for (const [key, value] of Object.entries(result)) {
    if (value === undefined || typeof value === 'function') continue;
    members.push(`${JSON.stringify(key)}:${value instanceof SerializedData ? value.text : JSON.stringify(value)}`);
  }
  return `{${members.join(',')}}`;
}

function onlyData(result: Record<string, unknown>): boolean {
  for (const key in result) {
    const value = result[key];
    if (key !== 'data' && value !== undefined && typeof value !== 'function') return false;
  }
  return true;
}

/** The JSON text of a result's data, hit or not. */
export function dataText(data: unknown): string {
  return data instanceof SerializedData ? data.text : JSON.stringify(data);
}
