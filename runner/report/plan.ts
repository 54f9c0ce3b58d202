/**
 * The infrastructure preview as text (`gitops apply --plan`) and markdown
 * (the PR comment): pure functions of the plan summary
 * (runner/infra/plan-details.ts builds it; no Pulumi import).
 */
import type { CostEstimate } from '../model/report.ts';
import { APPLY_STEPS, type PlanDetails, type PlanKeyInputs as Key } from '../model/plan.ts';

function fmtKey(key: Key): string {
  return Object.entries(key)
    .filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}

const short = (type: string) => type.replace(/^aws:/, '').replace(/^([^/]+)\/[^:]+:/, '$1:');

const money = (n: number) => `$${n.toFixed(2)}`;

export function renderPlanText(intentId: string, file: string | undefined, resources: number, d: PlanDetails): string {
  const lines: string[] = [];
  lines.push(`${intentId}${file ? ` (${file})` : ''}: ${resources} resources in ${d.stacks.length} stack${d.stacks.length === 1 ? '' : 's'} (mock runtime, ${d.duration_ms} ms)`);
  for (const s of d.stacks) {
    lines.push('', `stack ${s.stack}  region ${s.region}  zones ${s.zones.join(', ')}  (${s.resources.length} resources)`);
    for (const step of APPLY_STEPS) {
      const rs = s.resources.filter((r) => r.step === step);
      if (!rs.length) continue;
      lines.push(`  ${step} (${rs.length})`);
      for (const r of rs) lines.push(`    + ${short(r.type)}  ${r.name}${Object.keys(r.key).length ? '  ' + fmtKey(r.key) : ''}`);
    }
    for (const n of s.notes) lines.push(`  note: ${n}`);
  }
  if (d.policies) {
    const failed = new Set(d.policies.findings.map((f) => f.policy));
    lines.push('', `plan policies: ${d.policies.evaluated.length - failed.size} passed, ${failed.size} with findings`);
    for (const p of d.policies.evaluated) if (!failed.has(p.id)) lines.push(`  ✓ ${p.id} ${p.passed ?? p.title}`);
    for (const f of d.policies.findings) lines.push(`  ${f.severity === 'deny' ? '✗' : '!'} ${f.policy} [${f.stack}] ${f.message}`);
  }
  if (d.cost) lines.push('', ...costLines(d.cost).map((l) => l));
  return lines.join('\n') + '\n';
}

function costLines(c: CostEstimate): string[] {
  return [
    `cost from the plan: ${money(c.monthly_min)}–${money(c.monthly_max)}/month (${c.hours_per_month} h/month, min..max capacity; prices ${c.price_table.date})`,
    ...c.items.map((i) => `  ${i.resource}: ${money(i.monthly_min)}–${money(i.monthly_max)}`),
    ...c.assumptions.map((a) => `  assumes: ${a}`),
  ];
}

/** Markdown for the PR comment: counts by type up front, the resource list folded. */
export function renderPlanMarkdown(plan: { resources: number; by_type: Record<string, number>; details?: unknown }, opts: { listResources?: boolean } = {}): string {
  const d = plan.details as PlanDetails | undefined;
  const out: string[] = [];
  out.push(`**Infrastructure preview**: ${plan.resources} resources${d ? ` in ${d.stacks.length} stack(s): ${d.stacks.map((s) => `\`${s.stack}\``).join(', ')}` : ''}`, '');
  out.push('| Resource type | Count |', '|---|---:|');
  for (const [t, n] of Object.entries(plan.by_type)) out.push(`| \`${t}\` | ${n} |`);
  if (d?.policies?.findings.length) {
    out.push('', '**Plan policy findings**', '');
    for (const f of d.policies.findings) out.push(`- ${f.severity === 'deny' ? '❌' : '⚠️'} **${f.policy}** \`${f.stack}\`: ${f.message}`);
  }
  if (d?.cost) out.push('', `Cost from the plan: ${money(d.cost.monthly_min)}–${money(d.cost.monthly_max)}/month (${d.cost.hours_per_month} h/month).`);
  // With a plan diff the changes are listed already; the full list stays in the JSON report and the text output.
  if (d && opts.listResources !== false) {
    out.push('', '<details><summary>Resources and key inputs</summary>', '');
    for (const s of d.stacks) {
      out.push(`**${s.stack}** (${s.zones.join(', ')})`, '');
      for (const r of s.resources) out.push(`- \`${short(r.type)}\` ${r.name} — ${r.step}${Object.keys(r.key).length ? ` — ${fmtKey(r.key).replaceAll('|', '\\|')}` : ''}`);
      for (const n of s.notes) out.push(`- _note_: ${n}`);
      out.push('');
    }
    out.push('</details>');
  }
  return out.join('\n') + '\n';
}
