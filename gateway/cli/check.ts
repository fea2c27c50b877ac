import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { promisify } from 'node:util';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { loadConfig } from '../config/load';
import type { TesseraConfig } from '../config/schema';
import { CompositionError } from '../compose/errors';
import { composeGateway } from '../compose/compose';
import { printComposedSchema } from '../compose/print';
import { formatWarning } from '../compose/warnings';
import { DEFAULT_APPROVALS, loadApprovals } from '../check/approvals';
import { compareSchemas, type SchemaChange } from '../check/compare';
import { evaluateCheck, type CheckResult } from '../check/evaluate';
import { formatReport, type ReportFormat } from '../check/format';
import { assessOperations } from '../check/impact';
import { loadOperations, operationsOf, type ClientOperation } from '../check/operations';
import { createOriginLookup } from '../check/origin';
import { openRegistry } from '../check/registry';
import { loadUsage } from '../check/usage-file';
import { loadTrustedDocuments } from '../trusted-documents/manifest';

export interface CheckCommandOptions {
  config: string;
  against?: string;
  againstGit?: string;
  operations?: string[];
  usage?: string[];
  /** Default DEFAULT_APPROVALS, which may be absent; a file given must exist. */
  approvals?: string;
  allowUnusedBreaking?: boolean;
  format: ReportFormat;
}

/** Named in main.ts's help text too (kept there as a literal so help loads no check code). */
export const DEFAULT_REGISTERED_SCHEMA = 'schema/schema.graphql';
export const DEFAULT_OPERATIONS = 'schema/operations';

/** The check could not run: exit 2 with this reason (a broken check must not look like a pass). */
class CheckCannotRun extends Error {}

/**
 * `tessera check`: composes the schema from the current config and specs, compares it with the
 * registered one and exits 0 (no failing breaking change), 1 (breaking changes) or 2 (could not run).
 */
export async function runCheck(options: CheckCommandOptions): Promise<void> {
  let result: CheckResult;
  try {
    result = await check(options);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`tessera check: cannot run the check: ${reason}`);
    process.exit(2);
  }
  process.stdout.write(formatReport(result, options.format));
  process.exit(result.passed ? 0 : 1);
}

async function check(options: CheckCommandOptions): Promise<CheckResult> {
  let { config } = loadConfig(options.config);
  const { label: against, sdl: registeredSdl } = await registeredSchema(options, config);
  const registered = parseSdl(registeredSdl, against);

  // An authorization rule on a field the new specs lack is a broken rule, reported as a change; the
  // schema is still composed without it, so the report also shows what the spec change removed.
  const brokenRules: CompositionError[] = [];
  let composed;
  for (;;) {
    try {
      composed = await composeGateway(config, { onWarning: (w) => console.error(`warning: ${formatWarning(w)}`) });
      break;
    } catch (error) {
      const rule = error instanceof CompositionError ? authRuleOf(error.configPath) : undefined;
      if (rule !== undefined && rule in config.auth.rules) {
        brokenRules.push(error as CompositionError);
        const { [rule]: _dropped, ...rules } = config.auth.rules;
        config = { ...config, auth: { ...config.auth, rules } };
        continue;
      }
      if (error instanceof CompositionError && isConfigRule(error.configPath)) return configRuleBroken(error, against);
      throw error;
    }
  }
  await composed.close();
  // Both sides go through SDL, so the comparison sees exactly what `tessera compose` would commit.
  const next = buildSchema(printComposedSchema(composed.schema));

  const operations = await clientOperations(options, config);
  return evaluateCheck({
    against,
    changes: [...brokenRules.map(configRuleChange), ...(await compareSchemas(registered, next))],
    operations: operations && assessOperations(operations, registered, next),
    approvals: await loadApprovals(options.approvals ?? DEFAULT_APPROVALS, { required: options.approvals !== undefined }),
    allowUnusedBreaking: options.allowUnusedBreaking,
    originOf: createOriginLookup(config, composed.subgraphs, (file) => relative(process.cwd(), file)),
  });
}

