/**
 * Contract changes in a pull request: the base and head contract sets are
 * paired by family (`contract.automation`, so a v1 → v2 rename is one
 * contract), their schemas diffed (diff.ts), and the version bump judged:
 *
 *   - a breaking change needs a major bump: without one, each breaking change
 *     is denied at its line, naming the field path (CONTRACT-BREAKING-001);
 *   - any schema change needs a version bump, and versions never go down
 *     (CONTRACT-VERSION-001);
 *   - a major bump needs its consumers updated in the same PR: every intent
 *     type requiring the contract must accept the new version in
 *     contracts/requirements.yaml, and every file listed under `consumers`
 *     (the translator) must be changed by the PR (CONTRACT-CONSUMERS-001);
 *   - a contract removed while still required is denied (CONTRACT-REMOVED-001).
 * Every contract change is flagged for owner review, like a policy change.
 */
import { diffSchemas, type SchemaChange } from './diff.ts';
import { REQUIREMENTS_FILE, type ContractDoc, type LoadedContracts } from './load.ts';
import { compareVersions, satisfies } from './semver.ts';

export type Bump = 'major' | 'minor' | 'patch' | 'none' | 'downgrade';

export const CONTRACT_RULES = {
  'CONTRACT-BREAKING-001': 'A breaking contract change needs a major version bump',
  'CONTRACT-VERSION-001': 'A contract schema change needs a version bump; versions never decrease',
  'CONTRACT-CONSUMERS-001': 'A major contract bump updates its consumers (intent requirements, translators) in the same PR',
  'CONTRACT-REMOVED-001': 'A contract still required by an intent type cannot be removed',
  'CONTRACT-REQUIREMENTS-001': 'Changes to the contracts an intent type requires are reviewed by the owners',
} as const;
export type ContractRule = keyof typeof CONTRACT_RULES;

export interface ContractFinding {
  rule: ContractRule;
  code: string;
  severity: 'deny' | 'warn';
  contract: string;
  message: string;
  file: string;
  line: number;
  col: number;
  /** Field path for schema changes (`create_load_balancer.config.scheme`). */
  path?: string;
}

export interface ContractChange {
  family: string;
  base?: { id: string; version: string; file: string };
  head?: { id: string; version: string; file: string };
  status: 'added' | 'removed' | 'changed' | 'unchanged';
  bump: Bump | null;
  differences: SchemaChange[];
}

export interface ContractChangeReport {
  changes: ContractChange[];
  findings: ContractFinding[];
  /** True when any contract was added, removed or changed: owners review the PR. */
  needs_review: boolean;
}

export interface CompareOptions {
  /**
   * Repo-relative paths the PR changes (added, modified, renamed, deleted).
   * Undefined when the run has no diff (e.g. `--all --base`): then whether
   * consumer files changed cannot be told, and a major bump says so (warn)
   * instead of denying on a guess.
   */
  changedFiles?: readonly string[];
}

function bumpOf(c: ContractDoc, base: ContractDoc): Bump {
  const cmp = compareVersions(c.version, base.version);
  if (cmp < 0) return 'downgrade';
  if (c.version.major !== base.version.major) return 'major';
  if (c.version.minor !== base.version.minor) return 'minor';
  if (cmp > 0) return 'patch';
  return 'none';
}

/** Pair contracts by id, then pair leftovers by family (a major bump renames …v1 → …v2). */
function pair(base: LoadedContracts, head: LoadedContracts): Array<[ContractDoc | undefined, ContractDoc | undefined]> {
  const pairs: Array<[ContractDoc | undefined, ContractDoc | undefined]> = [];
  const restBase = new Map(base.contracts);
  const restHead = new Map(head.contracts);
  for (const [id, h] of head.contracts) {
    const b = base.contracts.get(id);
    if (b) {
      pairs.push([b, h]);
      restBase.delete(id);
      restHead.delete(id);
    }
  }
  for (const h of [...restHead.values()]) {
    const candidates = [...restBase.values()].filter((b) => b.family === h.family).sort((x, y) => compareVersions(y.version, x.version));
    const b = candidates[0];
    if (b) {
      pairs.push([b, h]);
      restBase.delete(b.id);
    } else {
      pairs.push([undefined, h]);
    }
    restHead.delete(h.id);
  }
  for (const b of restBase.values()) pairs.push([b, undefined]);
  return pairs.sort((x, y) => (x[1] ?? x[0])!.id.localeCompare((y[1] ?? y[0])!.id));
}

