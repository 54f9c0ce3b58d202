/**
 * Markdown: what the pull-request comment and the job summary show. Pure:
 * report → text. The GitHub edge adds its own hidden marker, passes the
 * repository and head commit for links, and a size budget for the comment.
 *
 * It reads top-down, the way a reviewer decides:
 * 1. the verdict, then EVERY failure and warning (policy, line with a link to
 *    it in the PR's head, message) — never cut, whatever the size;
 * 2. one row per intent: decision, plan diff counts, cost before → after;
 * 3. per intent, what changes: the plan diff (create / update / replace /
 *    delete with the changed inputs), the cost delta, a picture of each
 *    changed stack (Mermaid); passed policies, actions, contracts, agents
 *    and the preview's inventory folded in `<details>`.
 * Past the budget, the remaining intents' sections are left out with a note
 * saying where they are (the job summary and the report artifact).
 */
import type { CheckReport, IntentReport, PolicyResult } from '../model/report.ts';
import { formatDiagnostic } from '../core/diagnostics.ts';
import { governanceFindings, headline, inline, money, sortedResults, verdict } from './format.ts';
import { codeSpan, escapeMarkdown } from '../core/escape.ts';
import { renderPlanMarkdown } from './plan.ts';
import { diffHeadline, formatChange } from './change.ts';
import type { PlanDiff } from '../model/plan.ts';
import type { StackGraph } from '../model/plan.ts';
import { costDeltaText, deltaPair, diffCounts, groupedChanges, OP_SYMBOL, shortType, signedMoney, signedPct } from './change.ts';
import { mermaidBlock, stackFlowchart, MAX_FLOWCHART_NODES } from './mermaid.ts';

/**
 * Escape user-supplied text (intent ids, descriptions, messages) for inline
 * Markdown: no HTML, no table breaks, no @mentions, no autolinks.
 */
export const esc = escapeMarkdown;

export interface MarkdownOptions {
  /** Link findings to their line in the PR's head: `{server}/{repository}/blob/{sha}/{path}#L{line}`. */
  links?: { server?: string; repository: string; sha: string };
  /** Characters the output may take (the comment's limit minus its marker); the failures are always complete. */
  limit?: number;
  /** Where the full report is when sections are left out. */
  fullCopy?: string;
}

/** Rows of the plan diff table listed per intent before the rest is counted. */
const MAX_DIFF_ROWS = 40;
/** Changed stacks drawn per intent. */
const MAX_DIAGRAMS = 3;
const DEFAULT_FULL_COPY = "the workflow's job summary and its `report.json` artifact";

const ICON = { allow: '✅', deny: '❌', invalid: '⚠️' } as const;
const STATUS_ICON = { passed: '✅ passed', failed: '❌ failed', warned: '⚠️ warned' } as const;

function lineLink(file: string, line: number, o: MarkdownOptions): string {
  const label = codeSpan(`${file}:${line}`);
  if (!o.links) return label;
  const server = (o.links.server ?? 'https://github.com').replace(/\/+$/, '');
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `[${label}](${server}/${o.links.repository}/blob/${o.links.sha}/${path}#L${line})`;
}

/** Every failed and warned result and every invalid-intent diagnostic: the part of the comment that is never cut. */
function failuresSection(report: CheckReport, o: MarkdownOptions): string[] {
  const rows: string[] = [];
  const findings: Array<{ i: IntentReport; r: PolicyResult }> = [];
  for (const i of report.intents) for (const r of sortedResults(i)) if (r.status !== 'passed') findings.push({ i, r });
  findings.sort((a, b) => (a.r.status === b.r.status ? 0 : a.r.status === 'failed' ? -1 : 1));
  for (const { i, r } of findings) rows.push(`| ${esc(i.id)} | ${r.status === 'failed' ? '❌' : '⚠️'} ${esc(r.policy)} | ${lineLink(r.file || i.file, Math.max(1, r.line), o)} | ${esc(r.message)} |`);
  for (const i of report.intents) {
    for (const d of i.diagnostics) rows.push(`| ${esc(i.id)} | ⚠️ ${esc(d.code)} | ${lineLink(d.file ?? i.file, Math.max(1, d.line ?? 1), o)} | ${esc(d.message + (d.path ? ` (at ${d.path})` : ''))} |`);
  }
  if (!rows.length) return [];
  const failed = findings.filter((f) => f.r.status === 'failed').length + report.intents.reduce((n, i) => n + i.diagnostics.length, 0);
  const warned = findings.length + report.intents.reduce((n, i) => n + i.diagnostics.length, 0) - failed;
  return [`**${failed} failure${failed === 1 ? '' : 's'}${warned ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}**`, '', '| Intent | Policy | Where | Message |', '|---|---|---|---|', ...rows, ''];
}

