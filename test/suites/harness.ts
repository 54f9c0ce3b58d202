/**
 * Running a real-world Rego suite (../shared/rego-suites) through `gitops
 * policy test`'s runner, with the accounting needed while the engine still
 * has gaps: OPA refuses the whole run when one file does not compile, which
 * would hide every other result, so files that do not compile are set aside
 * (round by round, since removing one can break its importers) and reported
 * with their diagnostic; everything else runs as `opa test` runs it. Each
 * failing test gets a cause: a builtin error (named by the runner's strict
 * re-run), an upstream builtin not ported here, its policy file set aside,
 * a known engine gap (KNOWN_GAPS), or "unclassified".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../../runner/core/diagnostics.ts';
import { loadTestInputs, runPolicyTests, testCounts, type TestCase } from '../../runner/policy/test.ts';
import { EvalError, prepare, type BuiltinDefinition, type TypeSpec } from '../../runner/rego/api.ts';

export interface SuiteSpec {
  name: string;
  /** The suite's folder; targets are relative to it, as upstream's command line. */
  root: string;
  targets: string[];
  ignore: string[];
  builtins: BuiltinDefinition[];
  /** Upstream builtins not ported, with their declarations (calls to them raise a builtin error naming them). */
  unported: Array<{ name: string; args: TypeSpec[]; result: TypeSpec }>;
}

export interface SetAside {
  file: string;
  round: number;
  diagnostic: Diagnostic;
  /** Test rules defined in the file (by a source scan: they never ran). */
  tests: number;
}

export interface SuiteOutcome {
  cases: TestCase[];
  setAside: SetAside[];
  counts: ReturnType<typeof testCounts>;
  /** cause → failing test names (data-driven entries as `name[entry]`). */
  failures: Map<string, string[]>;
  /**
   * Unported builtin → tests that PASS although their evaluation reached it
   * (its error made some expression undefined and the test passed anyway, e.g.
   * a "nothing is reported" test): they do not show the engine agrees with OPA.
   */
  passedThroughUnported: Map<string, string[]>;
  ms: number;
}

const NOT_PORTED = 'is not ported to this runner';

/** Declared like upstream, so calls compile; every call is a builtin error naming the builtin. */
function unportedBuiltins(spec: SuiteSpec): BuiltinDefinition[] {
  return spec.unported.map((u) => ({
    name: u.name,
    decl: { args: u.args, result: u.result },
    impl: () => {
      throw new Error(`${u.name} ${NOT_PORTED}`);
    },
  }));
}

/**
 * Engine gaps diagnosed by hand (one representative test each, see
 * docs/rego.md "Real-world suites"), matched on the test's file, most
 * specific first. A test matched here is not known to pass once the gap is
 * fixed; a re-count will tell. Empty: every gap diagnosed so far is fixed
 * (test/rego/suite-regressions.test.ts and the tests named in docs/rego.md).
 */
export const KNOWN_GAPS: ReadonlyArray<{ file: RegExp; cause: string }> = [];

const TEST_RULE = /^(?:test_|todo_test_)[A-Za-z0-9_]*/gm;

function causeOf(c: TestCase, setAsideFiles: Map<string, SetAside>): string {
  if (c.status === 'ERROR') return `error: ${/: (\w+_error): /.exec(c.error ?? '')?.[1] ?? 'evaluation error'}`;
  const be = /builtin error: [^ ]+ \w+: ([\w.]+): (.*)\)$/.exec(c.reason ?? '');
  if (be && be[2]!.includes(NOT_PORTED)) return `unported builtin ${be[1]}`;
  const policy = setAsideFiles.get(c.file.replace(/_test\.rego$/, '.rego'));
  if (policy) return `policy file set aside: ${policy.diagnostic.code}: ${policy.diagnostic.message}`;
  if (be) return `builtin error: ${be[1]}: ${be[2]!.slice(0, 120)}`;
  for (const g of KNOWN_GAPS) if (g.file.test(c.file)) return g.cause;
  return 'unclassified';
}

