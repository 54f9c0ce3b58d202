/**
 * What a PR changes, for the reporters: the cost delta (Infracost's "monthly
 * cost will increase by $60.74 (+18.6%)") and the plan diff (Pulumi's
 * preview: `+` create, `~` update, `+-` replace, `-` delete). Pure.
 */
import type { CostDelta } from '../model/report.ts';
import type { InputChange, PlanDiff, ResourceChange, ResourceOp } from '../model/plan.ts';
import { money } from './format.ts';

export const OP_SYMBOL: Record<ResourceOp, string> = { create: '+', update: '~', replace: '+-', delete: '-' };

/** `+$60.74`, `-$325.95`, `±$0.00`. */
export function signedMoney(n: number): string {
  if (n === 0) return '±$0.00';
  return `${n > 0 ? '+' : '-'}$${Math.abs(n).toFixed(2)}`;
}

/** `+18.6%`, `-100.0%`, `new` (no base cost). */
export function signedPct(p: number | null): string {
  if (p === null) return 'new';
  return `${p > 0 ? '+' : p < 0 ? '-' : '±'}${Math.abs(p).toFixed(1)}%`;
}

/** `$325.95 → $386.69 (+$60.74, +18.6%)`; `$113.37 (unchanged)` when equal. */
export function deltaPair(from: number, to: number, delta: number, pct: number | null): string {
  if (delta === 0) return `${money(to)} (unchanged)`;
  return `${money(from)} → ${money(to)} (${signedMoney(delta)}, ${signedPct(pct)})`;
}

/** One sentence: the maximum first (what a budget is judged on), then the minimum, then the headroom. */
export function costDeltaText(d: CostDelta): string {
  const parts = [`${deltaPair(d.base_max, d.head_max, d.delta_max, d.pct_max)} at maximum`, `${deltaPair(d.base_min, d.head_min, d.delta_min, d.pct_min)} at minimum capacity`];
  if (d.budget !== undefined && d.headroom !== undefined) {
    parts.push(d.headroom >= 0 ? `budget ${money(d.budget)}: ${money(d.headroom)} headroom after the change` : `budget ${money(d.budget)}: ${money(-d.headroom)} OVER after the change`);
  }
  return parts.join('; ');
}

/** `~1 +0 -0` style counts for table cells. */
export function diffCounts(d: PlanDiff): string {
  const parts = (['create', 'update', 'replace', 'delete'] as const).filter((op) => d.counts[op] > 0).map((op) => `${OP_SYMBOL[op]}${d.counts[op]}`);
  return parts.length ? parts.join(' ') : 'no change';
}

/** `autoscaling:Group` from `aws:autoscaling/group:Group`. */
export const shortType = (type: string) => type.replace(/^aws:/, '').replace(/^([^/]+)\/[^:]+:/, '$1:');

/**
 * Creates of a whole new stack, or deletes of a whole removed one, read
 * better as counts by type than as 50 rows; changes inside a kept stack are
 * listed one by one.
 */
export function groupedChanges(d: PlanDiff): { listed: ResourceChange[]; bulk: Array<{ op: ResourceOp; stack: string; byType: Record<string, number> }> } {
  const whole = new Set([...d.stacks.created, ...d.stacks.deleted]);
  const listed = d.changes.filter((c) => !whole.has(c.stack));
  const bulk: Array<{ op: ResourceOp; stack: string; byType: Record<string, number> }> = [];
  for (const stack of [...whole].sort()) {
    const cs = d.changes.filter((c) => c.stack === stack);
    if (!cs.length) continue;
    const byType: Record<string, number> = {};
    for (const c of cs) byType[shortType(c.type)] = (byType[shortType(c.type)] ?? 0) + 1;
    bulk.push({ op: cs[0]!.op, stack, byType: Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b))) });
  }
  return { listed, bulk };
}

/** Terminal lines of a plan diff (every change listed; the text report is not size-limited). */
export function planDiffText(d: PlanDiff, indent = '  '): string[] {
  const out: string[] = [];
  const w = Math.max(0, ...d.changes.map((c) => shortType(c.type).length));
  for (const c of d.changes) {
    const head = `${indent}${OP_SYMBOL[c.op].padEnd(2)} ${shortType(c.type).padEnd(w)}  ${c.name}`;
    if (!c.changes.length) out.push(head + (c.note ? `  (${c.note})` : ''));
    else {
      out.push(`${head}  ${formatChange(c.changes[0]!)}`);
      for (const x of c.changes.slice(1)) out.push(`${indent}   ${' '.repeat(w)}  ${' '.repeat(c.name.length)}  ${formatChange(x)}`);
      if (c.note) out.push(`${indent}   note: ${c.note}`);
    }
  }
  for (const n of d.notes) out.push(`${indent}note: ${n}`);
  return out;
}

/** One line per changed input: `maxSize: 10 → 12`, with `(forces replacement)` where it does. */
export function formatChange(c: InputChange, width = 60): string {
  const show = (v: unknown) => {
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    return s.length > width ? `${s.slice(0, width)}…` : s;
  };
  const from = 'old' in c ? show(c.old) : '(unset)';
  const to = 'new' in c ? show(c.new) : '(unset)';
  return `${c.path}: ${from} → ${to}${c.replaces ? ' (forces replacement)' : ''}`;
}

/** `1 to update` / `50 to create` / `no changes`: Pulumi's preview wording. */
export function diffHeadline(d: PlanDiff): string {
  const parts = (['create', 'update', 'replace', 'delete'] as const).filter((op) => d.counts[op] > 0).map((op) => `${d.counts[op]} to ${op}`);
  return parts.length ? `${parts.join(', ')} (${d.counts.same} unchanged)` : `no changes (${d.counts.same} unchanged)`;
}
