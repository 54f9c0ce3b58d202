// One way to run git: nothing outside runner/git/ spawns git itself or imports a git wrapper library.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const RUNNER = join(ROOT, 'runner');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('git boundary', () => {
  const outside = tsFiles(RUNNER).filter((f) => !relative(RUNNER, f).startsWith('git/'));

  it('finds the runner sources', () => {
    expect(outside.length).toBeGreaterThan(20);
  });

  it('no module outside runner/git/ imports simple-git', () => {
    const offenders = outside.filter((f) => /from\s+['"]simple-git['"]|require\(\s*['"]simple-git['"]\s*\)/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('no module outside runner/git/ runs git through node:child_process', () => {
    const offenders: string[] = [];
    for (const f of outside) {
      const text = readFileSync(f, 'utf8');
      if (!/['"](node:)?child_process['"]/.test(text)) continue;
      // opa (rego/wasm/adapter.ts) and npm (action/pulumi.ts) may be spawned here; git may not.
      if (/\b(spawn|spawnSync|exec|execSync|execFile|execFileSync|fork)\s*\(\s*['"`]git['"`]/.test(text)) offenders.push(relative(ROOT, f));
    }
    expect(offenders).toEqual([]);
  });
});
