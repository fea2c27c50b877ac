import type { GraphQLSchema } from 'graphql';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';

export type ChangeLevel = 'breaking' | 'dangerous' | 'safe';

/** One difference between the registered schema and the new one, classified. */
export interface SchemaChange {
  level: ChangeLevel;
  /** @graphql-inspector's change type, e.g. FIELD_REMOVED; with `path`, what approvals match on. */
  type: string;
  /** Schema coordinate: `Type`, `Type.field`, `Type.field.argument` or `Enum.value`. */
  path: string;
  message: string;
  /** Why it is breaking or dangerous, when the classification says. */
  reason?: string;
}

const LEVELS: Record<CriticalityLevel, ChangeLevel> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

/**
 * Every change from `registered` to `next`, classified by @graphql-inspector/core, in a stable
 * order (breaking first, then by path) so reports and their diffs read the same on every run.
 */
export async function compareSchemas(registered: GraphQLSchema, next: GraphQLSchema): Promise<SchemaChange[]> {
  const changes = (await diff(registered, next)).filter((change) => !restatesDeprecation(change)).map(classify);
  const rank: Record<ChangeLevel, number> = { breaking: 0, dangerous: 1, safe: 2 };
  return changes.sort((a, b) => rank[a.level] - rank[b.level] || a.path.localeCompare(b.path) || a.type.localeCompare(b.type));
}

export function classify(change: Change): SchemaChange {
  const base = { type: change.type, path: change.path ?? '', message: change.message };
  if (isOutputFieldMadeNullable(change)) {
    // graphql-js's findBreakingChanges and @graphql-inspector/core before 8 call this safe (a
    // nullable output accepts every value the non-null one did). Tessera's clients are generated
    // TypeScript that does not expect null there, so it breaks them. Inspector 8 agrees; pinned
    // here so a library upgrade cannot quietly weaken the check.
    return { ...base, level: 'breaking', reason: 'An output field that may now be null breaks clients that do not handle null.' };
  }
  return { ...base, level: LEVELS[change.criticality.level], reason: change.criticality.reason };
}

/**
 * Inspector 8 reports a new `@deprecated` both as FIELD_DEPRECATION_ADDED (or the enum value's) and
 * as generic directive-usage changes on the same element; one line per deprecation is enough.
 */
function restatesDeprecation(change: Change): boolean {
  return change.type.startsWith('DIRECTIVE_USAGE_') && /\.@deprecated(\.|$)/.test(change.path ?? '');
}

function isOutputFieldMadeNullable(change: Change): boolean {
  if (change.type !== 'FIELD_TYPE_CHANGED') return false;
  const { oldFieldType, newFieldType } = change.meta as { oldFieldType: string; newFieldType: string };
  return oldFieldType.endsWith('!') && oldFieldType.slice(0, -1) === newFieldType;
}
