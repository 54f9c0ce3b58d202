import { describe, expect, it } from 'vitest';
import { loadContractsFromMap, precompiledKey } from '../../runner/contracts/load.ts';
import { PRECOMPILED } from '../../runner/generated/contracts.validators.js';
import { verifyContracts, verifyIntentContracts } from '../../runner/contracts/verify.ts';
import { repoContractFiles, seedActions } from './fixtures.ts';

describe('verifyContracts on the repository contracts', () => {
  const contracts = loadContractsFromMap(repoContractFiles());

  it('loads the three contracts with no diagnostics', () => {
    expect(contracts.diagnostics).toEqual([]);
    expect([...contracts.contracts.keys()].sort()).toEqual(['contract.automation.v1', 'contract.monitoring.v1', 'contract.self-healing.v1']);
  });

  it('reproduces seed §4 for the seed translation', () => {
    const results = verifyContracts({ intentType: 'deployment', actions: seedActions(), contracts });
    expect(results).toEqual([
      { contract: 'contract.self-healing.v1', status: 'verified', version: '1.0.0', compatible: true },
      { contract: 'contract.monitoring.v1', status: 'verified', version: '1.0.0', compatible: true },
      { contract: 'contract.automation.v1', status: 'verified', version: '1.0.0', compatible: true },
    ]);
  });

  it('an intent type with no requirements needs no contracts', () => {
    expect(verifyContracts({ intentType: 'unlisted', actions: seedActions(), contracts })).toEqual([]);
  });

  it('fails automation when an action misses a required config field, naming it', () => {
    const actions = seedActions();
    delete actions[0]!.config.scheme;
    const r = verifyContracts({ intentType: 'deployment', actions, contracts }).find((x) => x.contract === 'contract.automation.v1')!;
    expect(r).toMatchObject({ status: 'failed', compatible: true, version: '1.0.0' });
    expect(r.message).toContain("actions[0].config: must have required property 'scheme'");
  });

  it('fails automation on an action the contract does not define', () => {
    const actions = [...seedActions(), { action: 'drop_database', config: {} }];
    const r = verifyContracts({ intentType: 'deployment', actions, contracts }).find((x) => x.contract === 'contract.automation.v1')!;
    expect(r.status).toBe('failed');
    expect(r.message).toContain('actions[5]');
  });

  it('fails self-healing on a bad recovery policy; passes when self-healing is off', () => {
    const actions = seedActions();
    (actions[4]!.config.recovery_policy as Record<string, unknown>).strategy = 'pray';
    const r1 = verifyContracts({ intentType: 'deployment', actions, contracts })[0]!;
    expect(r1).toMatchObject({ contract: 'contract.self-healing.v1', status: 'failed' });
    expect(r1.message).toContain('enable_self_healing.config.recovery_policy.strategy: must be equal to one of the allowed values');
    // Self-healing switched off: nothing crosses the contract, so nothing fails it.
    const r2 = verifyContracts({ intentType: 'deployment', actions: seedActions().slice(0, 4), contracts })[0]!;
    expect(r2).toEqual({ contract: 'contract.self-healing.v1', status: 'verified', version: '1.0.0', compatible: true });
  });

  it('fails monitoring on an unknown trigger metric and reports it at the given line', () => {
    const actions = seedActions();
    (actions[4]!.config.triggers as Array<{ condition: string }>)[1]!.condition = 'cpu_temp > 90%';
    const out = verifyIntentContracts({
      intentType: 'deployment',
      actions,
      contracts,
      triggerLocation: (i) => ({ file: 'intents/x.yaml', line: 20 + i, col: 9, path: `intent.self_healing.triggers[${i}].condition` }),
    });
    expect(out.results[1]).toMatchObject({ contract: 'contract.monitoring.v1', status: 'failed' });
    expect(out.results[1]!.message).toContain("unknown metric 'cpu_temp'");
    expect(out.diagnostics).toEqual([expect.objectContaining({ code: 'trigger_unknown_metric', file: 'intents/x.yaml', line: 21, col: 9, path: 'intent.self_healing.triggers[1].condition' })]);
    expect(out.triggers.map((t) => t.metric)).toEqual(['health_status', 'latency_p95']);
  });

  it('a missing contract is reported missing, an incompatible version failed', () => {
    const files = repoContractFiles();
    delete files['contracts/contract.monitoring.v1.yaml'];
    files['contracts/requirements.yaml'] = files['contracts/requirements.yaml']!.replace('contract.automation.v1: ^1.0.0', 'contract.automation.v1: ^1.1.0');
    const set = loadContractsFromMap(files);
    const results = verifyContracts({ intentType: 'deployment', actions: seedActions(), contracts: set });
    expect(results[1]).toMatchObject({ contract: 'contract.monitoring.v1', status: 'missing', version: null, compatible: false });
    expect(results[2]).toMatchObject({ contract: 'contract.automation.v1', status: 'failed', version: '1.0.0', compatible: false, message: 'version 1.0.0 does not satisfy the required range ^1.1.0' });
  });
});