async function registeredSchema(options: CheckCommandOptions, config: TesseraConfig): Promise<{ label: string; sdl: string }> {
  const file = options.against ?? DEFAULT_REGISTERED_SCHEMA;
  if (options.againstGit) {
    if (file === 'registry') throw new CheckCannotRun('--against-git reads a file at a git ref; it cannot be combined with --against registry');
    // `./`: git resolves the path against the current folder, like every other path of the command.
    const ref = `${options.againstGit}:./${file}`;
    try {
      const { stdout } = await promisify(execFile)('git', ['show', ref], { maxBuffer: 64 * 1024 * 1024 });
      return { label: `${file} at git ${options.againstGit}`, sdl: stdout };
    } catch (error) {
      throw new CheckCannotRun(`git show ${ref} failed: ${((error as { stderr?: string }).stderr ?? String(error)).trim()}`);
    }
  }
  if (file === 'registry') {
    const registry = openRegistry(config.registry);
    try {
      const latest = await registry.latest();
      if (!latest) throw new CheckCannotRun(`the registry (${registry.location}) has no published schema yet: run "tessera schema publish"`);
      return { label: `registry version ${latest.version} (${latest.publishedAt})`, sdl: latest.sdl };
    } finally {
      await registry.close();
    }
  }
  try {
    return { label: file, sdl: await readFile(file, 'utf8') };
  } catch (error) {
    throw new CheckCannotRun(`cannot read the registered schema ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

function parseSdl(sdl: string, label: string): GraphQLSchema {
  try {
    return buildSchema(sdl);
  } catch (error) {
    throw new CheckCannotRun(`${label} is not a valid GraphQL schema: ${(error as Error).message}`);
  }
}

/**
 * `--operations` and `--usage` (without either, the repo's operations folder when there is one),
 * and always the trusted documents the gateway serves (trustedDocuments.manifests).
 */
async function clientOperations(options: CheckCommandOptions, config: TesseraConfig): Promise<ClientOperation[] | undefined> {
  const paths = options.operations ?? (options.usage || !existsSync(DEFAULT_OPERATIONS) ? [] : [DEFAULT_OPERATIONS]);
  const trusted = config.trustedDocuments.manifests;
  if (paths.length === 0 && !options.usage && trusted.length === 0) return undefined;
  const operations = await loadOperations(paths);
  for (const location of options.usage ?? []) operations.push(...(await loadUsage(location, config.usage)));
  // One document at a time: a trusted document runs on its own, so it cannot borrow another's fragments.
  for (const document of await loadTrustedDocuments(trusted)) {
    operations.push(...operationsOf([{ label: document.source, text: document.body, lines: true }]).map((operation) => ({ ...operation, trusted: true })));
  }
  return operations;
}

/**
 * Links, renames, hides and authorization rules name fields of the sources; a spec change that
 * removes such a field makes composition fail, but for the check it is a breaking change like any
 * other, reported as one.
 */
function isConfigRule(configPath: string): boolean {
  return configPath.startsWith('links') || /^sources\[\d+\]\.(transforms|deprecations)/.test(configPath);
}

/** `auth.rules["User.email"]…` → `User.email`. */
function authRuleOf(configPath: string): string | undefined {
  const match = /^auth\.rules\[("(?:[^"\\]|\\.)*")\]/.exec(configPath);
  return match ? (JSON.parse(match[1]) as string) : undefined;
}

function configRuleChange(error: CompositionError): SchemaChange {
  return {
    level: 'breaking',
    type: 'CONFIG_RULE_BROKEN',
    path: error.configPath,
    message: `the config rule ${error.configPath} no longer matches the sources: ${error.problem}`,
    reason: 'Fix the specs or the rule; the schema below was composed without it.',
  };
}

function configRuleBroken(error: CompositionError, against: string): CheckResult {
  const change: SchemaChange = {
    ...configRuleChange(error),
    reason: 'The new specs cannot be composed with this config; fix the specs or the rule (the schema could not be compared).',
  };
  return evaluateCheck({ against, changes: [change] });
}
