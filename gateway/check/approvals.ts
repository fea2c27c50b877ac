import { readTextIfExists } from '../shared/files';
import { z } from 'zod';

/** A breaking change accepted on purpose, committed in schema/approved-changes.json. */
const approvalSchema = z
  .object({
    path: z.string().min(1).describe('Schema coordinate of the change, as the report prints it, e.g. "User.email".'),
    type: z.string().optional().describe('Change type, e.g. FIELD_REMOVED; without it, any change at `path`.'),
    reason: z.string().min(1).describe('Why breaking clients here is acceptable.'),
    approvedBy: z.string().optional(),
  })
  .strict();

const approvalsFileSchema = z.object({ approved: z.array(approvalSchema) }).strict();

export type Approval = z.output<typeof approvalSchema>;

export class ApprovalsError extends Error {}

export const DEFAULT_APPROVALS = 'schema/approved-changes.json';

/**
 * Reads the approvals file. The default file may be missing (no approvals yet); a file the caller
 * named (`required`) must exist, or a typo in a CI path would look like "changes not approved".
 */
export async function loadApprovals(file: string, { required = false } = {}): Promise<Approval[]> {
  const text = await readTextIfExists(file);
  if (text === undefined && required) throw new ApprovalsError(`${file}: no such approvals file (leave --approvals out to read ${DEFAULT_APPROVALS}, which may be absent)`);
  if (text === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ApprovalsError(`${file}: not JSON: ${(error as Error).message}`);
  }
  const parsed = approvalsFileSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new ApprovalsError(`${file}: expected { "approved": [{ "path", "type"?, "reason" }] }: ${problems}`);
  }
  return parsed.data.approved;
}

export function findApproval(approvals: Approval[], change: { path: string; type: string }): Approval | undefined {
  return approvals.find((approval) => approval.path === change.path && (approval.type === undefined || approval.type === change.type));
}
