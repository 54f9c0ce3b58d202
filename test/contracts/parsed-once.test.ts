/**
 * A check reads the same YAML texts more than once — the contracts at the PR's base and at its
 * head, the agent registry for the run context and for the agents stage — and parses each text
 * once (runner/core/parsed.ts). Unique texts per test: the cache lives for the process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContractsFromMap } from '../../runner/contracts/load.ts';
import { parseCount } from '../../runner/core/parsed.ts';
import { parseAgentRegistry } from '../../runner/core/agent-registry.ts';
import { parseIamTable } from '../../runner/core/iam-table.ts';
import { REPO_ROOT } from '../check/helpers.ts';

const read = (p: string) => readFileSync(join(REPO_ROOT, p), 'utf8');
const marker = (what: string) => `\n# ${what} ${Math.random()}\n`;

describe('parse once', () => {
  it('loads the same contract set twice (base and head) with one parse per file', () => {
    const m = marker('contracts');
    const files = Object.fromEntries(['contracts/contract.automation.v1.yaml', 'contracts/contract.monitoring.v1.yaml', 'contracts/requirements.yaml'].map((p) => [p, read(p) + m]));
    const before = parseCount();
    const base = loadContractsFromMap(files);
    expect(parseCount() - before).toBe(3);
    const head = loadContractsFromMap(files);
    expect(parseCount() - before).toBe(3);
    // The same results, each load its own.
    expect([...head.contracts.keys()]).toEqual([...base.contracts.keys()]);
    expect(head.diagnostics).toEqual(base.diagnostics);
    expect(head.contracts.get('contract.automation.v1')!.locate(['schema'])).toEqual(base.contracts.get('contract.automation.v1')!.locate(['schema']));
    expect(head.validator('contract.automation.v1')).toBeDefined();
  });

  it('parses a changed text again', () => {
    const text = read('contracts/contract.monitoring.v1.yaml') + marker('changed');
    const before = parseCount();
    loadContractsFromMap({ 'contracts/contract.monitoring.v1.yaml': text });
    loadContractsFromMap({ 'contracts/contract.monitoring.v1.yaml': text + '# another\n' });
    expect(parseCount() - before).toBe(2);
  });

  it('parses the agent registry and the IAM table once each, and gives equal results', () => {
    const agents = read('agents/agents.yaml') + marker('agents');
    const iam = read('agents/iam-permissions.yaml') + marker('iam');
    const before = parseCount();
    const a1 = parseAgentRegistry(agents);
    const a2 = parseAgentRegistry(agents);
    const i1 = parseIamTable(iam);
    const i2 = parseIamTable(iam);
    expect(parseCount() - before).toBe(2);
    expect(JSON.stringify(a2)).toBe(JSON.stringify(a1));
    expect(JSON.stringify(i2)).toBe(JSON.stringify(i1));
  });
});
