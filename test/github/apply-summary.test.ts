/**
 * The pure side of posting an apply: the summary `gitops apply --summary-file`
 * writes (produced here by the apply stage's own renderApplyMarkdown, so a
 * format change there shows up here) parsed back into its parts, and the
 * comment re-rendered from them with every user string escaped.
 */
import { describe, expect, it } from 'vitest';
import { failureMessages, isFailure, parseApplySummary, rangeOf, renderApplyComment, type ApplySummary } from '../../runner/github/apply-summary.ts';
import { renderApplyMarkdown } from '../../runner/report/apply.ts';
import { type ApplyReport } from '../../runner/model/apply.ts';

const BASE = 'a'.repeat(40);
const HEAD = 'b'.repeat(40);

function report(over: Partial<ApplyReport>): ApplyReport {
  return {
    version: 1,
    trace_id: 'trace-apply-x',
    engine: 'automation',
    base: BASE,
    head: HEAD,
    status: 'succeeded',
    diagnostics: [],
    stacks: [],
    summary: { stacks: 0, succeeded: 0, failed: 0, skipped: 0 },
    duration_ms: 0,
    ...over,
  };
}

function parsed(r: ApplyReport): ApplySummary {
  const p = parseApplySummary(renderApplyMarkdown(r), 'apply-summary.md');
  if (!p.ok) throw new Error(JSON.stringify(p.diagnostics));
  return p.value;
}

const failedStack = {
  stack: 'WEB-eu-west-1',
  intent: 'WEB',
  region: 'eu-west-1',
  file: 'intents/WEB.yaml',
  kind: 'up' as const,
  change: 'modified',
  status: 'failed' as const,
  reason: 'step provision_infrastructure failed',
  duration_ms: 1300,
  steps: [
    { step: 'provision_infrastructure' as const, status: 'failed' as const, duration_ms: 1300, resources: 9, error: 'error: creating LB\n  AccessDenied | <b>x</b>\n# not a heading' },
    { step: 'deploy_application' as const, status: 'skipped' as const, duration_ms: 0, resources: 2 },
  ],
};

describe('parseApplySummary', () => {
  it('reads a failed apply back: range, status, engine, trace, rows, with a multi-line error kept in its row', () => {
    const s = parsed(report({ status: 'failed', stacks: [failedStack], summary: { stacks: 1, succeeded: 0, failed: 1, skipped: 0 } }));
    expect(s).toMatchObject({ base: BASE, head: HEAD, status: 'failed', engine: 'automation', trace: 'trace-apply-x', diagnostics: [], other: [] });
    expect(s.rows).toEqual([
      { stack: 'WEB-eu-west-1', step: 'provision_infrastructure', status: 'failed', duration: '1.3 s', details: 'error: creating LB AccessDenied | <b>x</b> # not a heading' },
      { stack: 'WEB-eu-west-1', step: 'deploy_application', status: 'skipped', duration: '0.0 s', details: '' },
    ]);
    expect(isFailure(s)).toBe(true);
    expect(rangeOf(s)).toBe(`${BASE}..${HEAD}`);
  });

  it('reads every status; a preflight diagnostic spanning lines stays one diagnostic', () => {
    expect(parsed(report({ status: 'succeeded' })).status).toBe('succeeded');
    expect(parsed(report({ status: 'nothing_to_apply' })).status).toBe('nothing_to_apply');
    const pre = parsed(report({ status: 'preflight_failed', diagnostics: [{ code: 'apply_credentials_missing', message: 'no AWS credentials\nset them with OIDC' }] }));
    expect(pre.status).toBe('preflight_failed');
    expect(pre.diagnostics).toEqual([{ code: 'apply_credentials_missing', message: 'no AWS credentials set them with OIDC' }]);
    expect(isFailure(pre)).toBe(true);
    expect(isFailure(parsed(report({ status: 'succeeded' })))).toBe(false);
  });

  it('an apply without a range (--intent / --all) has no range', () => {
    const s = parsed(report({ base: undefined, head: undefined, status: 'failed' } as Partial<ApplyReport>));
    expect(s.base).toBeUndefined();
    expect(rangeOf(s)).toBeUndefined();
  });

  it('rejects a file that is not an apply summary, at line 1', () => {
    const p = parseApplySummary('{"version": 1}\n', 'report.json');
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.diagnostics[0]).toMatchObject({ code: 'apply_summary_invalid', file: 'report.json', line: 1 });
  });

  it('an unknown headline is treated as a failure (never reported as success); unknown lines are kept', () => {
    const p = parseApplySummary('<!-- gitops:apply a..b -->\nSomething <b>odd</b> @team\n\n<script>x</script>\n', 's.md');
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.value.status).toBe('unknown');
    expect(isFailure(p.value)).toBe(true);
    expect(p.value.other).toEqual(['<script>x</script>']);
    const md = renderApplyComment(p.value, { sha: 'b' });
    expect(md).toContain('⚠️ **Apply result** — Something &lt;b&gt;odd&lt;/b&gt; @&#8203;team');
    expect(md).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(md).not.toMatch(/<script|<b>/);
  });
});

describe('renderApplyComment', () => {
  it('escapes every value from the summary and keeps one table row per step', () => {
    const s = parsed(report({ status: 'failed', stacks: [failedStack], summary: { stacks: 1, succeeded: 0, failed: 1, skipped: 0 } }));
    const md = renderApplyComment(s, { sha: HEAD, runUrl: 'https://github.com/acme/infra/actions/runs/7', stack: 'WEB-eu-west-1' });
    const lines = md.split('\n');
    expect(lines[0]).toBe('❌ **Apply failed** — engine `automation`, trace `trace-apply-x`');
    expect(lines[2]).toBe('Range `aaaaaaaaaaaa..bbbbbbbbbbbb`, merge commit `bbbbbbbbbbbb`, stack `WEB-eu-west-1` · [workflow run](https://github.com/acme/infra/actions/runs/7)');
    expect(lines.filter((l) => l.startsWith('| `WEB-eu-west-1`'))).toEqual([
      '| `WEB-eu-west-1` | provision\\_infrastructure | failed | 1.3 s | error: creating LB AccessDenied \\| &lt;b&gt;x&lt;/b&gt; # not a heading |',
      '| `WEB-eu-west-1` | deploy\\_application | skipped | 0.0 s | — |',
    ]);
    expect(md).toContain('the next apply run covers this range again');
  });

  it('says so when the apply succeeded, without the re-run note', () => {
    const md = renderApplyComment(parsed(report({ status: 'succeeded' })), { sha: HEAD });
    expect(md.startsWith('✅ **Apply succeeded**')).toBe(true);
    expect(md).not.toContain('covers this range again');
  });

  it('failure messages for the fallback annotations: one per failed stack or preflight problem', () => {
    const s = parsed(report({ status: 'failed', stacks: [failedStack], summary: { stacks: 1, succeeded: 0, failed: 1, skipped: 0 } }));
    expect(failureMessages(s)).toEqual([
      { title: 'gitops apply failed: WEB-eu-west-1', message: `step provision_infrastructure failed: error: creating LB AccessDenied | <b>x</b> # not a heading (${BASE}..${HEAD})` },
    ]);
    const pre = parsed(report({ status: 'preflight_failed', diagnostics: [{ code: 'apply_pulumi_cli_missing', message: 'install pulumi' }] }));
    expect(failureMessages(pre)).toEqual([{ title: `gitops apply could not start (${BASE}..${HEAD})`, message: 'apply_pulumi_cli_missing: install pulumi' }]);
  });
});
