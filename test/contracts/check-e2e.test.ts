/**
 * End to end: `gitops check` on real temporary git repositories holding a
 * copy of this repository's intents, policies, contracts and agents.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkJson, makeRepo, type TempRepo } from './fixtures.ts';

const AUTO = 'contracts/contract.automation.v1.yaml';
const AUTO2 = 'contracts/contract.automation.v2.yaml';
const REQ = 'contracts/requirements.yaml';

function withoutScheme(text: string): string {
  return text.replace('required: [type, scheme]', 'required: [type]').replace("            scheme: { enum: [internet-facing, internal] }\n", '');
}

let repo: TempRepo | undefined;
afterEach(() => repo?.cleanup());

describe('gitops check: contracts', () => {
  it('the seed intent shows the three contracts verified at 1.0.0 and the three seed agents with their permissions', async () => {
    repo = makeRepo();
    const { code, report } = await checkJson(repo.dir, '--all');
    expect(report.diagnostics).toEqual([]);
    const seed = report.intents.find((i) => i.id === 'DEPLOY-WEB-001')!;
    expect(seed.contracts).toEqual([
      { contract: 'contract.self-healing.v1', status: 'verified', version: '1.0.0', compatible: true },
      { contract: 'contract.monitoring.v1', status: 'verified', version: '1.0.0', compatible: true },
      { contract: 'contract.automation.v1', status: 'verified', version: '1.0.0', compatible: true },
    ]);
    expect(seed.agents).toEqual([
      { agent_id: 'monitoring-agent-001', type: 'monitoring', version: '2.1.0', permissions: ['read:metrics', 'write:health_status'] },
      { agent_id: 'self-healing-agent-001', type: 'self-healing', version: '1.5.0', permissions: ['read:health_status', 'execute:recovery', 'write:audit_logs'] },
      { agent_id: 'scaling-agent-001', type: 'auto-scaling', version: '1.3.0', permissions: ['read:metrics', 'execute:scale_operations', 'write:audit_logs'] },
    ]);
    expect(seed.results.filter((r) => r.policy.startsWith('CONTRACT-') || r.policy.startsWith('AGENT-')).every((r) => r.status === 'passed')).toBe(true);
    expect(seed.decision).toBe('allow');
    expect(code).toBe(0);
  });

  it('a PR removing a required field from contract.automation with a minor bump is denied with the field path', async () => {
    repo = makeRepo();
    const r = repo;
    r.branch('pr', () => r.write(AUTO, withoutScheme(r.read(AUTO)).replace('version: 1.0.0', 'version: 1.1.0')));
    const { code, report } = await checkJson(r.dir, '--base', 'main', '--head', 'pr');
    // Only the contract changed, yet the intents it governs are re-checked and denied.
    const seed = report.intents.find((i) => i.id === 'DEPLOY-WEB-001')!;
    expect(seed.decision).toBe('deny');
    const breaking = seed.results.filter((x) => x.policy === 'CONTRACT-BREAKING-001');
    expect(breaking).toEqual([
      expect.objectContaining({ status: 'failed', severity: 'deny', file: AUTO, path: 'create_load_balancer.config.scheme', line: expect.any(Number) }),
    ]);
    expect(breaking[0]!.message).toContain('field create_load_balancer.config.scheme removed');
    expect(code).toBe(1);
  });

  it('the same change with a major bump and updated consumers passes', async () => {
    repo = makeRepo();
    const r = repo;
    r.branch('pr', () => {
      r.write(AUTO2, withoutScheme(r.read(AUTO)).replace('contract: contract.automation.v1', 'contract: contract.automation.v2').replace('version: 1.0.0', 'version: 2.0.0'));
      r.remove(AUTO);
      r.write(REQ, r.read(REQ).replace('contract.automation.v1: ^1.0.0', 'contract.automation.v2: ^2.0.0'));
      // The translator is a listed consumer: the PR updates it too.
      r.write('runner/translate/deployment.ts', '// translator updated for contract.automation.v2\n');
    });
    const { code, report } = await checkJson(r.dir, '--base', 'main', '--head', 'pr');
    const seed = report.intents.find((i) => i.id === 'DEPLOY-WEB-001')!;
    expect(seed.results.filter((x) => x.status === 'failed')).toEqual([]);
    expect(seed.contracts).toContainEqual({ contract: 'contract.automation.v2', status: 'verified', version: '2.0.0', compatible: true });
    // Not blocking, but flagged: the requirement moved to v2.
    expect(seed.results).toContainEqual(expect.objectContaining({ policy: 'CONTRACT-REQUIREMENTS-001', status: 'warned' }));
    expect(seed.decision).toBe('allow');
    expect(code).toBe(0);
  });

  it('the major bump without its consumers is denied at the requirement', async () => {
    repo = makeRepo();
    const r = repo;
    r.branch('pr', () => {
      r.write(AUTO2, withoutScheme(r.read(AUTO)).replace('contract: contract.automation.v1', 'contract: contract.automation.v2').replace('version: 1.0.0', 'version: 2.0.0'));
      r.remove(AUTO);
    });
    const { code, report } = await checkJson(r.dir, '--base', 'main', '--head', 'pr');
    const seed = report.intents.find((i) => i.id === 'DEPLOY-WEB-001')!;
    const consumers = seed.results.filter((x) => x.policy === 'CONTRACT-CONSUMERS-001');
    expect(consumers.map((x) => [x.file, x.status])).toEqual([
      [REQ, 'failed'],
      [AUTO2, 'failed'],
    ]);
    // And the intent type's requirement now points at a contract that is gone.
    expect(seed.contracts).toContainEqual(expect.objectContaining({ contract: 'contract.automation.v1', status: 'missing' }));
    expect(code).toBe(1);
  });
});
