import { describe, expect, it } from 'vitest';
import { compareContractSets } from '../../runner/contracts/changes.ts';
import { loadContractsFromMap } from '../../runner/contracts/load.ts';
import { repoContractFiles } from './fixtures.ts';

const AUTO = 'contracts/contract.automation.v1.yaml';
const REQ = 'contracts/requirements.yaml';

/** Remove the required `scheme` field of create_load_balancer, as a PR would. */
function withoutScheme(text: string): string {
  return text
    .replace('required: [type, scheme]', 'required: [type]')
    .replace("            scheme: { enum: [internet-facing, internal] }\n", '');
}

function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

describe('compareContractSets', () => {
  const baseFiles = repoContractFiles();
  const base = loadContractsFromMap(baseFiles);

  it('no changes → no findings, no review', () => {
    const r = compareContractSets(base, loadContractsFromMap(repoContractFiles()), { changedFiles: [] });
    expect(r.findings).toEqual([]);
    expect(r.needs_review).toBe(false);
    expect(r.changes.map((c) => c.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('removing a required field with only a minor bump is denied at the field, naming its path', () => {
    const files = repoContractFiles();
    files[AUTO] = withoutScheme(files[AUTO]!).replace('version: 1.0.0', 'version: 1.1.0');
    const r = compareContractSets(base, loadContractsFromMap(files), { changedFiles: [AUTO] });
    expect(r.needs_review).toBe(true);
    expect(r.findings).toEqual([
      expect.objectContaining({
        rule: 'CONTRACT-BREAKING-001',
        code: 'contract_breaking_change',
        severity: 'deny',
        contract: 'contract.automation.v1',
        path: 'create_load_balancer.config.scheme',
        file: AUTO,
        // The field is gone from head: the finding points at its parent's `properties` key.
        line: lineOf(files[AUTO]!, "type: { enum: [application, network] }") - 1,
      }),
    ]);
    expect(r.findings[0]!.message).toContain('field create_load_balancer.config.scheme removed (it was required)');
    expect(r.findings[0]!.message).toContain('1.0.0 → 1.1.0');
  });

  it('the same change with a major bump but stale consumers is denied at the requirement and the consumer list', () => {
    const files = repoContractFiles();
    delete files[AUTO];
    files['contracts/contract.automation.v2.yaml'] = withoutScheme(baseFiles[AUTO]!)
      .replace('contract: contract.automation.v1', 'contract: contract.automation.v2')
      .replace('version: 1.0.0', 'version: 2.0.0');
    const head = loadContractsFromMap(files);
    expect(head.diagnostics).toEqual([]);
    const r = compareContractSets(base, head, { changedFiles: [AUTO, 'contracts/contract.automation.v2.yaml'] });
    expect(r.changes.find((c) => c.family === 'contract.automation')).toMatchObject({ status: 'changed', bump: 'major', base: { id: 'contract.automation.v1' }, head: { id: 'contract.automation.v2' } });
    expect(r.findings.map((f) => [f.code, f.file, f.line])).toEqual([
      ['contract_consumer_not_updated', REQ, lineOf(files[REQ]!, 'contract.automation.v1')],
      ['contract_consumer_not_updated', 'contracts/contract.automation.v2.yaml', lineOf(files['contracts/contract.automation.v2.yaml']!, '- runner/translate/deployment.ts')],
    ]);
  });

  it('without a diff (no changed-file list) consumer files are reported unknown, not denied', () => {
    const files = repoContractFiles();
    delete files[AUTO];
    files['contracts/contract.automation.v2.yaml'] = withoutScheme(baseFiles[AUTO]!)
      .replace('contract: contract.automation.v1', 'contract: contract.automation.v2')
      .replace('version: 1.0.0', 'version: 2.0.0');
    files[REQ] = files[REQ]!.replace('contract.automation.v1: ^1.0.0', 'contract.automation.v2: ^2.0.0');
    const r = compareContractSets(base, loadContractsFromMap(files), {});
    expect(r.findings.filter((f) => f.rule === 'CONTRACT-CONSUMERS-001').map((f) => [f.code, f.severity])).toEqual([['contract_consumers_unknown', 'warn']]);
  });

  it('the same change with a major bump and updated consumers passes', () => {
    const files = repoContractFiles();
    delete files[AUTO];
    files['contracts/contract.automation.v2.yaml'] = withoutScheme(baseFiles[AUTO]!)
      .replace('contract: contract.automation.v1', 'contract: contract.automation.v2')
      .replace('version: 1.0.0', 'version: 2.0.0');
    files[REQ] = files[REQ]!.replace('contract.automation.v1: ^1.0.0', 'contract.automation.v2: ^2.0.0');
    const r = compareContractSets(base, loadContractsFromMap(files), {
      changedFiles: [AUTO, 'contracts/contract.automation.v2.yaml', REQ, 'runner/translate/deployment.ts'],
    });
    // The requirement moved to v2: not blocking, flagged for the owners.
    expect(r.findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([['CONTRACT-REQUIREMENTS-001', 'warn', REQ, lineOf(files[REQ]!, 'contract.automation.v2')]]);
    expect(r.findings[0]!.message).toContain('replaced by contract.automation.v2 ^2.0.0');
    expect(r.needs_review).toBe(true);
    const auto = r.changes.find((c) => c.family === 'contract.automation')!;
    expect(auto.differences.map((d) => [d.kind, d.field])).toEqual([['field_removed', 'create_load_balancer.config.scheme']]);
  });

  it('a compatible change needs a version bump; a minor bump passes; a patch bump warns', () => {
    const files = repoContractFiles();
    files[AUTO] = files[AUTO]!.replace("            scheme: { enum: [internet-facing, internal] }", "            scheme: { enum: [internet-facing, internal] }\n            idle_timeout: { type: integer, x-unit: s }");
    const none = compareContractSets(base, loadContractsFromMap(files), { changedFiles: [AUTO] });
    expect(none.findings.map((f) => [f.code, f.severity, f.line])).toEqual([['contract_version_not_bumped', 'deny', lineOf(files[AUTO]!, 'version: 1.0.0')]]);
    const minor = compareContractSets(base, loadContractsFromMap({ ...files, [AUTO]: files[AUTO]!.replace('version: 1.0.0', 'version: 1.1.0') }), { changedFiles: [AUTO] });
    expect(minor.findings).toEqual([]);
    const patch = compareContractSets(base, loadContractsFromMap({ ...files, [AUTO]: files[AUTO]!.replace('version: 1.0.0', 'version: 1.0.1') }), { changedFiles: [AUTO] });
    expect(patch.findings.map((f) => [f.code, f.severity])).toEqual([['contract_bump_too_small', 'warn']]);
  });

  it('a version that goes down is denied; a required contract removed is denied at the requirement', () => {
    const files = repoContractFiles();
    files[AUTO] = files[AUTO]!.replace('version: 1.0.0', 'version: 1.0.0-rc.1');
    delete files['contracts/contract.monitoring.v1.yaml'];
    const r = compareContractSets(base, loadContractsFromMap(files), { changedFiles: [AUTO, 'contracts/contract.monitoring.v1.yaml'] });
    expect(r.findings.map((f) => [f.rule, f.code, f.file])).toEqual([
      ['CONTRACT-VERSION-001', 'contract_version_decreased', AUTO],
      ['CONTRACT-REMOVED-001', 'contract_removed_in_use', REQ],
    ]);
  });

  it('a dropped requirement is flagged for review, not blocked', () => {
    const files = repoContractFiles();
    files[REQ] = files[REQ]!.replace('    contract.monitoring.v1: ^1.0.0\n', '');
    const r = compareContractSets(base, loadContractsFromMap(files), { changedFiles: [REQ] });
    expect(r.needs_review).toBe(true);
    expect(r.findings).toEqual([expect.objectContaining({ rule: 'CONTRACT-REQUIREMENTS-001', severity: 'warn', contract: 'contract.monitoring.v1' })]);
    expect(r.findings[0]!.message).toContain('dropped');
  });

  it('unit changed with a minor bump is denied naming the field', () => {
    const files = repoContractFiles();
    files['contracts/contract.self-healing.v1.yaml'] = files['contracts/contract.self-healing.v1.yaml']!.replace('x-unit: s }', 'x-unit: ms }').replace('version: 1.0.0', 'version: 1.1.0');
    const r = compareContractSets(base, loadContractsFromMap(files), { changedFiles: ['contracts/contract.self-healing.v1.yaml'] });
    expect(r.findings).toEqual([expect.objectContaining({ code: 'contract_breaking_change', path: 'recovery_policy.timeout_seconds' })]);
    expect(r.findings[0]!.message).toContain('unit of recovery_policy.timeout_seconds changed from s to ms');
  });
});
