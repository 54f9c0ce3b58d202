/**
 * The import graph of runner/, folder by folder: which top-level folder
 * imports which (static imports, re-exports and dynamic `import()`, read by
 * TypeScript's own pre-processor), and the cycles between folders.
 *
 *   node scripts/import-graph.ts          prints the folder graph and any cycle
 *
 * test/architecture/layers.test.ts holds the folders to the layer order in
 * docs/architecture.md with it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface ImportEdge {
  /** Importing file, repository-relative. */
  from: string;
  /** Imported file, repository-relative. */
  to: string;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every relative import between files under `dir` (default runner/). */
export function importEdges(dir = 'runner'): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sources(dir)) {
    const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
    for (const imp of info.importedFiles) {
      if (!imp.fileName.startsWith('.')) continue;
      const to = normalize(join(dirname(file), imp.fileName)).split(sep).join('/');
      // Only edges inside the folder: `gitops bench` loading bench/ is not part of the runner's layers.
      if (to.startsWith(`${dir}/`)) edges.push({ from: file.split(sep).join('/'), to });
    }
  }
  return edges;
}

/** runner/<folder>/… → folder; a file directly under runner/ is its own name. */
export function folderOf(path: string, dir = 'runner'): string {
  return relative(dir, path).split(/[\\/]/)[0]!;
}

/** Folder → folders it imports (other than itself). */
export function folderGraph(edges: readonly ImportEdge[], dir = 'runner'): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const e of edges) {
    const a = folderOf(e.from, dir);
    const b = folderOf(e.to, dir);
    if (!g.has(a)) g.set(a, new Set());
    if (a !== b) g.get(a)!.add(b);
  }
  return g;
}

/** The strongly connected components with more than one folder: each is a cycle (Tarjan). */
export function folderCycles(g: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...g.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const g = folderGraph(importEdges());
  for (const [a, bs] of [...g].sort(([x], [y]) => x.localeCompare(y))) console.log(`${a} → ${[...bs].sort().join(', ') || '(nothing)'}`);
  const cycles = folderCycles(g);
  console.log(cycles.length ? `\ncycles between folders:\n${cycles.map((c) => `  ${c.join(' ⇄ ')}`).join('\n')}` : '\nno cycle between folders');
  process.exitCode = cycles.length ? 1 : 0;
}