function summaryTable(report: CheckReport): string[] {
  const compared = report.intents.some((i) => i.cost_delta) || (report.deleted_intents ?? []).some((d) => d.cost_delta);
  const out = [`| Intent | Decision | Plan | Cost/month at max${compared ? ' (base → head)' : ''} | Budget headroom |`, '|---|---|---|---|---|'];
  for (const i of report.intents) {
    const cost = i.cost_delta ? deltaPair(i.cost_delta.base_max, i.cost_delta.head_max, i.cost_delta.delta_max, i.cost_delta.pct_max) : i.cost ? money(i.cost.monthly_max) : '—';
    const headroom = i.cost_delta?.headroom !== undefined ? money(i.cost_delta.headroom) : i.cost?.budget !== undefined ? money(i.cost.budget - i.cost.monthly_max) : '—';
    out.push(`| ${esc(i.id)} | ${ICON[i.decision]} ${i.decision} | ${i.plan_diff ? diffCounts(i.plan_diff) : i.plan ? `${i.plan.resources} resources` : '—'} | ${cost} | ${headroom} |`);
  }
  for (const d of report.deleted_intents ?? []) {
    const cost = d.cost_delta ? deltaPair(d.cost_delta.base_max, d.cost_delta.head_max, d.cost_delta.delta_max, d.cost_delta.pct_max) : '—';
    out.push(`| ${esc(d.id)} | 🗑️ deleted | ${d.plan_diff ? diffCounts(d.plan_diff) : '—'} | ${cost} | — |`);
  }
  if (report.cost_delta && report.intents.length + (report.deleted_intents?.length ?? 0) > 1) {
    const t = report.cost_delta;
    out.push(`| **PR total** | | | ${deltaPair(t.base_max, t.head_max, t.delta_max, t.pct_max)} | |`);
  }
  return [...out, ''];
}

function diffTable(d: PlanDiff): string[] {
  const out = [`**Plan** (base → head, mock runtime): ${diffHeadline(d)}`, ''];
  const { listed, bulk } = groupedChanges(d);
  for (const b of bulk) {
    const n = Object.values(b.byType).reduce((a, x) => a + x, 0);
    out.push(`- **${b.op} stack** ${codeSpan(b.stack)} (${OP_SYMBOL[b.op]}${n}): ${Object.entries(b.byType).map(([t, k]) => `${k} ${codeSpan(t)}`).join(', ')}`);
  }
  if (bulk.length) out.push('');
  if (listed.length) {
    out.push('| Op | Resource | Change |', '|---|---|---|');
    for (const c of listed.slice(0, MAX_DIFF_ROWS)) {
      const changes = c.changes.map((x) => {
        const [path, ...rest] = formatChange(x).split(': ');
        return `${codeSpan(path!)}: ${esc(rest.join(': '))}`;
      });
      out.push(`| ${OP_SYMBOL[c.op]} ${c.op} | ${codeSpan(shortType(c.type))} ${esc(c.name)} | ${changes.join('<br>') || (c.note ? esc(c.note) : '')} |`);
    }
    if (listed.length > MAX_DIFF_ROWS) out.push(`| … | ${listed.length - MAX_DIFF_ROWS} more | in the report's \`plan_diff\` |`);
    out.push('');
  }
  for (const n of d.notes) out.push(`> ${esc(n)}`, '');
  return out;
}

