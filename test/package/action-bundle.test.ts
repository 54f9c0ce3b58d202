/**
 * dist/action/index.cjs is committed (an Action runs what is in the
 * repository, with no build), so it must be exactly what the build makes of
 * the sources: rebuilt here in memory with the build's own options and
 * compared. On a failure: `npm run build:action` and commit dist/action.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ROOT, actionBuildOptions } from '../../scripts/build.ts';

const BUNDLE = join(ROOT, 'dist/action/index.cjs');

describe('the committed action bundle', () => {
  it('is up to date with the sources (npm run build:action)', async () => {
    const out = await build({ ...actionBuildOptions(), write: false });
    expect(out.outputFiles.map((f) => f.path)).toEqual([BUNDLE]);
    expect(readdirSync(join(ROOT, 'dist/action'))).toEqual(['index.cjs']);
    expect(readFileSync(BUNDLE, 'utf8') === out.outputFiles[0]!.text, 'dist/action/index.cjs differs from a fresh build: run npm run build:action').toBe(true);
  }, 60_000);

  it('leaves Pulumi out, required only inside the lazily initialised modules of the apply path', () => {
    const text = readFileSync(BUNDLE, 'utf8');
    const sites = [...text.matchAll(/require\("@pulumi\/[^"]+"\)/g)].map((m) => {
      // The module a require belongs to: the nearest `var init_x = __esm({ "<path>"() {` above it.
      const before = text.slice(0, m.index);
      const wrapper = before.slice(before.lastIndexOf(' = __esm({\n'));
      const module = /^ = __esm\(\{\n\s+"([^"]+)"\(\) \{\n/.exec(wrapper)?.[1];
      // Still inside that wrapper: its closing `});` is not between it and the require.
      return module && !/\n\}\);\n/.test(wrapper) ? module : 'top level';
    });
    expect(sites.length).toBeGreaterThan(0);
    expect(new Set(sites)).toEqual(new Set(['runner/infra/program.ts', 'runner/infra/preview.ts']));
  });
});
