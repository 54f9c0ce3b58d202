/**
 * A strict grammar for the subset of Mermaid the runner emits (flowchart and
 * xychart-beta; runner/report/mermaid.ts). No npm parser handles these two
 * diagram types offline without a DOM (`@mermaid-js/parser` 2.0 covers info,
 * packet, pie, architecture, gitGraph, radar, treemap; flowchart and xychart
 * still live in mermaid's jison grammars, which need the browser bundle), so
 * the tests check every emitted block against this instead. It is stricter
 * than Mermaid: anything it accepts, Mermaid accepts.
 */

/** Quoted label text: no quote, no raw HTML or markdown-fence characters; entity codes `#NN;` only. */
const TEXT = String.raw`(?:[^"<>&#\x60\[\]{}|;\\]|#\d{1,5};)*`;
const ID = String.raw`[A-Za-z][A-Za-z0-9_]*`;
const SHAPES: Array<[string, string]> = [['[', ']'], ['(', ')'], ['[[', ']]'], ['{{', '}}'], ['([', '])'], ['[/', '/]']];
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const NODE = new RegExp(String.raw`^  (${ID})(?:${SHAPES.map(([o, c]) => `${esc(o)}"${TEXT}"${esc(c)}`).join('|')})$`);
const EDGE = new RegExp(String.raw`^  (${ID}) -->(?:\|"${TEXT}"\|)? (${ID})$`);
const CLASSDEF = new RegExp(String.raw`^  classDef (${ID}) [a-z-]+:[#A-Za-z0-9. ]+(?:,[a-z-]+:[#A-Za-z0-9. ]+)*$`);
const CLASS = new RegExp(String.raw`^  class (${ID}(?:,${ID})*) (${ID})$`);
const NUM = String.raw`-?\d+(?:\.\d+)?`;

/** Problems with a flowchart source (empty when it is valid). */
export function flowchartProblems(src: string): string[] {
  const lines = src.split('\n');
  const problems: string[] = [];
  if (lines[0] !== 'flowchart LR' && lines[0] !== 'flowchart TD') problems.push(`line 1: expected "flowchart LR", got ${JSON.stringify(lines[0])}`);
  const nodes = new Set<string>();
  const classes = new Set<string>();
  lines.slice(1).forEach((line, n) => {
    const at = `line ${n + 2}`;
    let m: RegExpExecArray | null;
    if ((m = NODE.exec(line))) {
      if (nodes.has(m[1]!)) problems.push(`${at}: node ${m[1]} declared twice`);
      nodes.add(m[1]!);
    } else if ((m = EDGE.exec(line))) {
      for (const id of [m[1]!, m[2]!]) if (!nodes.has(id)) problems.push(`${at}: edge to undeclared node ${id}`);
    } else if ((m = CLASSDEF.exec(line))) classes.add(m[1]!);
    else if ((m = CLASS.exec(line))) {
      if (!classes.has(m[2]!)) problems.push(`${at}: class ${m[2]} has no classDef`);
      for (const id of m[1]!.split(',')) if (!nodes.has(id)) problems.push(`${at}: class on undeclared node ${id}`);
    } else problems.push(`${at}: not in the grammar: ${JSON.stringify(line)}`);
  });
  return problems;
}

/** Problems with an xychart-beta source (empty when it is valid). */
export function xychartProblems(src: string): string[] {
  const lines = src.split('\n');
  const problems: string[] = [];
  if (lines[0] !== 'xychart-beta') problems.push(`line 1: expected "xychart-beta", got ${JSON.stringify(lines[0])}`);
  let categories = -1;
  let lines_ = 0;
  let range: [number, number] | undefined;
  lines.slice(1).forEach((line, n) => {
    const at = `line ${n + 2}`;
    let m: RegExpExecArray | null;
    if (new RegExp(`^  title "${TEXT}"$`).test(line)) return;
    if ((m = new RegExp(`^  x-axis \\[("${TEXT}"(?:, "${TEXT}")*)\\]$`).exec(line))) {
      categories = m[1]!.split('", "').length;
      return;
    }
    if ((m = new RegExp(`^  y-axis "${TEXT}" (${NUM}) --> (${NUM})$`).exec(line))) {
      range = [Number(m[1]), Number(m[2])];
      if (!(range[0] < range[1])) problems.push(`${at}: empty y range ${range[0]} --> ${range[1]}`);
      return;
    }
    if ((m = new RegExp(`^  line \\[(${NUM}(?:, ${NUM})*)\\]$`).exec(line))) {
      lines_++;
      const values = m[1]!.split(', ').map(Number);
      if (categories >= 0 && values.length !== categories) problems.push(`${at}: ${values.length} values for ${categories} x categories`);
      if (range && values.some((v) => v < range![0] || v > range![1])) problems.push(`${at}: a value outside the y range`);
      return;
    }
    problems.push(`${at}: not in the grammar: ${JSON.stringify(line)}`);
  });
  if (categories < 0) problems.push('no x-axis');
  if (lines_ === 0) problems.push('no line');
  return problems;
}

/** Every ```mermaid block of a Markdown text, with its diagram type. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1]!);
}

/** Problems of every Mermaid block in a Markdown text. */
export function markdownMermaidProblems(markdown: string): string[] {
  return mermaidBlocks(markdown).flatMap((b, i) => {
    const type = b.split('\n')[0]!;
    const p = type.startsWith('flowchart') ? flowchartProblems(b) : type === 'xychart-beta' ? xychartProblems(b) : [`unknown diagram type ${type}`];
    return p.map((x) => `block ${i + 1}: ${x}`);
  });
}
