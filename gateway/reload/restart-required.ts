import type { TesseraConfig } from '../config/schema';

/**
 * What a reload applies: everything each composition reads (sources, links, authorization rules,
 * the cache's private fields, trusted documents, field limits, the converted-schema folder) and
 * authentication, which follows the config so a revoked API key or a rotated JWT secret takes
 * effect at once. Everything else is built at start.
 */
const APPLIED_ON_RELOAD = [
  'sources',
  'links',
  'auth.anonymous',
  'auth.jwt',
  'auth.apiKeys',
  'auth.defaultPolicy',
  'auth.rules',
  'cache.private',
  'trustedDocuments',
  'rateLimits.fields',
  'rateLimits.directivesFile',
  'resilience.specCache',
];

/**
 * The settings whose value in `next` differs from the one the process started with and that a
 * reload does not apply, as config paths (`server.port`, `limits.maxDepth`): an operator who edits
 * one is told it waits for a restart instead of believing it served. Values are never reported
 * (they may be secrets).
 */
export function changesNeedingRestart(started: TesseraConfig, next: TesseraConfig): string[] {
  const changed: string[] = [];
  const walk = (before: unknown, after: unknown, path: string) => {
    if (APPLIED_ON_RELOAD.includes(path)) return;
    if (isPlainObject(before) && isPlainObject(after)) {
      for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) walk(before[key], after[key], path ? `${path}.${key}` : key);
    } else if (JSON.stringify(before) !== JSON.stringify(after)) {
      // Compared as JSON, which a config is: equal whichever realm built its arrays.
      changed.push(path);
    }
  };
  walk(started, next, '');
  return changed;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