function diagrams(graphs: readonly StackGraph[] | undefined): string[] {
  const out: string[] = [];
  for (const g of (graphs ?? []).slice(0, MAX_DIAGRAMS)) {
    const chart = stackFlowchart(g);
    if (chart) out.push(`Stack ${codeSpan(g.stack)} (changed nodes marked):`, '', mermaidBlock(chart), '');
    else if (g.nodes.length) out.push(`_Stack ${codeSpan(g.stack)}: ${g.nodes.length} nodes, past the ${MAX_FLOWCHART_NODES}-node limit of the picture._`, '');
  }
  if ((graphs?.length ?? 0) > MAX_DIAGRAMS) out.push(`_${graphs!.length - MAX_DIAGRAMS} more changed stacks are not drawn._`, '');
  return out;
}

function folded(summary: string, body: string[]): string[] {
  return [`<details><summary>${summary}</summary>`, '', ...body, '</details>', ''];
}

function intentSection(i: IntentReport): string[] {
  const out: string[] = [`#### ${ICON[i.decision]} ${esc(i.id)} — ${i.decision} (${codeSpan(i.file)}, ${i.change})`, ''];
  if (i.description) out.push(`> ${esc(i.description)}`, '');
  if (i.diagnostics.length) {
    out.push('**The intent file is invalid:**', '');
    for (const d of i.diagnostics) out.push(`- ${esc(formatDiagnostic(d))}`);
    out.push('');
  }
  if (i.plan_diff) out.push(...diffTable(i.plan_diff));
  if (i.cost) {
    const c = i.cost;
    out.push(
      i.cost_delta
        ? `**Cost/month:** ${costDeltaText(i.cost_delta)} — ${esc(c.price_table.region)}, prices of ${esc(c.price_table.date)}`
        : `**Cost:** ${money(c.monthly_min)}/month at minimum capacity, ${money(c.monthly_max)}/month at maximum${c.budget !== undefined ? ` (budget ${money(c.budget)}/month)` : ''} — ${esc(c.price_table.region)}, prices of ${esc(c.price_table.date)}`,
      '',
    );
  }
  out.push(...diagrams(i.plan?.graphs));
  const passed = i.results.filter((r) => r.status === 'passed');
  if (i.results.length) {
    const rows = ['| Policy | Status | Line | Message |', '|---|---|---|---|'];
    for (const r of sortedResults(i)) rows.push(`| ${esc(r.policy)} | ${STATUS_ICON[r.status]} | ${r.status === 'passed' ? '' : `L${r.line}`} | ${esc(r.message)} |`);
    out.push(...folded(`Policies: ${passed.length} passed${passed.length < i.results.length ? `, ${i.results.length - passed.length} not (listed above)` : ''}`, [...rows, '']));
  }
  if (i.actions.length) out.push(...folded(`Actions (${i.actions.length})`, [...i.actions.map((a, n) => `${n + 1}. \`${a.action}\` — ${esc(inline(a.config))}`), '']));
  if (i.contracts?.length) {
    out.push(...folded(`Contracts (${i.contracts.length})`, ['| Contract | Status | Version | Compatible |', '|---|---|---|---|', ...i.contracts.map((c) => `| ${esc(c.contract)} | ${c.status} | ${esc(c.version ?? '—')} | ${c.compatible ? 'yes' : 'no'} |`), '']));
  }
  if (i.agents?.length) {
    out.push(...folded(`Agents (${i.agents.length})`, ['| Agent | Type | Version | Permissions |', '|---|---|---|---|', ...i.agents.map((a) => `| ${esc(a.agent_id)} | ${esc(a.type)} | ${esc(a.version)} | ${a.permissions.map(codeSpan).join(', ')} |`), '']));
  }
  if (i.plan) out.push(...folded(`Preview inventory: ${i.plan.resources} resources`, [renderPlanMarkdown(i.plan, { listResources: !i.plan_diff })]));
  return out;
}

/** The governed files, judged whether or not an intent changed (runner/check/governance.ts). */
function governanceMarkdown(report: CheckReport): string[] {
  const g = report.governance;
  if (!g) return [];
  const out: string[] = [];
  const findings = governanceFindings(report);
  if (findings.length) {
    const denied = findings.some((x) => x.status === 'failed');
    out.push(`**${denied ? '❌ Governed files denied' : '⚠️ Governed files: warnings'}** (agents, IAM table, contracts, audit log — judged on every pull request)`, '');
    out.push('| Rule | Status | File | Message |', '|---|---|---|---|');
    for (const x of findings) out.push(`| ${esc(x.policy)} | ${STATUS_ICON[x.status]} | ${codeSpan(`${x.file}:${x.line}`)} | ${esc(x.message)} |`);
    out.push('');
  }
  if (g.needs_review) {
    out.push(`**🔒 Governance changes need review by their owners (CODEOWNERS):** ${g.files.map((f) => codeSpan(f)).join(', ')}`, '');
  }
  return out;
}

