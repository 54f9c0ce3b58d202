/**
 * The Mermaid blocks: every diagram the runner emits is checked against a
 * strict grammar of the subset it uses (test/support/mermaid-grammar.ts; no
 * npm parser reads flowchart or xychart-beta without a DOM), including labels
 * that carry hostile user text.
 */
import { describe, expect, it } from 'vitest';
import { metricChart, mermaidBlock, mermaidText, stackFlowchart } from '../../runner/report/mermaid.ts';
import type { StackGraph } from '../../runner/model/plan.ts';
import { flowchartProblems, markdownMermaidProblems, xychartProblems } from '../support/mermaid-grammar.ts';

const graph: StackGraph = {
  stack: 'WEB-us-west-2',
  nodes: [
    { id: 'n0', kind: 'load_balancer', label: 'Load balancer web-alb (internet-facing)', op: 'same' },
    { id: 'n1', kind: 'listener', label: 'HTTPS :443', op: 'same' },
    { id: 'n2', kind: 'target_group', label: 'Target group HTTP :80 health /health', op: 'replace' },
    { id: 'n3', kind: 'autoscaling_group', label: 'Autoscaling group 3..12 instances', op: 'update' },
    { id: 'n4', kind: 'alarm', label: 'Alarm latency_p95 > 200ms"]; click n0 "javascript:alert(1)"\n```', op: 'create' },
    { id: 'n5', kind: 'scaling_policy', label: 'Scale-out policy +1 instance', op: 'same' },
    { id: 'n6', kind: 'runbook', label: 'Recovery runbook (SSM restart) {x} | <b>&amp;</b> #1; `rm`', op: 'delete' },
  ],
  edges: [
    { from: 'n0', to: 'n1' },
    { from: 'n1', to: 'n2', label: 'forward' },
    { from: 'n2', to: 'n3', label: 'targets' },
    { from: 'n4', to: 'n5', label: 'alarm action|"x' },
    { from: 'n5', to: 'n3', label: 'scales' },
    { from: 'n6', to: 'n3' },
  ],
};

describe('stack flowchart', () => {
  it('is valid flowchart syntax, with changed nodes classed by operation', () => {
    const src = stackFlowchart(graph)!;
    expect(flowchartProblems(src)).toEqual([]);
    expect(src).toContain('  class n2 replace');
    expect(src).toContain('  class n3 update');
    expect(src).toContain('  class n4 create');
    expect(src).toContain('  class n6 delete');
    expect(src).toContain('n3[["Autoscaling group 3..12 instances (update)"]]');
    expect(src).not.toMatch(/class n[015] /);
  });

  it('turns hostile label text into entity codes: no quote, bracket, pipe, backtick or HTML survives', () => {
    const src = stackFlowchart(graph)!;
    expect(src).not.toContain('javascript:alert(1)"');
    expect(src).not.toContain('```');
    expect(src).not.toContain('<b>');
    expect(mermaidText('a "b" <c> `d` [e] {f} |g| #h;')).toBe('a #34;b#34; #60;c#62; #96;d#96; #91;e#93; #123;f#125; #124;g#124; #35;h#59;');
    expect(mermaidBlock(src).split('\n').filter((l) => l.startsWith('```'))).toEqual(['```mermaid', '```']);
  });

  it('is left out past the node limit and for an empty graph', () => {
    expect(stackFlowchart(graph, 6)).toBeUndefined();
    expect(stackFlowchart({ stack: 's', nodes: [], edges: [] })).toBeUndefined();
  });

  it('the grammar rejects what Mermaid would not draw (negative controls)', () => {
    expect(flowchartProblems('flowchart LR\n  n0["a"b"]')).not.toEqual([]);
    expect(flowchartProblems('flowchart LR\n  n0["a"]\n  n0 --> n9')).toEqual(['line 3: edge to undeclared node n9']);
    expect(flowchartProblems('flowchart LR\n  n0["a"]\n  class n0 nope')).toEqual(['line 3: class nope has no classDef']);
    expect(flowchartProblems('graph\n  n0["<b>"]')).toHaveLength(2);
  });
});

describe('metric chart (xychart-beta)', () => {
  it('draws the metric and its target as two lines over the dates, the y range spanning both', () => {
    const src = metricChart('Availability (%), target 99.9', ['11-30', '12-01', '12-02'], [99.95, 99.82, 100], 99.9, 'percent');
    expect(xychartProblems(src)).toEqual([]);
    expect(src).toContain('  line [99.95, 99.82, 100]');
    expect(src).toContain('  line [99.9, 99.9, 99.9]');
    expect(src).toMatch(/y-axis "percent" 99\.802 --> 100\.018/);
  });

  it('a flat series still gets a non-empty range, and mismatched input is refused', () => {
    expect(xychartProblems(metricChart('Errors', ['a', 'b'], [0, 0], undefined, '%'))).toEqual([]);
    expect(() => metricChart('x', ['a'], [1, 2], 1, 'y')).toThrow(/1 labels for 2 values/);
    expect(xychartProblems('xychart-beta\n  x-axis ["a", "b"]\n  y-axis "y" 0 --> 1\n  line [1]')).toEqual(['line 4: 1 values for 2 x categories']);
  });

  it('every block of a Markdown text is found and checked', () => {
    const md = `x\n\n${mermaidBlock(stackFlowchart(graph)!)}\n\n${mermaidBlock(metricChart('t', ['a'], [1], 2, 'y'))}\n`;
    expect(markdownMermaidProblems(md)).toEqual([]);
    expect(markdownMermaidProblems('```mermaid\npie\n```')).toEqual(['block 1: unknown diagram type pie']);
  });
});
