import { describe, expect, it } from 'vitest';
import { exitCode, type CheckReport, type IntentReport } from '../../runner/model/report.ts';
import { FORMATS } from '../../runner/report/index.ts';
import { renderMarkdown } from '../../runner/report/markdown.ts';
import { renderText } from '../../runner/report/text.ts';
import { renderSarif } from '../../runner/report/sarif.ts';
import { renderJson } from '../../runner/report/json.ts';

function intent(over: Partial<IntentReport>): IntentReport {
  return {
    id: 'DEPLOY-WEB-001',
    file: 'intents/DEPLOY-WEB-001.yaml',
    type: 'deployment',
    change: 'modified',
    decision: 'allow',
    results: [{ policy: 'SEC-AUTH-001', title: 'Authentication configured', status: 'passed', severity: 'deny', message: 'Authentication configured', file: 'intents/DEPLOY-WEB-001.yaml', line: 3 }],
    actions: [{ action: 'deploy_instances', config: { count: 3, availability_zones: ['us-west-2a', 'us-west-2b'] } }],
    cost: {
      currency: 'USD',
      hours_per_month: 730,
      monthly_min: 113.37,
      monthly_max: 325.95,
      budget: 500,
      items: [{ resource: 'ec2:t3.medium', quantity: 3, unit_price: 0.0416, monthly_min: 91.1, monthly_max: 303.68 }],
      price_table: { source: 'AWS', date: '2026-11-01', region: 'us-west-2' },
      assumptions: [],
    },
    diagnostics: [],
    ...over,
  };
}

function report(intents: IntentReport[], over: Partial<CheckReport> = {}): CheckReport {
  return {
    version: 1,
    trace_id: 'trace-check-test',
    base: 'main@abc',
    head: 'feature@def',
    intents,
    deleted: [],
    policy_changes: { files: [], needs_review: false },
    diagnostics: [],
    summary: {
      intents: intents.length,
      allowed: intents.filter((i) => i.decision === 'allow').length,
      denied: intents.filter((i) => i.decision === 'deny').length,
      invalid: intents.filter((i) => i.decision === 'invalid').length,
      warnings: intents.flatMap((i) => i.results).filter((r) => r.status === 'warned').length,
    },
    ...over,
  };
}

const denied = intent({
  id: 'API-002',
  file: 'intents/API-002.yaml',
  decision: 'deny',
  description: 'Pipes | and <script>alert(1)</script> in a description',
  results: [
    { policy: 'SEC-AUTH-001', title: 'Authentication configured', status: 'passed', severity: 'deny', message: 'Authentication configured', file: 'intents/API-002.yaml', line: 3 },
    { policy: 'COMP-BUDGET-001', title: 'Budget', status: 'failed', severity: 'deny', message: 'over the budget of $60/month', file: 'intents/API-002.yaml', line: 14, path: 'intent.constraints.budget' },
    { policy: 'ARCH-HEAL-001', title: 'Heal', status: 'warned', severity: 'warn', message: 'recovery gives up early', file: 'intents/API-002.yaml', line: 20 },
  ],
});
const invalid = intent({ id: 'BAD-001', file: 'intents/BAD-001.yaml', decision: 'invalid', results: [], actions: [], diagnostics: [{ code: 'intent_schema_error', message: "unknown field 'x'", file: 'intents/BAD-001.yaml', line: 4, col: 3, path: 'intent.x' }] });
delete (invalid as { cost?: unknown }).cost;

describe('exit code (on the results type)', () => {
  it('is 0 when all allowed (warnings allowed), 1 on deny or invalid, 2 on runner diagnostics', () => {
    expect(exitCode(report([intent({})]))).toBe(0);
    expect(exitCode(report([intent({}), denied]))).toBe(1);
    expect(exitCode(report([invalid]))).toBe(1);
    expect(exitCode(report([intent({})], { diagnostics: [{ code: 'git_unknown_ref', message: 'x' }] }))).toBe(2);
  });
});

