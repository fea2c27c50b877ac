/** Minimal HTTP client for the source tests: always reads the body, parses JSON when it is JSON. */
export interface Response {
  status: number;
  headers: Headers;
  /** Media type without parameters, e.g. `application/problem+json`. */
  mediaType: string;
  contentType: string;
  text: string;
  /** Parsed body for JSON media types; `undefined` otherwise. */
  json: unknown;
}

export async function request(url: string, init?: RequestInit): Promise<Response> {
  const res = await fetch(url, init);
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  const mediaType = contentType.split(';')[0]?.trim() ?? '';
  const json: unknown = /[/+]json$/.test(mediaType) ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, mediaType, contentType, text, json };
}

export function postJson(url: string, body: unknown, contentType = 'application/json', headers: Record<string, string> = {}): Promise<Response> {
  return request(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
