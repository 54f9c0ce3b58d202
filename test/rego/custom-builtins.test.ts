/**
 * Custom builtins: the embedding API (`prepare(…, {builtins})`, like OPA's
 * `rego.Function`) and `--builtins <module>` on the CLI commands that
 * compile Rego (policy test, rego eval, check).
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinTable, prepare, withBuiltins, type BuiltinDefinition } from '../../runner/rego/api.ts';
import { runCli, spawnCli } from '../check/helpers.ts';

const SHOUT: BuiltinDefinition = { name: 'acme.shout', decl: { args: ['string'], result: 'string' }, impl: (s: string) => s.toUpperCase() + '!' };
const FAILS: BuiltinDefinition = {
  name: 'acme.fails',
  decl: { args: ['any'], result: 'any' },
  impl: () => {
    throw new Error('backend unreachable');
  },
};

describe('custom builtins through the embedding API', () => {
  const policy = 'package t\n\nloud := acme.shout(input.name)\n\nbroken := acme.fails(1)\n\ncount_set := acme.size({"a", "b"})\n';
  const SIZE: BuiltinDefinition = { name: 'acme.size', decl: { args: [{ set: 'any' }], result: 'number' }, impl: (xs: unknown[]) => xs.length };

  it('are declared, type-checked and called with plain JS values', () => {
    const p = prepare([{ file: 't.rego', text: policy }], { builtins: [SHOUT, FAILS, SIZE] });
    if (!p.ok) throw new Error(JSON.stringify(p.diagnostics));
    expect(p.value.evalRef(['t', 'loud'], { input: { name: 'ada' } })).toBe('ADA!');
    expect(p.value.evalRef(['t', 'count_set'])).toBe(2);
    // A throwing implementation is a builtin error: undefined, or an error with strict builtin errors.
    expect(p.value.evalRef(['t', 'broken'])).toBeUndefined();
    expect(() => p.value.evalRef(['t', 'broken'], { strictBuiltinErrors: true })).toThrow(/acme\.fails: backend unreachable/);
    const q = p.value.query('x := acme.shout("q")');
    expect(q).toEqual({ ok: true, rows: [{ x: 'Q!' }] });
  });

  it('the compiler checks calls against the declaration, and an undeclared name is still unknown', () => {
    const wrongType = prepare([{ file: 't.rego', text: 'package t\n\nx := acme.shout(1)\n' }], { builtins: [SHOUT] });
    expect(wrongType.ok).toBe(false);
    if (!wrongType.ok) expect(wrongType.diagnostics[0]).toMatchObject({ code: 'rego_type_error', file: 't.rego', line: 3 });
    const arity = prepare([{ file: 't.rego', text: 'package t\n\nx := acme.shout("a", "b", "c")\n' }], { builtins: [SHOUT] });
    expect(arity.ok).toBe(false);
    const without = prepare([{ file: 't.rego', text: 'package t\n\nx := acme.shout("a")\n' }]);
    expect(without.ok).toBe(false);
  });

  it('are scoped to the policy prepared with them (another policy in the process does not see them)', () => {
    const a = prepare([{ file: 'a.rego', text: 'package a\n\nx := acme.shout("a")\n' }], { builtins: [SHOUT] });
    expect(a.ok).toBe(true);
    const b = prepare([{ file: 'b.rego', text: 'package b\n\nx := acme.shout("b")\n' }]);
    expect(b.ok).toBe(false);
    // withBuiltins (what --builtins does for a whole command) puts them in force for everything inside.
    const t = builtinTable([SHOUT]);
    if (!t.ok) throw new Error(JSON.stringify(t.diagnostics));
    expect(withBuiltins(t.value, () => prepare([{ file: 'b.rego', text: 'package b\n\nx := acme.shout("b")\n' }]).ok)).toBe(true);
  });

  it('bad definitions are refused with builtin_definition_error', () => {
    const cases: unknown[] = [
      { name: 'sprintf', decl: { args: ['string'], result: 'string' }, impl: () => '' },
      { name: 'acme.x', decl: { args: ['text'], result: 'string' }, impl: () => '' },
      { name: 'acme.x', decl: { args: [] }, impl: 'nope' },
      { name: '1bad', decl: { args: [], result: 'any' }, impl: () => 1 },
      null,
    ];
    for (const c of cases) {
      const p = prepare([{ file: 't.rego', text: 'package t\n' }], { builtins: [c as BuiltinDefinition] });
      expect(p.ok).toBe(false);
      if (!p.ok) expect(p.diagnostics[0]!.code).toBe('builtin_definition_error');
    }
    expect(builtinTable([SHOUT, SHOUT]).ok).toBe(false);
  });
});

describe('--builtins <module> on the CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gitops-builtins-'));
    await mkdir(join(dir, 'pol'));
    await writeFile(join(dir, 'acme.mjs'), `export const builtins = [{ name: 'acme.shout', decl: { args: ['string'], result: 'string' }, impl: (s) => s.toUpperCase() + '!' }];\n`);
    await writeFile(join(dir, 'acme-default.ts'), `const defs: unknown[] = [{ name: 'acme.twice', decl: { args: ['number'], result: 'number' }, impl: (n: number) => n * 2 }];\nexport default defs;\n`);
    await writeFile(join(dir, 'throws.mjs'), `throw new Error('boom at import');\n`);
    await writeFile(join(dir, 'noexport.mjs'), `export const other = 1;\n`);
    await writeFile(join(dir, 'baddef.mjs'), `export const builtins = [{ name: 'acme.bad', decl: { args: ['strin'], result: 'string' }, impl: () => '' }];\n`);
    await writeFile(join(dir, 'pol', 'p.rego'), 'package p\n\nloud := acme.shout("hi")\n\ntest_loud if loud == "HI!"\n\ntest_twice if acme.twice(2) == 4\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('policy test and rego eval load the definitions (named or default export, .mjs or .ts)', async () => {
    const t = await runCli(['policy', 'test', '--builtins', 'acme.mjs', '--builtins', 'acme-default.ts', 'pol'], dir);
    expect(t.stderr).toBe('');
    expect(t.stdout).toBe('PASS: 2/2\n');
    expect(t.code).toBe(0);
    const e = await runCli(['rego', 'eval', '--builtins', 'acme.mjs', '--builtins', 'acme-default.ts', '-d', 'pol', 'data.p.loud'], dir);
    expect(e.code).toBe(0);
    expect(JSON.parse(e.stdout).result[0].expressions[0].value).toBe('HI!');
  });

  it('without the module the policies do not compile (exit 2, file:line:col)', async () => {
    const t = await runCli(['policy', 'test', 'pol'], dir);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/^pol\/p\.rego:3:\d+: rego_type_error: .*acme\.shout/m);
  });

  it('a bad module is a runner error naming it: exit 2, builtins_module_error, no stack trace', async () => {
    for (const [mod, text] of [
      ['missing.mjs', 'no such builtins module'],
      ['throws.mjs', 'boom at import'],
      ['noexport.mjs', 'must export its builtin definitions'],
    ] as const) {
      const r = await spawnCli(['policy', 'test', '--builtins', mod, 'pol'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${mod}: builtins_module_error: `);
      expect(r.stderr).toContain(text);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const bad = await runCli(['rego', 'eval', '--builtins', 'baddef.mjs', '-d', 'pol', '1'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/builtin_definition_error: .*acme\.bad: unknown type 'strin'/);
  });
});

describe('gitops check --builtins', () => {
  it('a policy calling a custom builtin is judged with the module, and is a runner error without it', { timeout: 120_000 }, async () => {
    const { tempRepo } = await import('../check/helpers.ts');
    const repo = await tempRepo();
    try {
      const file = 'policies/security/sec_auth_001.rego';
      const text = await (await import('node:fs/promises')).readFile(join(repo.dir, file), 'utf8');
      // a region label through an organisation's own builtin, denied when it is not the expected one
      await repo.write(file, `${text}\ndeny contains "custom builtin says no" if acme.region_label(input.region.deploy) != "US-WEST-2!"\n`);
      await repo.write('acme.mjs', `export const builtins = [{ name: 'acme.region_label', decl: { args: ['string'], result: 'string' }, impl: (s) => s.toUpperCase() + '!' }];\n`);
      await repo.commitAll('policy with a custom builtin');
      const ok = await runCli(['check', '--all', '--builtins', 'acme.mjs'], repo.dir);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      const missing = await runCli(['check', '--all'], repo.dir);
      expect(missing.code).toBe(2);
      expect(missing.stderr + missing.stdout).toMatch(/sec_auth_001\.rego:\d+:\d+: rego_type_error: .*acme\.region_label/);
      // another implementation (another file: an ES module is loaded once per process) changes the verdict
      await repo.write('acme-plain.mjs', `export const builtins = [{ name: 'acme.region_label', decl: { args: ['string'], result: 'string' }, impl: (s) => s }];\n`);
      const denied = await runCli(['check', '--all', '--builtins', 'acme-plain.mjs'], repo.dir);
      expect(denied.code).toBe(1);
      expect(denied.stdout).toContain('custom builtin says no');
    } finally {
      await repo.cleanup();
    }
  });
});
