/**
 * SARIF 2.1.0 (for code-scanning upload): one rule per policy id (plus one
 * per diagnostic code), one result per failed/warned finding and per invalid
 * intent diagnostic, located at file:line. Passed results are not findings.
 */
import type { CheckReport } from '../model/report.ts';
import { sarifUri, stripControls, terminalText } from '../core/escape.ts';

export function renderSarif(r: CheckReport): string {
  const rules = new Map<string, { id: string; name: string; shortDescription: { text: string } }>();
  const results: unknown[] = [];
  const loc = (file: string, line?: number, col?: number) => [
    { physicalLocation: { artifactLocation: { uri: sarifUri(file) }, region: { startLine: Math.max(1, line ?? 1), ...(col ? { startColumn: col } : {}) } } },
  ];
  for (const i of r.intents) {
    for (const res of i.results) {
      if (!rules.has(res.policy)) rules.set(res.policy, { id: res.policy, name: res.policy, shortDescription: { text: res.title } });
      if (res.status === 'passed') continue;
      results.push({ ruleId: res.policy, level: res.status === 'failed' ? 'error' : 'warning', message: { text: stripControls(`${i.id}: ${res.message}`) }, locations: loc(res.file, res.line) });
    }
    for (const d of i.diagnostics) {
      if (!rules.has(d.code)) rules.set(d.code, { id: d.code, name: d.code, shortDescription: { text: `Invalid intent: ${d.code}` } });
      results.push({ ruleId: d.code, level: 'error', message: { text: stripControls(d.message + (d.path ? ` (at ${d.path})` : '')) }, locations: loc(d.file ?? i.file, d.line, d.col) });
    }
  }
  // The governed files (agents, IAM table, contracts, audit log), judged on every run.
  for (const res of r.governance?.results ?? []) {
    if (!rules.has(res.policy)) rules.set(res.policy, { id: res.policy, name: res.policy, shortDescription: { text: res.title } });
    if (res.status === 'passed') continue;
    results.push({ ruleId: res.policy, level: res.status === 'failed' ? 'error' : 'warning', message: { text: `governance: ${res.message}` }, locations: loc(res.file, res.line) });
  }
  // Governance changes need owner review: a note on each changed governed file.
  for (const f of r.governance?.needs_review ? r.governance.files : []) {
    if (!rules.has('GOVERNANCE-REVIEW')) rules.set('GOVERNANCE-REVIEW', { id: 'GOVERNANCE-REVIEW', name: 'GOVERNANCE-REVIEW', shortDescription: { text: 'A governed file changed: needs review by its owners (CODEOWNERS)' } });
    results.push({ ruleId: 'GOVERNANCE-REVIEW', level: 'note', message: { text: `governance change, needs owner review: ${f}` }, locations: loc(f.includes(' → ') ? f.split(' → ')[1]! : f, 1) });
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'gitops', informationUri: 'https://github.com/', version: '0.1.0', rules: [...rules.values()] } },
        automationDetails: { id: `gitops-check/${r.trace_id}` },
        invocations: [
          {
            executionSuccessful: r.diagnostics.length === 0,
            toolExecutionNotifications: r.diagnostics.map((d) => ({
              level: 'error',
              message: { text: stripControls(`${d.code}: ${d.message}`) },
              ...(d.file ? { locations: loc(d.file, d.line, d.col) } : {}),
            })),
          },
        ],
        results,
      },
    ],
  };
  // JSON escapes C0 controls but not DEL, C1 or bidi overrides: terminalText escapes those too (still valid JSON, same values).
  return terminalText(JSON.stringify(sarif, null, 2)) + '\n';
}
