/**
 * rego.metadata.chain() / rego.metadata.rule(): answered at compile time from
 * the METADATA blocks, with OPA's shapes (cases after OPA's
 * TestCompilerRewriteRegoMetadataCalls and the builtin's documentation).
 */
import { describe, expect, it } from 'vitest';
import { prepare, type ModuleSource } from '../../runner/rego/api.ts';

function run(modules: ModuleSource[] | string, path: string[], input?: unknown): unknown {
  const mods = typeof modules === 'string' ? [{ file: 'test.rego', text: modules }] : modules;
  const r = prepare(mods);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.code}: ${d.message}`).join('\n'));
  return r.value.evalRef(path, input === undefined ? {} : { input });
}

describe('rego.metadata.chain / rule', () => {
  it('no metadata: the chain is the rule alone, rule() is {}', () => {
    const text = 'package test\np if {\n  rego.metadata.chain()[0].path == ["test", "p"]\n  rego.metadata.rule() == {}\n}\nc := rego.metadata.chain()\n';
    expect(run(text, ['test'])).toEqual({ p: true, c: [{ path: ['test', 'c'] }] });
  });

  it('each definition of a rule sees its own block; the package block follows', () => {
    const text = `# METADATA
# description: A test package
package test

# METADATA
# title: My P Rule
p contains rego.metadata.chain() if true

# METADATA
# title: My Other P Rule
p contains rego.metadata.rule() if true
`;
    const p = run(text, ['test', 'p']) as unknown[];
    expect(p).toContainEqual([
      { annotations: { scope: 'rule', title: 'My P Rule' }, path: ['test', 'p'] },
      { annotations: { description: 'A test package', scope: 'package' }, path: ['test'] },
    ]);
    expect(p).toContainEqual({ scope: 'rule', title: 'My Other P Rule' });
    expect(p).toHaveLength(2);
  });

  it('chain order: rule blocks (closest first), document, package, subpackages from the nearest package up', () => {
    const modules: ModuleSource[] = [
      { file: 'root.rego', text: '# METADATA\n# scope: subpackages\n# title: root\npackage a\n' },
      { file: 'mid.rego', text: '# METADATA\n# scope: subpackages\n# title: mid\npackage a.b\n' },
      {
        file: 'leaf.rego',
        text: `# METADATA
# title: leaf pkg
package a.b.c

# METADATA
# scope: document
# description: all of q

# METADATA
# title: far

# METADATA
# title: near
# entrypoint: false
q := rego.metadata.chain()
`,
      },
    ];
    expect(run(modules, ['a', 'b', 'c', 'q'])).toEqual([
      { path: ['a', 'b', 'c', 'q'], annotations: { scope: 'rule', title: 'near' } },
      { path: ['a', 'b', 'c', 'q'], annotations: { scope: 'rule', title: 'far' } },
      { path: ['a', 'b', 'c', 'q'], annotations: { scope: 'document', description: 'all of q' } },
      { path: ['a', 'b', 'c'], annotations: { scope: 'package', title: 'leaf pkg' } },
      { path: ['a', 'b'], annotations: { scope: 'subpackages', title: 'mid' } },
      { path: ['a'], annotations: { scope: 'subpackages', title: 'root' } },
    ]);
  });

  it('a rule without its own block still gets the document block; rule() stays {}', () => {
    const text = '# METADATA\n# scope: package\n# title: P\npackage t\n\n# METADATA\n# scope: document\n# title: D\nallow := rego.metadata.rule() if input.x\n\nallow := rego.metadata.chain() if not input.x\n';
    expect(run(text, ['t', 'allow'], { x: true })).toEqual({});
    expect(run(text, ['t', 'allow'], { x: false })).toEqual([
      { path: ['t', 'allow'] },
      { path: ['t', 'allow'], annotations: { scope: 'document', title: 'D' } },
      { path: ['t'], annotations: { scope: 'package', title: 'P' } },
    ]);
  });

  it('all annotation fields in OPA form (authors and related_resources normalised, schemas as paths)', () => {
    const text = `package t

# METADATA
# title: T
# description: D
# organizations:
# - Acme
# related_resources:
# - https://example.com/a
# - ref: https://example.com/b
#   description: B
# authors:
# - Jane Doe <jane@example.com>
# - name: John
# schemas:
# - input.x: schema["s"]
# - data.y: {type: string}
# custom:
#   id: X-1
#   n: 3
r := rego.metadata.rule()
`;
    expect(run(text, ['t', 'r'])).toEqual({
      scope: 'rule',
      title: 'T',
      description: 'D',
      organizations: ['Acme'],
      related_resources: [{ ref: 'https://example.com/a' }, { ref: 'https://example.com/b', description: 'B' }],
      authors: [{ name: 'Jane Doe', email: 'jane@example.com' }, { name: 'John' }],
      schemas: [
        { path: ['input', 'x'], schema: ['schema', 's'] },
        { path: ['data', 'y'], definition: { type: 'string' } },
      ],
      custom: { id: 'X-1', n: 3 },
    });
  });

  it('works inside comprehensions, function bodies, call arguments and every', () => {
    const text = `package t

# METADATA
# title: F
f(x) := [x, rego.metadata.rule().title]

# METADATA
# title: G
g := {t | t := rego.metadata.rule().title}

h := count(rego.metadata.chain())

k if every e in rego.metadata.chain() { e.path[0] == "t" }
`;
    expect(run(text, ['t'])).toEqual({ g: ['G'], h: 1, k: true });
    const r = prepare([{ file: 'test.rego', text: text + 'v := f(1)\n' }]);
    expect(r.ok && r.value.evalRef(['t', 'v'])).toEqual([1, 'F']);
  });

  it('in an else branch (a rule of its own to OPA, without annotations)', () => {
    const text = 'package t\n# METADATA\n# title: F\nf(x) := rego.metadata.rule() if x > 1\nelse := rego.metadata.chain()\n';
    const r = prepare([{ file: 'test.rego', text: text + 'a := f(2)\nb := f(0)\n' }]);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.value.evalRef(['t', 'a'])).toEqual({ scope: 'rule', title: 'F' });
    expect(r.value.evalRef(['t', 'b'])).toEqual([{ path: ['t', 'f'] }]);
  });

  it('a package or document block declared twice is an error naming the first (OPA: annotation redeclared)', () => {
    const r = prepare([
      { file: 'a.rego', text: '# METADATA\n# title: A\npackage p\n' },
      { file: 'b.rego', text: '# METADATA\n# title: B\npackage p\n\n# METADATA\n# scope: document\nx := 1\n\n# METADATA\n# scope: document\nx := 2 if false\n' },
    ]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.code}: ${d.message}`)).toEqual([
        'b.rego:1:1: rego_type_error: package annotation redeclared: a.rego:1',
        'b.rego:9:1: rego_type_error: document annotation redeclared: b.rego:5',
      ]);
    }
  });

  it('arguments are a type error at the call', () => {
    const r = prepare([{ file: 'test.rego', text: 'package t\np := rego.metadata.chain(1)\n' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.code}: ${d.message}`)).toEqual(['test.rego:2:6: rego_type_error: rego.metadata.chain: too many arguments']);
  });
});
