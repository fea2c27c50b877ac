import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { UpstreamTlsConfig } from '../config/schema';
import { fetchWithSourceTls } from '../upstream/tls';
import type { SecuritySchemes } from '../upstream/upstream-auth';

/** A parsed OpenAPI 3.x or Swagger 2.0 document; only the parts Tessera reads are typed. */
export interface OpenApiDocument {
  openapi?: string;
  swagger?: string;
  paths?: Record<string, Record<string, unknown> | undefined>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: SecuritySchemes };
  definitions?: Record<string, unknown>;
  /** Swagger 2.0's securitySchemes. */
  securityDefinitions?: SecuritySchemes;
  [key: string]: unknown;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Reads a spec's text from a file path or an http(s) URL (with the source's `tls`, if any). */
export async function readSpecText(location: string, sourceName: string, tls?: UpstreamTlsConfig): Promise<string> {
  try {
    if (/^https?:\/\//.test(location)) {
      const response = await fetchWithSourceTls(location, { signal: AbortSignal.timeout(15_000) }, tls, sourceName);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return await response.text();
    }
    return await readFile(location, 'utf8');
  } catch (error) {
    throw new Error(`source "${sourceName}": cannot read its spec at ${location}: ${(error as Error).message}`);
  }
}

/** Parses a spec: YAML and JSON both parse (JSON is YAML). */
export function parseSpec(text: string, location: string, sourceName: string): OpenApiDocument {
  let document: unknown;
  try {
    // JSON is YAML, but the YAML parser takes seconds and a lot of memory on a spec of several MiB.
    document = jsonOrUndefined(text) ?? parseYaml(text, { maxAliasCount: 10_000 });
  } catch (error) {
    throw new Error(`source "${sourceName}": spec ${location} is neither valid YAML nor JSON: ${(error as Error).message}`);
  }
  if (!document || typeof document !== 'object' || !('openapi' in document || 'swagger' in document)) {
    throw new Error(`source "${sourceName}": ${location} is not an OpenAPI document (expected an "openapi" or "swagger" key at the top)`);
  }
  return document as OpenApiDocument;
}

function jsonOrUndefined(text: string): unknown {
  if (!/^\s*\{/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // YAML flow syntax or broken JSON: the YAML parser decides and explains
  }
}

/** One operation of a spec, with the JSON pointer that names it in warnings. */
export interface SpecOperation {
  method: string;
  path: string;
  operationId?: string;
  pointer: string;
}

export function listOperations(spec: OpenApiDocument): SpecOperation[] {
  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = item?.[method] as { operationId?: string } | undefined;
      if (!operation) continue;
      operations.push({ method, path, operationId: operation.operationId, pointer: `#/paths/${escapePointer(path)}/${method}` });
    }
  }
  return operations;
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Maps (method, URL) back to the operationId it came from, by the spec's path templates, so
 * metrics name operations instead of carrying unbounded URLs.
 */
export function createOperationMatcher(spec: OpenApiDocument): (method: string, url: URL) => string {
  const routes = listOperations(spec)
    .map((op) => ({
      method: op.method.toUpperCase(),
      // Literal segments first, so /products/by-ids wins over /products/{id}.
      literalSegments: op.path.split('/').filter((s) => s && !s.startsWith('{')).length,
      // Anchored at the end only: the source URL (or a Swagger basePath) may put a prefix before it.
      pattern: new RegExp(
        `${op.path
          .split(/\{[^}]+\}/)
          .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
          .join('[^/]+')}/?$`,
      ),
      name: op.operationId ?? `${op.method.toUpperCase()} ${op.path}`,
    }))
    .sort((a, b) => b.literalSegments - a.literalSegments);
  return (method, url) =>
    routes.find((route) => route.method === method && route.pattern.test(url.pathname))?.name ?? `${method} (unknown path)`;
}

/** A local `$ref` that points at nothing, with the JSON pointer of the place that holds it. */
export interface UnresolvedRef {
  pointer: string;
  ref: string;
}

/**
 * Local `$ref`s that resolve to nothing. The loader does not reject them: it quietly types the value
 * as `JSON`, so they are found here and reported, each at its place in the spec.
 */
export function findUnresolvedRefs(spec: OpenApiDocument): UnresolvedRef[] {
  const found: UnresolvedRef[] = [];
  const seen = new Set<object>();
  // A large spec has a million nodes and thousands of $refs to a few hundred targets: each target
  // is resolved once, and a node's pointer is only written out for a $ref that resolves to nothing.
  const resolves = new Map<string, boolean>();
  const path: string[] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith('#')) {
      let resolved = resolves.get(ref);
      if (resolved === undefined) resolves.set(ref, (resolved = resolvePointer(spec, ref) !== undefined));
      if (!resolved) found.push({ pointer: ['#', ...path.map(escapePointer)].join('/'), ref });
    }
    for (const key of Object.keys(node)) {
      path.push(key);
      walk((node as Record<string, unknown>)[key]);
      path.pop();
    }
  };
  walk(spec);
  return found;
}

export function resolvePointer(document: unknown, ref: string): unknown {
  let node: unknown = document;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}
