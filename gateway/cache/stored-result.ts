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

/** How an entry is stored: the data as text (one string for the store to copy), the rest as is. */
interface StoredEntry {
  dataText: string;
  rest: Omit<ExecutionResult, 'data'>;
}

export function toStored({ data, ...rest }: ExecutionResult): StoredEntry {
  return { dataText: dataText(data), rest };
}

/**
 * The result a hit answers with. `stringify` is the hook yoga's result processor calls instead of
 * JSON.stringify (the one graphql-jit results use); it writes the same bytes JSON.stringify would.
 */
export function fromStored(entry: StoredEntry | ExecutionResult | undefined): ExecutionResult | undefined {
  if (!entry || !('dataText' in entry)) return entry as ExecutionResult | undefined;
  return { data: new SerializedData(entry.dataText) as unknown as ExecutionResult['data'], ...entry.rest, stringify } as ExecutionResult;
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
