/**
 * End to end: self-healing triggers written in an intent are reported at
 * their line when malformed, and validated against the monitoring contract.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkJson, makeRepo, type TempRepo } from './fixtures.ts';

let repo: TempRepo | undefined;
afterEach(() => repo?.cleanup());

function intentWithTriggers(id: string, conditions: string[]): string {
  return [
    'intent:',
    `  id: '${id}'`,
    "  type: 'deployment'",
    "  description: 'web service with its own triggers'",
    '  requirements:',
    "    availability: '99.9%'",
    '    scalability:',
    '      min_instances: 3',
    '      max_instances: 10',
    '  constraints:',
    "    budget: '$500/month'",
    "    region: ['us-west']",
    '  self_healing:',
    '    triggers:',
    ...conditions.flatMap((c) => [`      - condition: "${c}"`, "        action: 'restart_service'"]),
    '',
  ].join('\n');
}

describe('gitops check: triggers', () => {
  it('a malformed trigger is reported at its line in the intent file', async () => {
    repo = makeRepo();
    const r = repo;
    const file = 'intents/DEPLOY-API-002.yaml';
    r.branch('pr', () => r.write(file, intentWithTriggers('DEPLOY-API-002', ['error_rate > 5%', 'latency_p95 > 200 parsecs'])));
    const { code, report } = await checkJson(r.dir, '--base', 'main', '--head', 'pr');
    const it2 = report.intents.find((i) => i.file === file)!;
    expect(it2.decision).toBe('invalid');
    // Line 17: the second `- condition:` of the file above.
    expect(it2.diagnostics).toContainEqual(expect.objectContaining({ file, line: 17, path: 'intent.self_healing.triggers[1].condition' }));
    expect(code).toBe(1);
  });

  it('a trigger on a metric the monitoring contract does not define is an error at its line', async () => {
    repo = makeRepo();
    const r = repo;
    // This repository's monitoring contract has no cpu_utilization metric (the intent format knows it).
    const mon = 'contracts/contract.monitoring.v1.yaml';
    r.write(mon, r.read(mon).replace("        cpu_utilization: { type: number, minimum: 0, maximum: 100, x-unit: '%' }\n", ''));
    const file = 'intents/DEPLOY-API-002.yaml';
    r.write(file, intentWithTriggers('DEPLOY-API-002', ['cpu_utilization > 90%']));
    r.git('add', '-A');
    r.git('commit', '-q', '-m', 'cpu trigger');
    const { code, report } = await checkJson(r.dir, '--all');
    const it2 = report.intents.find((i) => i.file === file)!;
    expect(it2.diagnostics).toEqual([expect.objectContaining({ code: 'trigger_unknown_metric', file, line: 15, col: expect.any(Number), path: 'intent.self_healing.triggers[0].condition' })]);
    expect(it2.contracts).toContainEqual(expect.objectContaining({ contract: 'contract.monitoring.v1', status: 'failed' }));
    expect(it2.decision).toBe('invalid');
    expect(code).toBe(1);
  });
});
