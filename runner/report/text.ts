/** Terminal output (the default format). Pure: report → text. */
import type { CheckReport, IntentReport } from '../check/types.ts';
import { formatDiagnostic } from '../core/diagnostics.ts';
import { headline, inline, money, price, sortedResults } from './format.ts';
import { terminalLine } from './escape.ts';

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

export function renderText(r: CheckReport): string {
  const lines: string[] = [];
  const refs = [r.base ? `base ${r.base}` : '', r.head ? `head ${r.head}` : ''].filter(Boolean).join('  ');
  lines.push(`gitops check${refs ? '  ' + refs : ''}  (trace ${r.trace_id})`, '');
  for (const d of r.diagnostics) lines.push(`error: ${formatDiagnostic(d)}`);
  if (r.diagnostics.length) lines.push('');
  for (const i of r.intents) lines.push(...intentText(i), '');
  if (r.intents.length === 0 && r.diagnostics.length === 0) lines.push('No intent changes to check.', '');
  if (r.deleted.length) lines.push(`Deleted intents (nothing to evaluate): ${r.deleted.join(', ')}`);
  if (r.policy_changes.needs_review) {
    lines.push(`Policy changes (NOT used for this check; evaluated with the base's policies; need policy-owner review): ${r.policy_changes.files.join(', ')}`);
  }
  lines.push(`Summary: ${headline(r)}`);
  // Each entry is meant as one line: a newline, ESC or `::` inside one came from the data (escape.ts).
  return lines.map(terminalLine).join('\n') + '\n';
}
