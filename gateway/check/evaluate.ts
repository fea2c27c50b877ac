import type { Approval } from './approvals';
import { findApproval } from './approvals';
import type { SchemaChange } from './compare';
import type { OperationImpact } from './impact';
import { uses } from './impact';
import type { ClientOperation } from './operations';

/** Which source, spec and spec operation or schema a GraphQL change comes from. */
export interface ChangeOrigin {
  source: string;
  /** The spec file (OpenAPI sources) or SDL file / URL the source was read from. */
  spec?: string;
  /** Line in `spec` where the operation or schema is written, when found. */
  line?: number;
  /** What in the spec produced the element: `operation getUser`, `schema User`, or `link` for config links. */
  element?: string;
  /** For types and their fields: the spec operations (operationIds) whose requests or responses contain the type. */
  operations?: string[];
}

export interface ReportedChange extends SchemaChange {
  /** Ids of the operations that use the changed element; absent when no operations were given. */
  usedBy?: string[];
  /** The approval's reason, when the change was accepted on purpose. */
  approved?: string;
  origin?: ChangeOrigin;
  /** Whether this change makes the check fail. */
  fails: boolean;
}

export interface BrokenOperation {
  id: string;
  /** Validation errors against the new schema, each with its line in the operation's file. */
  errors: { message: string; line?: number }[];
  /** Paths of the breaking or dangerous changes it uses. */
  changes: string[];
  /** A trusted document: invalid, it fails the check on its own (the gateway would refuse it). */
  trusted?: boolean;
}

export interface CheckResult {
  /** What the new schema was compared with: a file, a git ref or a registry version. */
  against: string;
  passed: boolean;
  changes: ReportedChange[];
  /** Present when operations were given. */
  operations?: { checked: number; broken: BrokenOperation[]; invalidBefore: string[] };
  /** Approvals that matched no change (kept in the file but no longer needed). */
  unusedApprovals: Approval[];
}

export interface EvaluateInput {
  against: string;
  changes: SchemaChange[];
  /** From assessOperations; undefined when no operations were given. */
  operations?: { impacts: OperationImpact[]; invalidBefore: ClientOperation[] };
  approvals?: Approval[];
  /** A breaking change no listed operation uses does not fail the check. */
  allowUnusedBreaking?: boolean;
  originOf?: (change: SchemaChange) => ChangeOrigin | undefined;
}

/**
 * Decides the check: a breaking change fails it unless it is approved, or unused by every listed
 * operation while unused breaking changes are allowed. Without operations nothing is known to be
 * unused, so every unapproved breaking change fails.
 */
export function evaluateCheck(input: EvaluateInput): CheckResult {
  const approvals = input.approvals ?? [];
  const usedApprovals = new Set<Approval>();
  const impacts = input.operations?.impacts;
  const changes = input.changes.map((change): ReportedChange => {
    const approval = change.level === 'breaking' ? findApproval(approvals, change) : undefined;
    if (approval) usedApprovals.add(approval);
    // Deprecations are safe, but which operations use a newly deprecated field is what teams migrate.
    const tracked = change.level !== 'safe' || change.type.endsWith('DEPRECATION_ADDED');
    const usedBy = impacts && tracked ? impacts.filter((impact) => uses(impact.coordinates, change.path)).map((i) => i.operation.id) : undefined;
    const unused = usedBy !== undefined && usedBy.length === 0;
    const fails = change.level === 'breaking' && !approval && !(unused && input.allowUnusedBreaking);
    const origin = input.originOf?.(change);
    return {
      ...change,
      ...(usedBy ? { usedBy } : {}),
      ...(approval ? { approved: approval.reason } : {}),
      ...(origin ? { origin } : {}),
      fails,
    };
  });
  const risky = changes.filter((change) => change.level !== 'safe');
  const breaking = new Set(risky.filter((change) => change.level === 'breaking').map((change) => change.path));
  const operations = input.operations && {
    checked: input.operations.impacts.length + input.operations.invalidBefore.length,
    // Broken: no longer valid, or valid but using a breaking change (a field that may now be null).
    broken: input.operations.impacts
      .map((impact) => ({
        id: impact.operation.id,
        errors: impact.errors,
        changes: risky.filter((change) => uses(impact.coordinates, change.path)).map((change) => change.path),
        ...(impact.operation.trusted ? { trusted: true } : {}),
      }))
      .filter((broken) => broken.errors.length > 0 || broken.changes.some((path) => breaking.has(path))),
    invalidBefore: input.operations.invalidBefore.map((operation) => operation.id),
  };
  return {
    against: input.against,
    passed: !changes.some((change) => change.fails) && !operations?.broken.some(isInvalidTrustedDocument),
    changes,
    ...(operations ? { operations } : {}),
    unusedApprovals: approvals.filter((approval) => !usedApprovals.has(approval)),
  };
}

/** A trusted document the new schema does not validate: every client that sends it gets an error. */
export function isInvalidTrustedDocument(broken: BrokenOperation): boolean {
  return broken.trusted === true && broken.errors.length > 0;
}