describe('text', () => {
  it('shows decision, failed policies with file:line first, actions, cost and summary', () => {
    const t = renderText(report([denied, invalid], { deleted: ['intents/OLD-001.yaml'], policy_changes: { files: ['policies/x.rego'], needs_review: true } }));
    expect(t).toContain('✖ DENY    API-002  intents/API-002.yaml (modified)');
    const lines = t.split('\n');
    const failedAt = lines.findIndex((l) => l.includes('FAILED  COMP-BUDGET-001'));
    const passedAt = lines.findIndex((l) => l.includes('passed  SEC-AUTH-001'));
    expect(failedAt).toBeGreaterThan(0);
    expect(failedAt).toBeLessThan(passedAt);
    expect(lines[failedAt]).toContain('intents/API-002.yaml:14: over the budget of $60/month');
    expect(t).toContain('1. deploy_instances: count=3, availability_zones=[us-west-2a, us-west-2b]');
    expect(t).toContain('Cost: $113.37/month at minimum capacity, $325.95/month at maximum; budget $500.00/month');
    expect(t).toContain('  intents/BAD-001.yaml:4:3: intent_schema_error: unknown field \'x\' (at intent.x)');
    expect(t).toContain('Deleted intents (nothing to evaluate): intents/OLD-001.yaml');
    expect(t).toContain('need policy-owner review): policies/x.rego');
    expect(t).toContain('Summary: 2 intents, 0 allowed, 1 denied, 1 invalid, 1 warning');
  });
});

