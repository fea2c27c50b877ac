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
 */
export function fromStored(entry: StoredEntry | EarlierEntry | ExecutionResult | undefined): ExecutionResult | undefined {
  if (!entry || !('dataText' in entry)) return entry as ExecutionResult | undefined;
  const rest = 'restText' in entry ? (JSON.parse(entry.restText) as EarlierEntry['rest']) : entry.rest;
  return { data: new SerializedData(entry.dataText) as unknown as ExecutionResult['data'], ...rest, stringify } as ExecutionResult;
}

function stringify(result: Record<string, unknown>): string {
  const members: string[] = [];
  for (const [key, value] of Object.entries(result)) {
    if (value === undefined || typeof value === 'function') continue;
    members.push(`${JSON.stringify(key)}:${value instanceof SerializedData ? value.text : JSON.stringify(value)}`);
  }
  return `{${members.join(',')}}`;
}

/** The JSON text of a result's data, hit or not. */
export function dataText(data: unknown): string {
  return data instanceof SerializedData ? data.text : JSON.stringify(data);
}
