/**
 * Mermaid sources for GitHub-rendered Markdown (GitHub renders ```mermaid
 * fences): the stack flowchart of the PR comment and the metric charts
 * (`xychart-beta`) of the weekly report and recommendation PRs. Pure string
 * builders over a deliberately small subset of the grammar, so
 * test/report/mermaid.test.ts can check every block strictly.
 *
 * Text inside a label can come from users (a trigger's condition, an intent
 * id): it is quoted, and every character that could end the quote, open
 * markup, or close the Markdown fence is written as a Mermaid entity code
 * (`#34;` for a double quote), which Mermaid decodes when drawing.
 */
import type { StackGraph } from '../model/plan.ts';

/** More nodes than this and the picture stops helping: the comment says so instead of drawing it. */
export const MAX_FLOWCHART_NODES = 30;

/** A quoted Mermaid label: entity codes for `"`, `<`, `>`, `&`, `#`, backticks and `;`-sensitive chars; one line. */
export function mermaidText(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/[#"<>&`;\\[\]{}|]/g, (c) => `#${c.charCodeAt(0)};`);
}

const OP_CLASS = { create: 'create', update: 'update', replace: 'replace', delete: 'delete' } as const;
const CLASS_DEFS = [
  'classDef create fill:#dafbe1,stroke:#1a7f37,color:#1a7f37',
  'classDef update fill:#fff8c5,stroke:#9a6700,color:#6f4e00',
  'classDef replace fill:#ffebe9,stroke:#cf222e,color:#a40e26,stroke-width:2px',
  'classDef delete fill:#f6f8fa,stroke:#cf222e,color:#a40e26,stroke-dasharray:4 3',
];
const SHAPE: Record<StackGraph['nodes'][number]['kind'], [string, string]> = {
  load_balancer: ['[', ']'],
  listener: ['(', ')'],
  target_group: ['[', ']'],
  autoscaling_group: ['[[', ']]'],
  alarm: ['{{', '}}'],
  scaling_policy: ['([', '])'],
  runbook: ['[/', '/]'],
};

/**
 * A `flowchart LR` of one stack, changed nodes classed create / update /
 * replace / delete (a legend says which colour is which). Undefined when the
 * graph is empty or larger than `maxNodes`.
 */
export function stackFlowchart(g: StackGraph, maxNodes = MAX_FLOWCHART_NODES): string | undefined {
  if (g.nodes.length === 0 || g.nodes.length > maxNodes) return undefined;
  const lines = ['flowchart LR'];
  for (const n of g.nodes) {
    const [open, close] = SHAPE[n.kind];
    const mark = n.op === 'same' ? '' : ` (${n.op})`;
    lines.push(`  ${n.id}${open}"${mermaidText(n.label + mark)}"${close}`);
  }
  for (const e of g.edges) lines.push(`  ${e.from} -->${e.label ? `|"${mermaidText(e.label)}"|` : ''} ${e.to}`);
  const byOp = new Map<string, string[]>();
  for (const n of g.nodes) if (n.op !== 'same') byOp.set(OP_CLASS[n.op], [...(byOp.get(OP_CLASS[n.op]) ?? []), n.id]);
  if (byOp.size) {
    lines.push(...CLASS_DEFS.map((c) => `  ${c}`));
    for (const [cls, ids] of byOp) lines.push(`  class ${ids.join(',')} ${cls}`);
  }
  return lines.join('\n');
}

/**
 * An `xychart-beta` line chart: the metric over the period and its target as
 * a flat second line. `x` are the category labels (dates), `values` the
 * metric, one per label. The y range spans both lines with a small margin.
 */
export function metricChart(title: string, x: readonly string[], values: readonly number[], target: number | undefined, yLabel: string): string {
  if (x.length !== values.length || x.length === 0) throw new Error(`metricChart: ${x.length} labels for ${values.length} values`);
  const all = target === undefined ? [...values] : [...values, target];
  const [lo, hi] = [Math.min(...all), Math.max(...all)];
  const pad = hi === lo ? Math.max(Math.abs(hi) * 0.01, 0.01) : (hi - lo) * 0.1;
  const num = (n: number) => String(Math.round(n * 10000) / 10000);
  const lines = [
    'xychart-beta',
    `  title "${mermaidText(title)}"`,
    `  x-axis [${x.map((l) => `"${mermaidText(l)}"`).join(', ')}]`,
    `  y-axis "${mermaidText(yLabel)}" ${num(Math.max(0, lo - pad))} --> ${num(hi + pad)}`,
    `  line [${values.map(num).join(', ')}]`,
  ];
  if (target !== undefined) lines.push(`  line [${values.map(() => num(target)).join(', ')}]`);
  return lines.join('\n');
}

/** A fenced block for Markdown. */
export function mermaidBlock(source: string): string {
  return '```mermaid\n' + source + '\n```';
}