describe('loadContracts diagnostics', () => {
  it('reports a bad contract at its file:line and leaves it out', () => {
    const files = repoContractFiles();
    files['contracts/contract.automation.v1.yaml'] = files['contracts/contract.automation.v1.yaml']!.replace('version: 1.0.0', 'version: 2.0.0');
    files['contracts/broken.yaml'] = 'contract: contract.broken.v1\nversion: 1.0.0\nschema:\n  type: objekt\n';
    const set = loadContractsFromMap(files);
    expect(set.contracts.has('contract.automation.v1')).toBe(false);
    expect(set.diagnostics).toEqual([
      expect.objectContaining({ code: 'contract_schema_invalid', file: 'contracts/broken.yaml', line: 3 }),
      expect.objectContaining({ code: 'contract_version_mismatch', file: 'contracts/contract.automation.v1.yaml', line: 10 }),
    ]);
  });

  it('reports a bad range and a YAML syntax error with lines', () => {
    const set = loadContractsFromMap({
      'contracts/requirements.yaml': 'requirements:\n  deployment:\n    contract.automation.v1: latest\n',
      'contracts/x.yaml': 'contract: contract.x.v1\nversion: 1.0.0\nschema: {type: object\n',
    });
    expect(set.diagnostics.map((d) => [d.code, d.file, d.line])).toEqual([
      // Sorted by file, then line.
      ['invalid_version_range', 'contracts/requirements.yaml', 3],
      ['contract_parse_error', 'contracts/x.yaml', expect.any(Number)],
    ]);
  });

  it('loads a JSON contract with line positions', () => {
    const json = JSON.stringify({ contract: 'contract.json-thing.v1', version: '1.2.0', schema: { type: 'object', properties: { a: { type: 'string' } } } }, null, 2);
    const set = loadContractsFromMap({ 'contracts/json-thing.json': json });
    expect(set.diagnostics).toEqual([]);
    const c = set.contracts.get('contract.json-thing.v1')!;
    expect(c.locate(['schema', 'properties', 'a'])).toEqual({ line: 7, col: 7 });
  });
});

describe('precompiled validators for the shipped contracts', () => {
  it('the contracts as shipped validate with the build-time validators, with no compile at run time', () => {
    const set = loadContractsFromMap(repoContractFiles());
    for (const c of set.contracts.values()) {
      const pre = PRECOMPILED[precompiledKey(c.id, c.schema)]!;
      expect(set.validator(c.id, '#')).toBe(pre['#']);
    }
    expect(set.validator('contract.monitoring.v1', '#/$defs/threshold')).toBe(PRECOMPILED[precompiledKey('contract.monitoring.v1', set.contracts.get('contract.monitoring.v1')!.schema)]!['#/$defs/threshold']);
  });

  it('a changed schema (a tighter bound, or the same keys in another order) compiles at run time and judges as written', () => {
    const files = repoContractFiles();
    const shipped = files['contracts/contract.self-healing.v1.yaml']!;
    files['contracts/contract.self-healing.v1.yaml'] = shipped.replace('max_attempts: { type: integer, minimum: 1, maximum: 10 }', 'max_attempts: { type: integer, minimum: 1, maximum: 2 }');
    expect(files['contracts/contract.self-healing.v1.yaml']).not.toBe(shipped);
    const tighter = loadContractsFromMap(files);
    const c = tighter.contracts.get('contract.self-healing.v1')!;
    expect(PRECOMPILED[precompiledKey(c.id, c.schema)]).toBeUndefined();
    const r = verifyContracts({ intentType: 'deployment', actions: seedActions(), contracts: tighter })[0]!;
    expect(r).toMatchObject({ contract: 'contract.self-healing.v1', status: 'failed' });
    expect(r.message).toContain('enable_self_healing.config.recovery_policy.max_attempts: must be <= 2');

    // Key order is part of the key: with allErrors it orders the errors a user reads.
    const reordered = repoContractFiles();
    reordered['contracts/contract.self-healing.v1.yaml'] = shipped.replace('  type: object\n  required: [recovery_policy, triggers]\n', '  required: [recovery_policy, triggers]\n  type: object\n');
    expect(reordered['contracts/contract.self-healing.v1.yaml']).not.toBe(shipped);
    const set = loadContractsFromMap(reordered);
    const d = set.contracts.get('contract.self-healing.v1')!;
    expect(PRECOMPILED[precompiledKey(d.id, d.schema)]).toBeUndefined();
    expect(verifyContracts({ intentType: 'deployment', actions: seedActions(), contracts: set })[0]).toEqual({ contract: 'contract.self-healing.v1', status: 'verified', version: '1.0.0', compatible: true });
  });
});