/** Run the suite; never throws for compile errors (they become set-aside files). */
export async function runSuite(spec: SuiteSpec): Promise<SuiteOutcome> {
  const started = performance.now();
  const inputs = await loadTestInputs(spec.root, spec.targets, { ignore: spec.ignore });
  const builtins = [...spec.builtins, ...unportedBuiltins(spec)];
  let modules = inputs.modules;
  const setAside: SetAside[] = [];
  for (let round = 1; ; round++) {
    const r = runPolicyTests(modules, { data: inputs.data, builtins });
    if (r.ok) {
      const byFile = new Map(setAside.map((s) => [s.file, s]));
      const failures = new Map<string, string[]>();
      const add = (cause: string, name: string) => failures.set(cause, [...(failures.get(cause) ?? []), name]);
      for (const c of r.value) {
        if (c.status === 'PASS' || c.status === 'SKIPPED') continue;
        const cause = causeOf(c, byFile);
        const failedEntries = (c.sub ?? []).filter((s) => s.status === 'FAIL');
        if (c.status === 'FAIL' && failedEntries.length) for (const s of failedEntries) add(cause, `${c.name}[${s.name}]`);
        else add(cause, c.name);
      }
      const passedThroughUnported = spec.unported.length ? passingThroughUnported(modules, inputs.data, builtins, r.value) : new Map<string, string[]>();
      return { cases: r.value, setAside, counts: testCounts(r.value), failures, passedThroughUnported, ms: performance.now() - started };
    }
    const bad = new Map<string, Diagnostic>();
    for (const d of r.diagnostics) if (d.file && !bad.has(d.file)) bad.set(d.file, d);
    if (bad.size === 0) throw new Error(`${spec.name}: compile errors without a file: ${JSON.stringify(r.diagnostics.slice(0, 3))}`);
    for (const [file, diagnostic] of bad) {
      const text = readFileSync(join(spec.root, file), 'utf8');
      setAside.push({ file, round, diagnostic, tests: new Set(text.match(TEST_RULE) ?? []).size });
    }
    modules = modules.filter((m) => !bad.has(m.file));
  }
}

/**
 * Passing tests re-evaluated with strict builtin errors: the unported
 * builtin (if any) whose error the evaluation reached first. A test's rule
 * path is found by its file and line (package segments may hold dots); names
 * OPA gives a repeated test (`test_x#01`) are skipped: here they are one path.
 */
function passingThroughUnported(modules: Parameters<typeof prepare>[0], data: unknown, builtins: BuiltinDefinition[], cases: readonly TestCase[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  // The same modules compiled in runPolicyTests; a failure here is a harness bug, not a result.
  const p = prepare(modules, { data, builtins });
  if (!p.ok) throw new Error(`re-preparing for the strict re-run failed: ${JSON.stringify(p.diagnostics.slice(0, 3))}`);
  const paths = new Map(p.value.rules().map((r) => [`${r.file}:${r.line}`, [...r.package, r.name.split('.')[0]!]]));
  for (const c of cases) {
    const path = paths.get(`${c.file}:${c.line}`);
    if (c.status !== 'PASS' || c.name.includes('#') || !path) continue;
    try {
      p.value.evalRef(path, { strictBuiltinErrors: true });
    } catch (err) {
      const m = err instanceof EvalError ? new RegExp(`^([\\w.]+): .*${NOT_PORTED}`).exec(err.message) : null;
      if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), c.name]);
    }
  }
  return out;
}

/** Set-aside files grouped by their diagnostic (codes and messages with names generalised), for reports. */
export function setAsideSummary(setAside: readonly SetAside[]): Map<string, { files: number; tests: number }> {
  const out = new Map<string, { files: number; tests: number }>();
  for (const s of setAside) {
    // "undefined function data.…" is a file calling into a file set aside before it
    const own = !/undefined function data\./.test(s.diagnostic.message);
    const key = `${own ? 'own error' : 'calls into a set-aside file'}: ${s.diagnostic.code}: ${s.diagnostic.message.replace(/(?<![\w.])data\.[\w.]+/g, 'data.…').replace(/var \w+/g, 'var …').replace(/ at line \d+, column \d+.*$/s, '')}`;
    const e = out.get(key) ?? { files: 0, tests: 0 };
    e.files++;
    e.tests += s.tests;
    out.set(key, e);
  }
  return out;
}

/** Human-readable accounting: counts, set-aside files, failing tests by cause. */
export function renderOutcome(name: string, o: SuiteOutcome): string {
  const lines = [`${name}: ${JSON.stringify(o.counts)} in ${(o.ms / 1000).toFixed(1)} s`];
  if (o.setAside.length) {
    lines.push(`  set aside (do not compile): ${o.setAside.length} files, ${o.setAside.reduce((n, s) => n + s.tests, 0)} test rules never run`);
    for (const [k, v] of setAsideSummary(o.setAside)) lines.push(`    ${v.files} files / ${v.tests} tests — ${k}`);
  }
  for (const [cause, names] of [...o.failures].sort((a, b) => b[1].length - a[1].length)) {
    lines.push(`  ${names.length} failing — ${cause}`);
    for (const n of names) lines.push(`      ${n}`);
  }
  for (const [builtin, names] of o.passedThroughUnported) {
    lines.push(`  ${names.length} passing, but their evaluation reached unported ${builtin} (not evidence of agreement with OPA)`);
    for (const n of names) lines.push(`      ${n}`);
  }
  return lines.join('\n');
}
