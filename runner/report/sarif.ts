/**
 * SARIF 2.1.0 (for code-scanning upload): one rule per policy id (plus one
 * per diagnostic code), one result per failed/warned finding and per invalid
 * intent diagnostic, located at file:line. Passed results are not findings.
 *
 * Built as a plain object typed by `@types/sarif` (the OASIS schema as
 * TypeScript), so a misspelt property or a level SARIF does not have is a
 * type error; README "Library choices" says why no builder library.
 */
import type { Location, Log, Notification, ReportingDescriptor, Result } from 'sarif';
import type { CheckReport } from '../model/report.ts';
import { sarifUri, stripControls, terminalText } from '../core/escape.ts';

export function renderSarif(r: CheckReport): string {
  const rules = new Map<string, ReportingDescriptor>();
  const rule = (id: string, text: string) => {
    if (!rules.has(id)) rules.set(id, { id, name: id, shortDescription: { text } });
  };
  const results: Result[] = [];
  const loc = (file: string, line?: number, col?: number): Location[] => [
    { physicalLocation: { artifactLocation: { uri: sarifUri(file) }, region: { startLine: Math.max(1, line ?? 1), ...(col ? { startColumn: col } : {}) } } },
  ];
  const level = (status: 'failed' | 'warned'): Result.level => (status === 'failed' ? 'error' : 'warning');
  for (const i of r.intents) {
    for (const res of i.results) {
      rule(res.policy, res.title);
      if (res.status === 'passed') continue;
      results.push({ ruleId: res.policy, level: level(res.status), message: { text: stripControls(`${i.id}: ${res.message}`) }, locations: loc(res.file, res.line) });
    }
    for (const d of i.diagnostics) {
      rule(d.code, `Invalid intent: ${d.code}`);
      results.push({ ruleId: d.code, level: 'error', message: { text: stripControls(d.message + (d.path ? ` (at ${d.path})` : '')) }, locations: loc(d.file ?? i.file, d.line, d.col) });
    }
  }
  // The governed files (agents, IAM table, contracts, audit log), judged on every run.
  for (const res of r.governance?.results ?? []) {
    rule(res.policy, res.title);
    if (res.status === 'passed') continue;
    results.push({ ruleId: res.policy, level: level(res.status), message: { text: `governance: ${res.message}` }, locations: loc(res.file, res.line) });
  }
  // Governance changes need owner review: a note on each changed governed file.
  for (const f of r.governance?.needs_review ? r.governance.files : []) {
    rule('GOVERNANCE-REVIEW', 'A governed file changed: needs review by its owners (CODEOWNERS)');
    results.push({ ruleId: 'GOVERNANCE-REVIEW', level: 'note', message: { text: `governance change, needs owner review: ${f}` }, locations: loc(f.includes(' → ') ? f.split(' → ')[1]! : f, 1) });
  }
  const notifications: Notification[] = r.diagnostics.map((d) => ({
    level: 'error',
    message: { text: stripControls(`${d.code}: ${d.message}`) },
    ...(d.file ? { locations: loc(d.file, d.line, d.col) } : {}),
  }));
  const sarif: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'gitops', informationUri: 'https://github.com/', version: '0.1.0', rules: [...rules.values()] } },
        automationDetails: { id: `gitops-check/${r.trace_id}` },
        invocations: [{ executionSuccessful: r.diagnostics.length === 0, toolExecutionNotifications: notifications }],
        results,
      },
    ],
  };
  // JSON escapes C0 controls but not DEL, C1 or bidi overrides: terminalText escapes those too (still valid JSON, same values).
  return terminalText(JSON.stringify(sarif, null, 2)) + '\n';
}
