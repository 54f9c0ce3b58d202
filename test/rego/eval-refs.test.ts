/**
 * PreparedPolicy.evalRefs: several documents in one evaluation context. Each
 * element must be exactly what evalRef returns for that path alone.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvalError, prepare, type ModuleSource, type PreparedPolicy } from '../../runner/rego/api.ts';
import { REPO_ROOT } from '../check/helpers.ts';

function policy(text: string, data?: unknown): PreparedPolicy {
  const r = prepare([{ file: 'p.rego', text }], data === undefined ? {} : { data });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.value;
}

const SHAPES = `package t
import rego.v1

names contains n if some n in input.names
by_name[n] := count(n) if some n in input.names
first := input.names[0]
nothing := 1 if input.absent
default flag := false
flag if count(input.names) > 2
size(x) := count(x)
uses_size := size(input.names)
a.b[k] contains v if { some k, v in input.pairs }
a.c := 3
boom := x if { x := 1 / 0; input.never }
`;

const PATHS = [
  ['t', 'names'], // partial set
  ['t', 'by_name'], // partial object
  ['t', 'first'], // complete rule
  ['t', 'nothing'], // undefined complete rule
  ['t', 'flag'], // default
  ['t', 'size'], // a function: never a document
  ['t', 'uses_size'],
  ['t', 'a'], // ref heads merged with a complete rule
  ['t', 'a', 'b', 'k1'],
  ['t', 'names', 'x'], // into a set: membership
  ['t', 'missing'],
  ['nope', 'deeper'],
  ['t'], // the package: functions left out
  ['base', 'limits'], // base data
  ['t', 'extra'], // base data beside the package's rules
  ['t', 'a', 'nope'], // below a node with rules
  ['t', 'by_name', 'yy'],
  [],
];

describe('evalRefs', () => {
  const p = policy(SHAPES, { base: { limits: { max: 3 } }, t: { extra: 5 } });
  const inputs = [
    { names: ['x', 'yy', 'zzz'], pairs: { k1: 'v1', k2: 'v2' } },
    { names: [], pairs: {} },
    {},
  ];

  it('each value equals evalRef of that path (sets, objects, complete, undefined, functions, base data)', () => {
    for (const input of inputs) {
      const got = p.evalRefs(PATHS, { input });
      expect(got).toHaveLength(PATHS.length);
      PATHS.forEach((path, i) => expect(got[i], path.join('.')).toEqual(p.evalRef(path, { input })));
    }
    const got = p.evalRefs(PATHS, { input: inputs[0] });
    expect(got.slice(0, 6)).toEqual([['x', 'yy', 'zzz'], { x: 1, yy: 2, zzz: 3 }, 'x', undefined, true, undefined]);
    expect((got[12] as Record<string, unknown>).size).toBeUndefined();
    expect(got[8]).toEqual(['v1']);
    expect(got.slice(13, 18)).toEqual([{ max: 3 }, 5, undefined, 2, p.evalRef([], { input: inputs[0] })]);
  });

  it('no paths → no values; the same path twice → two independent copies', () => {
    expect(p.evalRefs([], { input: inputs[0] })).toEqual([]);
    const [x, y] = p.evalRefs([['t', 'by_name'], ['t', 'by_name']], { input: inputs[0] }) as Array<Record<string, unknown>>;
    expect(x).toEqual(y);
    x!.extra = 1;
    expect(y!.extra).toBeUndefined();
  });

  it('a path array changed between calls is resolved again (where a path leads is remembered per array)', () => {
    const path = ['t', 'first'];
    const paths = [path];
    expect(p.evalRefs(paths, { input: inputs[0] })).toEqual(['x']);
    path[1] = 'nothing';
    expect(p.evalRefs(paths, { input: inputs[0] })).toEqual([undefined]);
    path[1] = 'names';
    path.push('yy');
    expect(p.evalRefs(paths, { input: inputs[0] })).toEqual(['yy']);
    path.splice(0, path.length, 'base', 'limits');
    expect(p.evalRefs(paths, { input: inputs[0] })).toEqual([{ max: 3 }]);
  });

  it('per-evaluation data and print reach every path', () => {
    const q = policy('package t\nx := data.cfg.v\ny := 2 if { print("y", data.cfg.v); true }');
    const lines: string[] = [];
    expect(q.evalRefs([['t', 'x'], ['t', 'y']], { data: { cfg: { v: 7 } }, print: (m) => lines.push(m) })).toEqual([7, 2]);
    expect(lines).toEqual(['y 7']);
  });

  it('a rule shared by several paths is evaluated once (one context)', () => {
    const q = policy('package t\nimport rego.v1\nh contains x if { some x in input.xs; print("h", x) }\na := count(h)\nb := sum(h)');
    const lines: string[] = [];
    expect(q.evalRefs([['t', 'a'], ['t', 'b']], { input: { xs: [1, 2] }, print: (m) => lines.push(m) })).toEqual([2, 3]);
    expect(lines).toEqual(['h 1', 'h 2']);
  });

  it('an evaluation error in a requested document throws EvalError; a rule no path needs is never evaluated', () => {
    const q = policy('package t\nok := 1\nc := 1 if input.a\nc := 2 if input.a\nf(x) := 1 if x\nf(x) := 2 if x\ng := f(true)');
    expect(() => q.evalRefs([['t', 'ok'], ['t', 'c']], { input: { a: true } })).toThrow(EvalError);
    const diagOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof EvalError ? e.diagnostic : e;
      }
      return 'no error';
    };
    const d = diagOf(() => q.evalRefs([['t', 'c']], { input: { a: true } }));
    expect(d).toMatchObject({ code: 'eval_conflict_error', file: 'p.rego', line: 4 });
    expect(d).toEqual(diagOf(() => q.evalRef(['t', 'c'], { input: { a: true } })));
    // evalRef of the package reaches the conflicts; evalRefs of `ok` alone (and of the function itself) does not.
    expect(() => q.evalRef(['t'], { input: { a: true } })).toThrow(EvalError);
    expect(q.evalRefs([['t', 'ok'], ['t', 'f']], { input: { a: true } })).toEqual([1, undefined]);
  });

  it("on the repo's intent policies: every package's every rule, and deny/warn of all packages at once, equal evalRef", () => {
    const mods: ModuleSource[] = [];
    const visit = (d: string): void => {
      for (const n of readdirSync(d).sort()) {
        const f = join(d, n);
        if (statSync(f).isDirectory()) visit(f);
        else if (n.endsWith('.rego') && !n.endsWith('_test.rego')) mods.push({ file: relative(REPO_ROOT, f), text: readFileSync(f, 'utf8') });
      }
    };
    visit(join(REPO_ROOT, 'policies'));
    const r = prepare(mods);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const repo = r.value;
    const fixtures = prepare([{ file: 'fixtures_test.rego', text: readFileSync(join(REPO_ROOT, 'policies/lib/fixtures_test.rego'), 'utf8') }]);
    if (!fixtures.ok) throw new Error(JSON.stringify(fixtures.diagnostics));
    const seed = fixtures.value.evalRef(['gitops', 'testing', 'fixtures', 'seed']);
    expect(seed).toBeDefined();
    const rulePaths = [...new Map(repo.rules().map((x) => [[...x.package, ...x.name.split('.')].join('\u0000'), [...x.package, ...x.name.split('.')]])).values()];
    const pkgs = [...new Set(repo.rules().map((x) => x.package.join('.')))].map((s) => s.split('.'));
    const checkPaths = pkgs.flatMap((pkg) => [[...pkg, 'deny'], [...pkg, 'warn']]);
    for (const input of [seed, {}, { actions: [] }]) {
      for (const paths of [rulePaths, checkPaths, pkgs]) {
        const got = repo.evalRefs(paths, { input });
        paths.forEach((path, i) => expect(got[i], path.join('.')).toEqual(repo.evalRef(path, { input })));
      }
    }
    const tree = repo.evalRef(['gitops', 'policies'], { input: seed }) as Record<string, Record<string, unknown>>;
    const denies = repo.evalRefs(checkPaths, { input: seed });
    checkPaths.forEach((path, i) => {
      if (path[1] === 'policies') expect(denies[i]).toEqual(tree[path[2]!]![path[3]!]);
    });
  });
});