function deletedSection(d: NonNullable<CheckReport['deleted_intents']>[number]): string[] {
  const out = [`#### 🗑️ ${esc(d.id)} — deleted (${codeSpan(d.file)})`, ''];
  if (d.plan_diff) out.push(...diffTable(d.plan_diff));
  if (d.cost_delta) out.push(`**Cost/month:** ${costDeltaText(d.cost_delta)}`, '');
  for (const n of d.notes ?? []) out.push(`> ${esc(n)}`, '');
  out.push(...diagrams(d.graphs));
  return out;
}

export function renderMarkdown(report: CheckReport, o: MarkdownOptions = {}): string {
  const v = verdict(report);
  const title = v === 'passed' ? '✅ Intent check passed' : v === 'failed' ? '❌ Intent check failed' : '⚠️ Intent check could not run';
  const out: string[] = [`### ${title}`, '', headline(report) + '.', ''];
  for (const d of report.diagnostics) out.push(`- ⚠️ ${esc(formatDiagnostic(d))}`);
  if (report.diagnostics.length) out.push('');
  out.push(...failuresSection(report, o));
  out.push(...governanceMarkdown(report));
  if (report.intents.length || report.deleted_intents?.length) {
    const table = summaryTable(report);
    // The failures above are never cut; a table that would push the comment past the limit is what gives way.
    if (o.limit !== undefined && out.join('\n').length + table.join('\n').length + 600 > o.limit) {
      out.push(`> ℹ️ The table of all ${report.intents.length} intents is left out to fit GitHub's comment limit; it is in ${o.fullCopy ?? DEFAULT_FULL_COPY}.`, '');
    } else out.push(...table);
  }
  if (report.cost_delta) out.push(`**Cost change of this PR:** ${signedMoney(report.cost_delta.delta_max)}/month at maximum capacity (${signedPct(report.cost_delta.pct_max)}), ${signedMoney(report.cost_delta.delta_min)} at minimum.`, '');
  if (!report.intents.length && !report.diagnostics.length && !report.deleted.length) out.push('No intent changes to check.', '');
  if (report.deleted.length && !report.deleted_intents) out.push(`**Deleted intents:** ${report.deleted.map((f) => codeSpan(f)).join(', ')}`, '');
  if (report.policy_changes.needs_review) {
    out.push(`**🔒 Policy changes need policy-owner review.** This check used the base branch's policies, not these edits: ${report.policy_changes.files.map((f) => codeSpan(f)).join(', ')}`, '');
  }
  const refs = [report.base ? `base ${codeSpan(report.base)}` : '', report.head ? `head ${codeSpan(report.head)}` : ''].filter(Boolean).join(', ');
  const footer = [`<sub>${refs ? refs + ' · ' : ''}trace ${codeSpan(report.trace_id)}</sub>`, ''];

  // The sections, in order of what a reviewer needs: denied and invalid intents first, then changed, then unchanged.
  const rank = (i: IntentReport) => (i.decision !== 'allow' ? 0 : i.change !== 'unchanged' ? 1 : 2);
  const sections = [...report.intents].sort((a, b) => rank(a) - rank(b)).map(intentSection);
  sections.push(...(report.deleted_intents ?? []).map(deletedSection));
  let used = out.join('\n').length + footer.join('\n').length + 400;
  let shown = 0;
  for (const s of sections) {
    const text = s.join('\n');
    if (o.limit !== undefined && used + text.length + 1 > o.limit) break;
    out.push(...s);
    used += text.length + 1;
    shown++;
  }
  if (shown < sections.length) {
    out.push(`> ℹ️ ${sections.length - shown} of ${sections.length} intent sections are left out to fit GitHub's comment limit (every failure is listed above). They are in ${o.fullCopy ?? DEFAULT_FULL_COPY}.`, '');
  }
  out.push(...footer);
  return out.join('\n');
}
