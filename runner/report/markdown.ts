/**
 * Markdown: what the pull-request comment and the job summary show. Pure:
 * report → text. The GitHub edge adds its own hidden marker and trims to
 * GitHub's size limit; nothing here knows about GitHub.
 */
import type { CheckReport, IntentReport } from '../check/types.ts';
import { formatDiagnostic } from '../core/diagnostics.ts';
import { headline, inline, money, sortedResults, verdict } from './format.ts';
import { codeSpan, escapeMarkdown } from './escape.ts';
import { renderPlanMarkdown } from '../infra/render.ts';

/**
 * Escape user-supplied text (intent ids, descriptions, messages) for inline
 * Markdown: no HTML, no table breaks, no @mentions, no autolinks.
 */
export const esc = escapeMarkdown;

const ICON = { allow: '✅', deny: '❌', invalid: '⚠️' } as const;
const STATUS_ICON = { passed: '✅ passed', failed: '❌ failed', warned: '⚠️ warned' } as const;

function intentSection(i: IntentReport): string[] {
  const out: string[] = [];
  const open = i.decision !== 'allow' ? ' open' : '';
  out.push(`<details${open}><summary>${ICON[i.decision]} <b>${esc(i.id)}</b> — ${i.decision} (<code>${esc(i.file)}</code>, ${i.change})</summary>`, '');
  if (i.description) out.push(`> ${esc(i.description)}`, '');
  if (i.diagnostics.length) {
    out.push('**The intent file is invalid:**', '');
    for (const d of i.diagnostics) out.push(`- ${esc(formatDiagnostic(d))}`);
    out.push('');
  }
  if (i.results.length) {
    out.push('| Policy | Status | Line | Message |', '|---|---|---|---|');
    for (const r of sortedResults(i)) out.push(`| ${esc(r.policy)} | ${STATUS_ICON[r.status]} | ${r.status === 'passed' ? '' : `L${r.line}`} | ${esc(r.message)} |`);
    out.push('');
  }
  if (i.cost) {
    const c = i.cost;
    out.push(
      `**Cost:** ${money(c.monthly_min)}/month at minimum capacity, ${money(c.monthly_max)}/month at maximum${c.budget !== undefined ? ` (budget ${money(c.budget)}/month)` : ''} — ${esc(c.price_table.region)}, prices of ${esc(c.price_table.date)}`,
      '',
    );
  }
  if (i.actions.length) {
    out.push('**Actions:**', '');
    i.actions.forEach((a, n) => out.push(`${n + 1}. \`${a.action}\` — ${esc(inline(a.config))}`));
    out.push('');
  }
  if (i.contracts?.length) {
    out.push('**Contracts**', '', '| Contract | Status | Version | Compatible |', '|---|---|---|---|');
    for (const c of i.contracts) out.push(`| ${esc(c.contract)} | ${c.status} | ${esc(c.version ?? '—')} | ${c.compatible ? 'yes' : 'no'} |`);
    out.push('');
  }
  if (i.agents?.length) {
    out.push('**Agents**', '', '| Agent | Type | Version | Permissions |', '|---|---|---|---|');
    for (const a of i.agents) out.push(`| ${esc(a.agent_id)} | ${esc(a.type)} | ${esc(a.version)} | ${a.permissions.map(codeSpan).join(', ')} |`);
    out.push('');
  }
  if (i.plan) out.push(renderPlanMarkdown(i.plan));
  out.push('</details>', '');
  return out;
}

export function renderMarkdown(report: CheckReport): string {
  const v = verdict(report);
  const title = v === 'passed' ? '✅ Intent check passed' : v === 'failed' ? '❌ Intent check failed' : '⚠️ Intent check could not run';
  const out: string[] = [`### ${title}`, '', headline(report) + '.', ''];
  for (const d of report.diagnostics) out.push(`- ⚠️ ${esc(formatDiagnostic(d))}`);
  if (report.diagnostics.length) out.push('');
  if (report.intents.length) {
    out.push('| Intent | Decision | Failed | Warned | Cost/month (min – max) |', '|---|---|---|---|---|');
    for (const i of report.intents) {
      const failed = [...new Set(i.results.filter((r) => r.status === 'failed').map((r) => r.policy))];
      const warned = [...new Set(i.results.filter((r) => r.status === 'warned').map((r) => r.policy))];
      const cost = i.cost ? `${money(i.cost.monthly_min)} – ${money(i.cost.monthly_max)}` : '—';
      out.push(`| ${esc(i.id)} | ${ICON[i.decision]} ${i.decision} | ${failed.map(esc).join(', ') || (i.decision === 'invalid' ? 'schema' : '—')} | ${warned.map(esc).join(', ') || '—'} | ${cost} |`);
    }
    out.push('');
    for (const i of report.intents) out.push(...intentSection(i));
  } else if (!report.diagnostics.length) {
    out.push('No intent changes to check.', '');
  }
  if (report.deleted.length) out.push(`**Deleted intents:** ${report.deleted.map((f) => `\`${esc(f)}\``).join(', ')}`, '');
  if (report.policy_changes.needs_review) {
    out.push(
      `**🔒 Policy changes need policy-owner review.** This check used the base branch's policies, not these edits: ${report.policy_changes.files.map((f) => `\`${esc(f)}\``).join(', ')}`,
      '',
    );
  }
  const refs = [report.base ? `base \`${esc(report.base)}\`` : '', report.head ? `head \`${esc(report.head)}\`` : ''].filter(Boolean).join(', ');
  out.push(`<sub>${refs ? refs + ' · ' : ''}trace \`${esc(report.trace_id)}\`</sub>`, '');
  return out.join('\n');
}
