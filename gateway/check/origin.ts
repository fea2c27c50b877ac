import { readFileSync } from 'node:fs';
import { getNamedType, isInputObjectType, isInterfaceType, isObjectType, isUnionType, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import type { TesseraConfig } from '../config/schema';
import type { Subgraph } from '../compose/subgraph';
import { createSourceNaming } from '../compose/transforms';
import type { SchemaChange } from './compare';
import type { ChangeOrigin } from './evaluate';

/**
 * Traces a public schema coordinate back to where it comes from: root fields to the source and the
 * spec operation (operationId) that produced them, other types to the source and the spec's schema,
 * link fields to the config's `links`. Changes to elements the new composition no longer has are
 * traced through their type when it still exists (a removed `User.email` comes from `User`'s spec).
 */
export function createOriginLookup(
  config: TesseraConfig,
  subgraphs: Subgraph[],
  relativePath: (file: string) => string = (file) => file,
): (change: SchemaChange) => ChangeOrigin | undefined {
  const origins = new Map<string, ChangeOrigin>();
  subgraphs.forEach((subgraph, i) => {
    const source = config.sources[i];
    const location = source.kind === 'openapi' ? source.spec : source.sdl;
    const spec = location ? relativePath(location) : undefined;
    const lineOf = source.kind === 'openapi' ? specLines(source.spec) : () => undefined;
    const { renamer } = createSourceNaming(subgraph.naming, source.transforms);
    for (const operation of ['Query', 'Mutation'] as const) {
      const root = operation === 'Query' ? subgraph.schema.getQueryType() : subgraph.schema.getMutationType();
      for (const raw of Object.keys(root?.getFields() ?? {})) {
        const element = source.kind === 'openapi' ? `operation ${raw}` : `field ${operation}.${raw}`;
        const line = lineOf({ operationId: raw });
        origins.set(`${operation}.${renamer.rootField(operation, raw)}`, { source: source.name, spec, element, ...(line ? { line } : {}) });
      }
    }
    const operationsOf = operationsByType(subgraph.schema);
    for (const type of namedTypes(subgraph.schema)) {
      const name = renamer.type(type);
      if (origins.has(name)) continue;
      const element = source.kind === 'openapi' ? `schema ${type}` : `type ${type}`;
      const operations = operationsOf.get(type) ?? [];
      const line = lineOf({ schema: type });
      origins.set(name, { source: source.name, spec, element, ...(line ? { line } : {}), ...(operations.length ? { operations } : {}) });
    }
  });
  for (const coordinate of Object.keys(config.links)) origins.set(coordinate, { source: 'config', element: `links["${coordinate}"]` });

  return (change) => {
    const segments = change.path.split('.');
    // Most specific first: Query.user.id → Query.user → Query.
    for (let length = Math.min(segments.length, 2); length > 0; length--) {
      const origin = origins.get(segments.slice(0, length).join('.'));
      if (origin) return origin;
    }
    return undefined;
  };
}

/**
 * Where an operation or a component schema is written in a local spec (YAML or JSON), for annotations
 * that point at the line. A text search, not a parse: the loader has no source positions, and a line
 * that is off is only a less precise pointer (generated types named after their use have none).
 */
function specLines(file: string): (target: { operationId: string } | { schema: string }) => number | undefined {
  let text = '';
  try {
    if (!/^https?:\/\//.test(file)) text = readFileSync(file, 'utf8');
  } catch {
    // Unreadable now: the composition just read it, so this only loses line numbers.
  }
  const schemasAt = text.search(/["']?(schemas|definitions)["']?\s*:/);
  const lineAt = (index: number) => (index < 0 ? undefined : text.slice(0, index).split('\n').length);
  const quoted = (name: string) => `["']?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?`;
  return (target) => {
    if (!text) return undefined;
    if ('operationId' in target) return lineAt(text.search(new RegExp(`${quoted('operationId')}\\s*:\\s*${quoted(target.operationId)}\\s*,?\\s*$`, 'm')));
    if (schemasAt < 0) return undefined;
    const found = text.slice(schemasAt).search(new RegExp(`^\\s*${quoted(target.schema)}\\s*:`, 'm'));
    return found < 0 ? undefined : lineAt(schemasAt + found + text.slice(schemasAt + found).search(/\S/));
  };
}

/**
 * Raw type name → the spec operations (raw root field names, the operationIds) whose arguments or
 * results contain it, at any depth: the REST operations a change to the type comes through.
 */
function operationsByType(schema: GraphQLSchema): Map<string, string[]> {
  const byType = new Map<string, string[]>();
  const roots = [schema.getQueryType(), schema.getMutationType()].flatMap((root) => Object.values(root?.getFields() ?? {}));
  for (const root of roots) {
    const seen = new Set<string>();
    const pending: GraphQLNamedType[] = [getNamedType(root.type), ...root.args.map((arg) => getNamedType(arg.type))];
    while (pending.length > 0) {
      const type = pending.pop()!;
      if (seen.has(type.name)) continue;
      seen.add(type.name);
      byType.set(type.name, [...(byType.get(type.name) ?? []), root.name]);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) pending.push(getNamedType(field.type), ...field.args.map((arg) => getNamedType(arg.type)));
      } else if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) pending.push(getNamedType(field.type));
      } else if (isUnionType(type)) pending.push(...type.getTypes());
    }
  }
  return byType;
}

function namedTypes(schema: GraphQLSchema): string[] {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]);
  return Object.values(schema.getTypeMap())
    .filter((type) => !type.name.startsWith('__') && !(isObjectType(type) && roots.has(type)))
    .map((type) => type.name);
}
