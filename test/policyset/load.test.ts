/**
 * The loader every policy family goes through (runner/policyset/load.ts):
 * which files, which Rego syntax (per .manifest), compile diagnostics with
 * file:line, and that the tree read is the one given (the BASE in a check).
 */
import { describe, expect, it } from 'vitest';
import { diag } from '../../runner/core/diagnostics.ts';
import { openRepo, resolveRef } from '../../runner/git/repo.ts';
import { commitTree, type Tree } from '../../runner/git/tree.ts';
import { compilePolicySet, readPolicyFiles, type PolicyFamily } from '../../runner/policyset/load.ts';
import { tempRepo } from '../check/helpers.ts';

function memTree(files: Map<string, string>): Tree {
  const enc = (p: string) => new TextEncoder().encode(files.get(p)!);
  return {
    label: 'mem',
    list: async (dirs) => [...files.keys()].filter((f) => dirs.some((d) => f.startsWith(d + '/'))),
    read: async (paths) => new Map(paths.filter((p) => files.has(p)).map((p) => [p, enc(p)])),
    readFiles: async (paths) => new Map(paths.filter((p) => files.has(p)).map((p) => [p, { kind: 'file' as const, bytes: enc(p) }])),
  };
}

const FAMILY: PolicyFamily = { root: ['gitops', 'fam'], none: (source) => diag('fam_none', `no policies in ${source}`) };
const META = (id: string) => `# METADATA\n# title: ${id}\n# custom:\n#   id: ${id}\n`;

describe('readPolicyFiles', () => {
  it('reads the .rego files of the folder, sorted, without *_test.rego, data files or what include leaves out', async () => {
    const tree = memTree(new Map([
      ['policies/fam/b.rego', 'package gitops.fam.b\n'],
      ['policies/fam/a.rego', 'package gitops.fam.a\n'],
      ['policies/fam/a_test.rego', 'package gitops.fam.a_test\n'],
      ['policies/fam/data.json', '{"x": 1}'],
      ['policies/fam/data.yaml', 'x: 1\n'],
      ['policies/fam/skip/c.rego', 'package gitops.fam.c\n'],
      ['policies/other.rego', 'package gitops.other\n'],
    ]));
    expect((await readPolicyFiles(tree, { dir: 'policies/fam' })).map((m) => m.file)).toEqual(['policies/fam/a.rego', 'policies/fam/b.rego', 'policies/fam/skip/c.rego']);
    const some = await readPolicyFiles(tree, { dir: 'policies/fam', include: (f) => !f.startsWith('policies/fam/skip/') });
    expect(some.map((m) => [m.file, m.text, m.regoVersion])).toEqual([
      ['policies/fam/a.rego', 'package gitops.fam.a\n', 1],
      ['policies/fam/b.rego', 'package gitops.fam.b\n', 1],
    ]);
  });

  it('gives each file the Rego version its .manifest says (v0/v1), the v0 option otherwise; a bad manifest is exit 2 naming it', async () => {
    const files = new Map([
      ['policies/fam/.manifest', '{"rego_version": 0, "file_rego_versions": {"new/*.rego": 1}}'],
      ['policies/fam/old/a.rego', 'package gitops.fam.a\n'],
      ['policies/fam/new/b.rego', 'package gitops.fam.b\n'],
      ['policies/plain/c.rego', 'package gitops.plain.c\n'],
    ]);
    const tree = memTree(files);
    expect((await readPolicyFiles(tree, { dir: 'policies/fam' })).map((m) => [m.file, m.regoVersion])).toEqual([
      ['policies/fam/new/b.rego', 1],
      ['policies/fam/old/a.rego', 0],
    ]);
    expect((await readPolicyFiles(tree, { dir: 'policies/plain' })).map((m) => m.regoVersion)).toEqual([1]);
    expect((await readPolicyFiles(tree, { dir: 'policies/plain' }, { v0: true })).map((m) => m.regoVersion)).toEqual([0]);
    files.set('policies/fam/.manifest', '{"rego_version": 2}');
    await expect(readPolicyFiles(tree, { dir: 'policies/fam' })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/policies\/fam\/\.manifest.*rego_version must be 0 or 1/) });
  });

  it('reads the tree it is given: a base commit, not the PR head that changes the policy', async () => {
    const r = await tempRepo({ sample: false });
    try {
      await r.write('policies/fam/a.rego', 'package gitops.fam.a\n# base\n');
      await r.commitAll('base');
      await r.git('checkout', '-q', '-b', 'pr');
      await r.write('policies/fam/a.rego', 'package gitops.fam.a\n# weakened by the PR\n');
      await r.write('policies/fam/b.rego', 'package gitops.fam.b\n');
      await r.commitAll('pr');
      const repo = (await openRepo(r.dir))!;
      const base = commitTree(repo, await resolveRef(repo, 'main'), 'main');
      expect((await readPolicyFiles(base, { dir: 'policies/fam' })).map((m) => [m.file, m.text])).toEqual([['policies/fam/a.rego', 'package gitops.fam.a\n# base\n']]);
    } finally {
      await r.cleanup();
    }
  });
});

describe('compilePolicySet', () => {
  it('compiles v0 and v1 modules by their version; the policies are the packages under the family root, with their METADATA', () => {
    const r = compilePolicySet(
      [
        { file: 'p/a.rego', text: `${META('FAM-A-001')}package gitops.fam.a\ndeny[m] { m := "a" }\n`, regoVersion: 0 },
        { file: 'p/b.rego', text: `${META('FAM-B-001')}package gitops.fam.b\ndeny contains "b" if true\n`, regoVersion: 1 },
      ],
      'mem',
      FAMILY,
    );
    expect(r.ok && r.value.policies.map((p) => [p.id, p.pkg, p.file, p.severity])).toEqual([
      ['FAM-A-001', ['a'], 'p/a.rego', 'deny'],
      ['FAM-B-001', ['b'], 'p/b.rego', 'deny'],
    ]);
    expect(r.ok && r.value.prepared.evalRef(['gitops', 'fam'], {})).toEqual({ a: { deny: ['a'] }, b: { deny: ['b'] } });
  });

  it('a parse error is a diagnostic at file:line; v0 text read as v1 is one', () => {
    const r = compilePolicySet([{ file: 'p/a.rego', text: `package gitops.fam.a\n\ndeny[m] { m := "a" }\n` }], 'mem', FAMILY);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]).toMatchObject({ file: 'p/a.rego', line: 3 });
  });

  it('no modules, missing or bad METADATA, duplicate ids: the family’s codes with file:line', () => {
    const none = compilePolicySet([], 'mem', FAMILY);
    expect(!none.ok && none.diagnostics.map((d) => [d.code, d.message])).toEqual([['fam_none', 'no policies in mem']]);
    const bad = compilePolicySet(
      [
        { file: 'p/a.rego', text: 'package gitops.fam.a\ndeny contains "a" if true\n' },
        { file: 'p/b.rego', text: `${META('bad')}package gitops.fam.b\n` },
        { file: 'p/c.rego', text: `${META('FAM-C-001')}package gitops.fam.c\n` },
        { file: 'p/d.rego', text: `${META('FAM-C-001')}package gitops.fam.d\n` },
      ],
      'mem',
      FAMILY,
    );
    expect(!bad.ok && bad.diagnostics.map((d) => [d.code, d.file, d.line])).toEqual([
      ['policy_bad_metadata', 'p/b.rego', 1],
      ['policy_duplicate_id', 'p/d.rego', 1],
      ['policy_missing_metadata', 'p/a.rego', 2],
    ]);
  });
});