describe('markdown (the PR comment)', () => {
  it('leads with the verdict and every failure (linked to its line in the head), then a table, then per-intent sections', () => {
    const md = renderMarkdown(report([intent({}), denied]), { links: { repository: 'acme/infra', sha: 'f00d' } });
    expect(md).toMatch(/^### ❌ Intent check failed\n/);
    const failures = md.indexOf('**1 failure, 1 warning**');
    expect(failures).toBeGreaterThan(0);
    expect(md).toContain('| API-002 | ❌ COMP-BUDGET-001 | [`intents/API-002.yaml:14`](https://github.com/acme/infra/blob/f00d/intents/API-002.yaml#L14) | over the budget of $60/month |');
    expect(md).toContain('| API-002 | ⚠️ ARCH-HEAL-001 | [`intents/API-002.yaml:20`](https://github.com/acme/infra/blob/f00d/intents/API-002.yaml#L20) | recovery gives up early |');
    expect(md.indexOf('| Intent | Decision | Plan |')).toBeGreaterThan(failures);
    expect(md).toContain('| API-002 | ❌ deny | — | $325.95 | $174.05 |');
    // Denied intents' sections come first; passed policies, actions, contracts and agents are folded.
    expect(md.indexOf('#### ❌ API-002')).toBeLessThan(md.indexOf('#### ✅ DEPLOY-WEB-001'));
    expect(md).toContain('<details><summary>Policies: 1 passed, 2 not (listed above)</summary>');
    expect(md).toContain('<details><summary>Actions (1)</summary>');
    expect(md).not.toContain('<script>');
    expect(md).toContain('Pipes \\| and &lt;script&gt;');
  });

  it('links nothing without a repository and commit (a local run)', () => {
    const md = renderMarkdown(report([denied]));
    expect(md).toContain('| API-002 | ❌ COMP-BUDGET-001 | `intents/API-002.yaml:14` | over the budget of $60/month |');
    expect(md).not.toContain('https://');
  });

  it('says so when nothing changed, and when the check could not run', () => {
    expect(renderMarkdown(report([]))).toContain('No intent changes to check.');
    expect(renderMarkdown(report([], { diagnostics: [{ code: 'rego_parse_error', message: 'bad', file: 'policies/a.rego', line: 3, col: 1 }] }))).toContain(
      '### ⚠️ Intent check could not run',
    );
  });
});

describe('sarif', () => {
  it('has one rule per policy and results only for failed/warned findings and invalid intents', () => {
    const s = JSON.parse(renderSarif(report([denied, invalid])));
    expect(s.version).toBe('2.1.0');
    const run = s.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id).sort()).toEqual(['ARCH-HEAL-001', 'COMP-BUDGET-001', 'SEC-AUTH-001', 'intent_schema_error']);
    expect(run.results.map((r: { ruleId: string; level: string }) => [r.ruleId, r.level])).toEqual([
      ['COMP-BUDGET-001', 'error'],
      ['ARCH-HEAL-001', 'warning'],
      ['intent_schema_error', 'error'],
    ]);
    expect(run.results[2].locations[0].physicalLocation.region).toEqual({ startLine: 4, startColumn: 3 });
    expect(run.invocations[0].executionSuccessful).toBe(true);
  });

  it('writes governance findings, owner-review notes and runner diagnostics in SARIF 2.1.0 shape', () => {
    const s = JSON.parse(
      renderSarif(
        report([], {
          governance: {
            files: ['agents/agents.yaml', 'contracts/old.yaml → contracts/new.yaml'],
            needs_review: true,
            results: [
              { policy: 'AGENT-IAM-003', title: 'No escalation', status: 'failed', severity: 'deny', message: 'deployer may iam:PassRole', file: 'agents/iam-permissions.yaml', line: 7 },
              { policy: 'AUDIT-001', title: 'Audit chain', status: 'passed', severity: 'deny', message: 'chain intact', file: 'audit-log/2026-12.jsonl', line: 1 },
            ],
          },
          diagnostics: [
            { code: 'rego_parse_error', message: 'unexpected }', file: 'policies/a.rego', line: 3, col: 9 },
            { code: 'git_unknown_ref', message: 'no ref main' },
          ],
        }),
      ),
    );
    expect(s.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    const at = (uri: string, region: object) => [{ physicalLocation: { artifactLocation: { uri }, region } }];
    expect(s.runs).toEqual([
      {
        tool: {
          driver: {
            name: 'gitops',
            informationUri: 'https://github.com/',
            version: '0.1.0',
            rules: [
              { id: 'AGENT-IAM-003', name: 'AGENT-IAM-003', shortDescription: { text: 'No escalation' } },
              { id: 'AUDIT-001', name: 'AUDIT-001', shortDescription: { text: 'Audit chain' } },
              { id: 'GOVERNANCE-REVIEW', name: 'GOVERNANCE-REVIEW', shortDescription: { text: 'A governed file changed: needs review by its owners (CODEOWNERS)' } },
            ],
          },
        },
        automationDetails: { id: 'gitops-check/trace-check-test' },
        invocations: [
          {
            executionSuccessful: false,
            toolExecutionNotifications: [
              { level: 'error', message: { text: 'rego_parse_error: unexpected }' }, locations: at('policies/a.rego', { startLine: 3, startColumn: 9 }) },
              { level: 'error', message: { text: 'git_unknown_ref: no ref main' } },
            ],
          },
        ],
        results: [
          { ruleId: 'AGENT-IAM-003', level: 'error', message: { text: 'governance: deployer may iam:PassRole' }, locations: at('agents/iam-permissions.yaml', { startLine: 7 }) },
          { ruleId: 'GOVERNANCE-REVIEW', level: 'note', message: { text: 'governance change, needs owner review: agents/agents.yaml' }, locations: at('agents/agents.yaml', { startLine: 1 }) },
          // A rename is located at its new path.
          {
            ruleId: 'GOVERNANCE-REVIEW',
            level: 'note',
            message: { text: 'governance change, needs owner review: contracts/old.yaml → contracts/new.yaml' },
            locations: at('contracts/new.yaml', { startLine: 1 }),
          },
        ],
      },
    ]);
  });
});

describe('json', () => {
  it('is the report itself and every format is registered', () => {
    const r = report([denied]);
    expect(JSON.parse(renderJson(r))).toEqual(r);
    expect(Object.keys(FORMATS)).toEqual(['text', 'json', 'markdown', 'sarif']);
  });
});
