/**
 * dist/action/ is committed (an Action runs what is in the repository, with no
 * build), so it must be exactly what the build makes of the sources: rebuilt
 * here in memory with the build's own options and compared file by file. On a
 * failure: `npm run build:action` and commit dist/action.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ROOT, actionBuildOptions } from '../../scripts/build.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('the committed action bundle', () => {
  it('is up to date with the sources (npm run build:action)', async () => {
    const out = await build({ ...actionBuildOptions(), write: false });
    const dist = join(ROOT, 'dist/action');
    const built = new Map(out.outputFiles.map((f) => [relative(dist, f.path), f.text]));
    expect(filesUnder(dist)).toEqual([...built.keys()].sort());
    for (const [file, text] of built) expect(readFileSync(join(dist, file), 'utf8') === text, `dist/action/${file} differs from a fresh build`).toBe(true);
  }, 60_000);

  it('leaves Pulumi out, and only the apply path’s chunks import it', async () => {
    const dist = join(ROOT, 'dist/action');
    const importers = filesUnder(dist).filter((f) => /from "@pulumi\//.test(readFileSync(join(dist, f), 'utf8')));
    expect(importers.length).toBeGreaterThan(0);
    expect(importers).not.toContain('index.js');
    // The chunks the check command reaches statically never import Pulumi.
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(join(dist, file), 'utf8');
      for (const m of text.matchAll(/^import (?:[^;]*? from )?"\.\/([^"]+)";/gms)) visit(join(file, '..', m[1]!));
    };
    visit('index.js');
    // The dispatch registry (runner/cli/commands.ts) imports each command lazily; follow the check's chunk.
    const registry = [...seen].map((f) => readFileSync(join(dist, f), 'utf8')).find((t) => t.includes('// runner/cli/commands.ts'));
    const checkChunk = registry && /^\s+check: \(\) => import\("\.\/(check-[A-Z0-9]+\.js)"\)/m.exec(registry);
    expect(checkChunk, 'the dispatch registry imports the check command lazily').toBeTruthy();
    visit(`chunks/${checkChunk![1]}`);
    expect(seen.size).toBeGreaterThan(3);
    for (const f of seen) expect(importers, f).not.toContain(f);
  });
});
