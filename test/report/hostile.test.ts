/**
 * Hostile text in every position a report echoes (id, file, description,
 * policy messages, diagnostics, actions, refs, deleted and policy files):
 * no format may pass a terminal escape, a bare control character or a
 * GitHub workflow command through (runner/core/escape.ts).
 */
import { describe, expect, it } from 'vitest';
import type { CheckReport, IntentReport } from '../../runner/model/report.ts';
import { FORMATS } from '../../runner/report/index.ts';
import { formatDiagnostic } from '../../runner/core/diagnostics.ts';
import { escapeControls, escapeMarkdown, sarifUri, terminalLine, terminalText, terminalWriter } from '../../runner/core/escape.ts';
import { workflowCommand } from '../../runner/github/render.ts';
import { HOSTILE, terminalProblems } from './hostile.ts';

const H = HOSTILE.join(' | ');

function hostileIntent(decision: IntentReport['decision']): IntentReport {
  const file = `intents/${H}.yaml`;
  return {
    id: `EVIL-001${H}`,
    file,
    type: 'deployment',
    change: 'added',
    decision,
    description: H,
    results: [
      { policy: `SEC-${H}`, title: H, status: 'failed', severity: 'deny', message: H, file, line: 4 },
      { policy: 'SEC-AUTH-001', title: H, status: 'warned', severity: 'warn', message: H, file, line: 5 },
      { policy: 'COMP-BUDGET-001', title: H, status: 'passed', severity: 'deny', message: H, file, line: 3 },
    ],
    actions: [{ action: 'setup_health_checks', config: { path: H, nested: { v: H }, list: [H] } }],
    cost: {
      currency: 'USD',
      hours_per_month: 730,
      monthly_min: 1,
      monthly_max: 2,
      budget: 3,
      items: [{ resource: H, quantity: 1, unit_price: 0.01, monthly_min: 1, monthly_max: 2 }],
      price_table: { source: H, date: H, region: H },
      assumptions: [H],
    },
    contracts: [{ contract: H, status: 'verified', version: H, compatible: true }] as IntentReport['contracts'],
    agents: [{ agent_id: H, type: H, version: H, permissions: [H] }] as IntentReport['agents'],
    diagnostics: [{ code: 'intent_schema_error', message: `unknown field '${H}'`, file, line: 7, col: 3, path: `intent.${H}` }],
  };
}

const REPORT: CheckReport = {
  version: 1,
  trace_id: `trace-${H}`,
  base: `main${H}@abc`,
  head: `feature${H}@def`,
  intents: [hostileIntent('deny'), hostileIntent('invalid'), hostileIntent('allow')],
  deleted: [`intents/${H}.yaml`],
  policy_changes: { files: [`policies/${H}.rego`], needs_review: true },
  diagnostics: [{ code: 'stage_failed', message: H, file: `intents/${H}.yaml` }],
  summary: { intents: 3, allowed: 1, denied: 1, invalid: 1, warnings: 2 },
};

describe('hostile text in every echoed position', () => {
  it('text: no workflow command, no raw control or bidi character; the text stays visible, escaped', () => {
    const out = FORMATS.text(REPORT);
    expect(terminalProblems(out)).toEqual([]);
    expect(out).toContain('\\u001b[2K\\r✔ ALLOW  EVIL-001');
    expect(out).toContain('EVIL-001\\n::error file=intents/X.yaml'); // the newline shown, not taken
    // The real verdict lines are still the only ones starting with a verdict mark.
    expect(out.split('\n').filter((l) => /^[✔✖] /.test(l))).toHaveLength(3);
  });

  it('markdown: no ESC, C0/C1 control or bidi override reaches the comment', () => {
    const out = FORMATS.markdown(REPORT);
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
    expect(out).toContain('PWNED'); // the text itself is shown, defused
    expect(terminalProblems(out)).toEqual([]);
  });

  it('sarif: artifact URIs are percent-encoded and decode back to the file; messages carry no controls', () => {
    const out = FORMATS.sarif(REPORT);
    expect(terminalProblems(out)).toEqual([]);
    const sarif = JSON.parse(out) as { runs: Array<{ results: Array<{ message: { text: string }; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> };
    const results = sarif.runs[0]!.results;
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      const uri = r.locations[0]!.physicalLocation.artifactLocation.uri;
      expect(uri).toMatch(/^[A-Za-z0-9\-._~!'()*%/]+$/);
      expect(decodeURIComponent(uri)).toBe(`intents/${H}.yaml`);
      expect(r.message.text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    }
  });

  it('json: the report itself, exact, every control escaped by JSON and no line a workflow command', () => {
    const out = FORMATS.json(REPORT);
    expect(terminalProblems(out)).toEqual([]);
    expect(JSON.parse(out)).toEqual(REPORT);
  });

  it('diagnostics print on one line, whatever file name or message they echo', () => {
    const line = formatDiagnostic({ code: 'intent_schema_error', message: `unknown field '${H}'`, file: `intents/${H}.yaml`, line: 3, col: 5, path: H });
    expect(line).not.toContain('\n');
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(line.startsWith('intents/\\n::error')).toBe(true);
  });
});

describe('escape.ts', () => {
  it('escapeControls shows controls as JSON-compatible escapes and leaves ordinary text alone', () => {
    expect(escapeControls('a\u001b[31mb\r\nc\td\u202e')).toBe('a\\u001b[31mb\\r\\nc\td\\u202e');
    expect(escapeControls('部署高可用性 Web 服務 — ok')).toBe('部署高可用性 Web 服務 — ok');
    expect(JSON.parse(`"${escapeControls('\u001b\u0085\u202e')}"`)).toBe('\u001b\u0085\u202e');
  });

  it('terminalLine defuses a workflow command at the line start, after blanks too; `::` elsewhere stays', () => {
    expect(terminalLine('::error::x')).toBe('\\::error::x');
    expect(terminalLine('  \t::add-mask::x')).toBe('  \t\\::add-mask::x');
    expect(terminalLine('##[group]x')).toBe('\\##[group]x');
    expect(terminalLine('std::vector and a::b')).toBe('std::vector and a::b');
    expect(terminalText('ok\n::warning::w\n')).toBe('ok\n\\::warning::w\n');
  });

  it('terminalWriter tracks line starts across writes', () => {
    let out = '';
    const w = terminalWriter((t) => (out += t));
    w('error: ');
    w('::not-a-line-start\n');
    w('::set-output name=x::y\n');
    w('\u001b[2K');
    expect(out).toBe('error: ::not-a-line-start\n\\::set-output name=x::y\n\\u001b[2K');
  });

  it('Markdown drops controls and bidi overrides; SARIF URIs survive lone surrogates', () => {
    expect(escapeMarkdown('a\u001b[2Kb\u202ec\u0085d')).toBe('a[2Kbcd'.replace('[', '\\['));
    expect(sarifUri('intents/a b/\ud800#?.yaml')).toBe('intents/a%20b/%EF%BF%BD%23%3F.yaml');
  });

  it('the runner’s own workflow commands carry escaped data: no control reaches the job log', () => {
    const cmd = workflowCommand('error', { file: 'intents/a.yaml', title: 't' }, 'x\n::add-mask::y\u001b[2K');
    expect(cmd).toBe('::error file=intents/a.yaml,title=t::x%0A::add-mask::y\\u001b[2K');
  });
});