export function compareContractSets(base: LoadedContracts, head: LoadedContracts, opts: CompareOptions): ContractChangeReport {
  const changed = new Set(opts.changedFiles ?? []);
  const changes: ContractChange[] = [];
  const findings: ContractFinding[] = [];
  const ref = (c: ContractDoc) => ({ id: c.id, version: c.version.raw, file: c.file });
  const requirementsOf = (family: string) =>
    [...head.requirements.values()].flat().filter((r) => r.contract.replace(/\.v\d+$/, '') === family);

  for (const [b, h] of pair(base, head)) {
    if (!b && h) {
      changes.push({ family: h.family, head: ref(h), status: 'added', bump: null, differences: [] });
      continue;
    }
    if (b && !h) {
      changes.push({ family: b.family, base: ref(b), status: 'removed', bump: null, differences: [] });
      for (const r of requirementsOf(b.family).filter((r) => r.contract === b.id)) {
        findings.push({
          rule: 'CONTRACT-REMOVED-001',
          code: 'contract_removed_in_use',
          severity: 'deny',
          contract: b.id,
          message: `${b.id} is removed (${b.file}) but intent type ${r.intentType} still requires it`,
          file: REQUIREMENTS_FILE,
          line: r.line,
          col: r.col,
        });
      }
      continue;
    }
    const bc = b!;
    const hc = h!;
    const differences = diffSchemas(bc.schema, hc.schema);
    const bump = bumpOf(hc, bc);
    const textChanged = changed.has(hc.file) || changed.has(bc.file) || bc.file !== hc.file;
    const status = differences.length > 0 || bump !== 'none' || bc.id !== hc.id ? 'changed' : 'unchanged';
    changes.push({ family: hc.family, base: ref(bc), head: ref(hc), status, bump, differences });
    if (status === 'unchanged' && !textChanged) continue;
    const versionAt = { file: hc.file, ...hc.locate(['version']) };
    const transition = `${bc.version.raw} → ${hc.version.raw}`;

    if (bump === 'downgrade') {
      findings.push({ rule: 'CONTRACT-VERSION-001', code: 'contract_version_decreased', severity: 'deny', contract: hc.id, message: `version of ${hc.id} went down (${transition})`, ...versionAt });
      continue;
    }
    const breaking = differences.filter((d) => d.compatibility === 'breaking');
    if (breaking.length > 0 && bump !== 'major') {
      for (const d of breaking) {
        findings.push({
          rule: 'CONTRACT-BREAKING-001',
          code: 'contract_breaking_change',
          severity: 'deny',
          contract: hc.id,
          message: `breaking change to ${hc.id} without a major version bump (${transition}): ${d.message}`,
          file: hc.file,
          ...hc.locate(d.schemaPath),
          path: d.field,
        });
      }
    } else if (differences.length > 0 && bump === 'none') {
      findings.push({
        rule: 'CONTRACT-VERSION-001',
        code: 'contract_version_not_bumped',
        severity: 'deny',
        contract: hc.id,
        message: `the schema of ${hc.id} changed (${differences.map((d) => d.message).join('; ')}) but its version is still ${hc.version.raw}`,
        ...versionAt,
      });
    } else if (differences.length > 0 && bump === 'patch') {
      findings.push({
        rule: 'CONTRACT-VERSION-001',
        code: 'contract_bump_too_small',
        severity: 'warn',
        contract: hc.id,
        message: `compatible schema changes to ${hc.id} (${differences.map((d) => d.field).join(', ')}) are a minor bump, not a patch (${transition})`,
        ...versionAt,
      });
    }

    if (bump === 'major') {
      // Consumers 1: every intent type that required the old major must now accept the new version.
      for (const r of requirementsOf(hc.family)) {
        if (r.contract === hc.id && satisfies(hc.version, r.range)) continue;
        findings.push({
          rule: 'CONTRACT-CONSUMERS-001',
          code: 'contract_consumer_not_updated',
          severity: 'deny',
          contract: hc.id,
          message: `${bc.id} was bumped to ${hc.id} ${hc.version.raw} but intent type ${r.intentType} still requires ${r.contract} ${r.range.raw}: update ${REQUIREMENTS_FILE} in this pull request`,
          file: REQUIREMENTS_FILE,
          line: r.line,
          col: r.col,
        });
      }
      // Consumers 2: the code that produces or reads this contract (the translator).
      const consumerFiles = [...new Set([...bc.consumers, ...hc.consumers])];
      if (opts.changedFiles === undefined && consumerFiles.length > 0) {
        findings.push({
          rule: 'CONTRACT-CONSUMERS-001',
          code: 'contract_consumers_unknown',
          severity: 'warn',
          contract: hc.id,
          message: `${hc.id} is a major bump (${transition}); without a pull-request diff the check cannot tell whether its consumers (${consumerFiles.join(', ')}) were updated`,
          file: hc.file,
          ...hc.locate(['consumers']),
        });
      }
      for (const file of opts.changedFiles === undefined ? [] : consumerFiles) {
        if (changed.has(file)) continue;
        const i = hc.consumers.indexOf(file);
        findings.push({
          rule: 'CONTRACT-CONSUMERS-001',
          code: 'contract_consumer_not_updated',
          severity: 'deny',
          contract: hc.id,
          message: `${hc.id} is a major bump (${transition}); its consumer ${file} must be updated in the same pull request`,
          file: hc.file,
          ...hc.locate(i >= 0 ? ['consumers', i] : ['consumers']),
        });
      }
    }
  }
  // Requirements dropped or re-ranged: not blocking (a major bump must re-range), but reviewed,
  // since dropping a requirement switches its verification off for every intent of that type.
  let requirementsChanged = false;
  for (const [intentType, reqs] of base.requirements) {
    const now = head.requirements.get(intentType) ?? [];
    for (const r of reqs) {
      const h = now.find((x) => x.contract === r.contract);
      if (h && h.range.raw === r.range.raw) continue;
      requirementsChanged = true;
      const replaced = now.find((x) => x.contract.replace(/\.v\d+$/, '') === r.contract.replace(/\.v\d+$/, ''));
      const where = h ?? replaced;
      const what = h ? `now ${h.range.raw}` : replaced ? `replaced by ${replaced.contract} ${replaced.range.raw}` : 'dropped';
      findings.push({
        rule: 'CONTRACT-REQUIREMENTS-001',
        code: 'contract_requirement_changed',
        severity: 'warn',
        contract: r.contract,
        message: `intent type ${intentType} required ${r.contract} ${r.range.raw}, ${what}: needs review by the contract owners`,
        file: REQUIREMENTS_FILE,
        line: where?.line ?? 1,
        col: where?.col ?? 1,
      });
    }
  }
  const needs_review = requirementsChanged || changes.some((c) => c.status !== 'unchanged');
  return { changes, findings, needs_review };
}
