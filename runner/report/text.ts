/** Terminal output (the default format). Pure: report → text. */
import type { CheckReport, IntentReport } from '../model/report.ts';
import { formatDiagnostic } from '../core/diagnostics.ts';
import { governanceFindings, headline, inline, money, price, sortedResults } from './format.ts';
import { costDeltaText, planDiffText } from './change.ts';
import { diffHeadline } from './change.ts';
import { terminalLine } from '../core/escape.ts';

const MARK = { allow: '✔ ALLOW  ', deny: '✖ DENY   ', invalid: '✖ INVALID' } as const;
const STATUS = { passed: 'passed', failed: 'FAILED', warned: 'warned' } as const;

function intentText(i: IntentReport): string[] {
  const out = [`${MARK[i.decision]} ${i.id}  ${i.file} (${i.change})`];
  if (i.description) out.push(`  ${i.description}`);
  for (const d of i.diagnostics) out.push(`  ${formatDiagnostic(d)}`);
  if (i.results.length) {
    out.push('  Policies:');
    const w = Math.max(...i.results.map((r) => r.policy.length));
    for (const r of sortedResults(i)) {
      const where = r.status === 'passed' ? '' : `${r.file}:${r.line}: `;
      out.push(`    ${STATUS[r.status].padEnd(6)}  ${r.policy.padEnd(w)}  ${where}${r.message}`);
    }
  }
  if (i.actions.length) {
    out.push('  Actions:');
    i.actions.forEach((a, n) => out.push(`    ${n + 1}. ${a.action}: ${inline(a.config)}`));
  }
  if (i.cost) {
    const c = i.cost;
    const budget = c.budget !== undefined ? `; budget ${money(c.budget)}/month` : '';
    out.push(`  Cost: ${money(c.monthly_min)}/month at minimum capacity, ${money(c.monthly_max)}/month at maximum${budget}`);
    out.push(`    (${c.price_table.region}, ${c.hours_per_month} h/month, prices of ${c.price_table.date}: ${c.items.map((x) => `${x.resource} ${price(x.unit_price)}/h`).join(', ')})`);
  }
  if (i.cost_delta) out.push(`  Cost change (base → head): ${costDeltaText(i.cost_delta)}`);
  if (i.plan_diff) out.push(`  Plan diff (base → head): ${diffHeadline(i.plan_diff)}`, ...planDiffText(i.plan_diff, '    '));
  if (i.contracts?.length) {
    out.push('  Contracts:');
    for (const c of i.contracts) out.push(`    ${c.contract}  ${c.status}  version ${c.version ?? '—'}  compatible ${c.compatible}`);
  }
  if (i.agents?.length) {
    out.push('  Agents:');
    for (const a of i.agents) out.push(`    ${a.agent_id} (${a.type} ${a.version}): ${a.permissions.join(', ')}`);
  }
  if (i.plan) out.push(`  Preview: ${i.plan.resources} resources (${Object.entries(i.plan.by_type).map(([t, n]) => `${n} ${t}`).join(', ')})`);
  return out;
}

/** The governed files, judged whether or not an intent changed (runner/check/governance.ts). */
function governanceText(r: CheckReport): string[] {
  const g = r.governance;
  if (!g) return [];
  const out: string[] = [];
  const findings = governanceFindings(r);
  const denied = findings.some((x) => x.status === 'failed');
  const passed = g.results.length - findings.length;
  out.push(`${denied ? '✖ DENY   ' : '✔ ALLOW  '} governed files (agents, IAM table, contracts, audit log): ${findings.length ? `${findings.length} finding${findings.length === 1 ? '' : 's'}` : 'no findings'}, ${passed} rule${passed === 1 ? '' : 's'} passed`);
  if (findings.length) {
    const w = Math.max(...findings.map((x) => x.policy.length));
    for (const x of findings) out.push(`    ${STATUS[x.status].padEnd(6)}  ${x.policy.padEnd(w)}  ${x.file}:${x.line}: ${x.message}`);
  }
  if (g.needs_review) out.push(`  Governance changes (need review by their owners, see CODEOWNERS): ${g.files.join(', ')}`);
  out.push('');
  return out;
}

export function renderText(r: CheckReport): string {
  const lines: string[] = [];
  const refs = [r.base ? `base ${r.base}` : '', r.head ? `head ${r.head}` : ''].filter(Boolean).join('  ');
  lines.push(`gitops check${refs ? '  ' + refs : ''}  (trace ${r.trace_id})`, '');
  for (const d of r.diagnostics) lines.push(`error: ${formatDiagnostic(d)}`);
  if (r.diagnostics.length) lines.push('');
  for (const i of r.intents) lines.push(...intentText(i), '');
  if (r.intents.length === 0 && r.diagnostics.length === 0) lines.push('No intent changes to check.', '');
  lines.push(...governanceText(r));
  if (r.deleted.length) lines.push(`Deleted intents (nothing to evaluate): ${r.deleted.join(', ')}`);
  for (const d of r.deleted_intents ?? []) {
    if (d.cost_delta) lines.push(`  ${d.id}: cost change ${costDeltaText(d.cost_delta)}`);
    if (d.plan_diff) lines.push(`  ${d.id}: plan diff (base → head): ${diffHeadline(d.plan_diff)}`, ...planDiffText(d.plan_diff, '    '));
    for (const n of d.notes ?? []) lines.push(`  ${d.id}: ${n}`);
  }
  if (r.cost_delta) lines.push(`Cost change of the PR: ${costDeltaText(r.cost_delta)}`);
  if (r.policy_changes.needs_review) {
    lines.push(`Policy changes (NOT used for this check; evaluated with the base's policies; need policy-owner review): ${r.policy_changes.files.join(', ')}`);
  }
  lines.push(`Summary: ${headline(r)}`);
  // Each entry is meant as one line: a newline, ESC or `::` inside one came from the data (escape.ts).
  return lines.map(terminalLine).join('\n') + '\n';
}
