import { isInvalidTrustedDocument, type CheckResult, type ReportedChange } from './evaluate';

export type ReportFormat = 'text' | 'json' | 'github';
export const REPORT_FORMATS: ReportFormat[] = ['text', 'json', 'github'];

export function formatReport(result: CheckResult, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  if (format === 'github') return formatGithub(result);
  return formatText(result);
}

function counts(result: CheckResult): string {
  const count = (level: string) => result.changes.filter((change) => change.level === level).length;
  const parts = [`${count('breaking')} breaking`, `${count('dangerous')} dangerous`, `${count('safe')} safe`];
  const operations = result.operations ? `; ${result.operations.checked} operations checked, ${result.operations.broken.length} affected by breaking changes` : '';
  return `${parts.join(', ')} change(s)${operations}`;
}

function verdict(result: CheckResult): string {
  const failing = result.changes.filter((change) => change.fails).length;
  const invalidTrusted = result.operations?.broken.filter(isInvalidTrustedDocument).length ?? 0;
  const reasons = [
    failing && `${failing} unapproved breaking change(s)`,
    invalidTrusted && `${invalidTrusted} trusted document(s) invalid against the new schema`,
  ].filter(Boolean);
  if (reasons.length > 0) return `FAIL: ${reasons.join('; ')}`;
  const approved = result.changes.filter((change) => change.approved).length;
  const allowed = result.changes.filter((change) => change.level === 'breaking' && !change.approved && !change.fails).length;
  const notes = [approved && `${approved} approved breaking change(s)`, allowed && `${allowed} breaking change(s) no client operation uses`].filter(Boolean);
  return `PASS${notes.length ? ` (with ${notes.join(' and ')})` : ''}`;
}

function describe(change: ReportedChange): string[] {
  const lines = [`${label(change).padEnd(10)} ${change.path}  ${change.message}`];
  if (change.origin) lines.push(`  from:    ${originText(change)}`);
  if (change.usedBy) lines.push(`  used by: ${change.usedBy.length ? change.usedBy.join(', ') : 'no listed operation'}`);
  if (change.approved) lines.push(`  approved: ${change.approved}`);
  if (change.level !== 'safe' && change.reason) lines.push(`  why:     ${change.reason}`);
  return lines;
}

function label(change: ReportedChange): string {
  if (change.approved) return 'APPROVED';
  if (change.level === 'breaking' && !change.fails) return 'UNUSED';
  return change.level.toUpperCase();
}

function originText(change: ReportedChange): string {
  const { source, spec, line, element, operations } = change.origin!;
  const through = operations && `, in ${operations.length > 5 ? `${operations.slice(0, 5).join(', ')} and ${operations.length - 5} more` : operations.join(', ')}`;
  return [`source ${source}`, spec && `(${spec}${line ? `:${line}` : ''})`, element && `${element}${through ?? ''}`].filter(Boolean).join(' ');
}

function formatText(result: CheckResult): string {
  const lines = [`tessera check: compared with ${result.against}`, counts(result), ''];
  for (const change of result.changes) lines.push(...describe(change));
  if (result.operations?.broken.length) {
    // A dangerous change an operation uses is named as such: only the breaking ones put it on this list.
    const levels = new Map(result.changes.map((change) => [change.path, change.level]));
    lines.push('', 'Operations affected by breaking changes:');
    for (const broken of result.operations.broken) {
      lines.push(`  ${broken.id}`);
      for (const error of broken.errors) lines.push(`    ${error.line ? `line ${error.line}: ` : ''}${error.message}`);
      if (broken.changes.length) lines.push(`    uses: ${broken.changes.map((path) => `${path} (${levels.get(path) ?? 'changed'})`).join(', ')}`);
    }
  }
  if (result.operations?.invalidBefore.length) {
    lines.push('', `Already invalid against ${result.against} (ignored): ${result.operations.invalidBefore.join(', ')}`);
  }
  if (result.unusedApprovals.length) {
    lines.push('', `Approvals that match no change (remove them): ${result.unusedApprovals.map((a) => a.path).join(', ')}`);
  }
  lines.push('', verdict(result));
  return `${lines.join('\n')}\n`;
}

/** GitHub Actions workflow commands: one annotation per change, on the spec it came from when known. */
function formatGithub(result: CheckResult): string {
  const lines = result.changes.map((change) => {
    const command = change.fails ? 'error' : change.level === 'safe' ? 'notice' : 'warning';
    const properties = [
      change.origin?.spec && `file=${property(change.origin.spec)}`,
      change.origin?.line && `line=${change.origin.line}`,
      `title=${property(`${label(change).toLowerCase()} change: ${change.path}`)}`,
    ];
    const details = [change.message, change.origin && `from ${originText(change)}`, change.usedBy && `used by: ${change.usedBy.join(', ') || 'no listed operation'}`, change.approved && `approved: ${change.approved}`];
    return `::${command} ${properties.filter(Boolean).join(',')}::${data(details.filter(Boolean).join('\n'))}`;
  });
  lines.push(`${counts(result)}. ${verdict(result)}`);
  return `${lines.join('\n')}\n`;
}

// Escaping as GitHub's runner (actions/toolkit, command.ts) expects it.
function data(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function property(value: string): string {
  return data(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
