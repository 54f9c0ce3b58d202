/**
 * OPA conformance runner: executes OPA-format YAML test cases
 * (`cases: [{note, modules, data, input, input_term, query, want_result,
 * want_error, want_error_code, strict_error, sort_bindings}]`) with OPA's
 * comparison rules:
 *   - result rows compare as a set of binding maps (order-insensitive);
 *     sets inside values compare as sorted arrays (JSON form);
 *   - `sort_bindings: true` sorts the top-level elements of array bindings;
 *   - `want_error` must be a substring of the error text
 *     (`file:line: code: message`), `want_error_code` must equal the code;
 *   - `strict_error: true` evaluates with strict builtin errors;
 *   - modules are named `test-0.rego`, `test-1.rego`, … in order, which is
 *     what OPA's harness does and what the expected error texts contain.
 *
 * Case files are test data: the directory is walked for *.yaml/*.yml.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYAML } from 'yaml';
import { compileSources, compileQueryText } from '../pipeline.ts';
import { formatCompileError } from '../compiler/errors.ts';
import { RegoEvalError } from '../topdown/errors.ts';
import { canon, fromJS, toJS, RObject, stringifyJSON, type Value } from '../value.ts';

export interface ConformanceCase {
  note: string;
  modules?: string[];
  data?: unknown;
  input?: unknown;
  input_term?: string;
  query: string;
  want_result?: Array<Record<string, unknown>>;
  want_error?: string;
  want_error_code?: string;
  strict_error?: boolean;
  sort_bindings?: boolean;
  skip?: boolean;
}

export type CaseOutcome =
  | { status: 'passed'; note: string; file: string }
  | { status: 'skipped'; note: string; file: string; reason: string }
  | { status: 'failed'; note: string; file: string; wanted: string; got: string; crash: boolean };

export interface Summary {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
}

type Got = { kind: 'rows'; rows: Array<Record<string, Value>> } | { kind: 'error'; code: string; text: string } | { kind: 'crash'; text: string };

export function findCaseFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) visit(p);
      else if (/\.ya?ml$/.test(name)) out.push(p);
    }
  };
  visit(dir);
  return out;
}

function evaluate(c: ConformanceCase, regoVersion: 0 | 1): Got {
  const sources = (c.modules ?? []).map((text, i) => ({ file: `test-${i}.rego`, text, regoVersion }));
  const comp = compileSources(sources);
  if (!comp.ok) {
    const e = comp.errors[0]!;
    return { kind: 'error', code: e.code, text: comp.errors.map(formatCompileError).join('\n') };
  }
  const q = compileQueryText(comp.compiled, c.query, { regoVersion });
  if (!q.ok) {
    const e = q.errors[0]!;
    return { kind: 'error', code: e.code, text: q.errors.map(formatCompileError).join('\n') };
  }
  let input: Value | undefined = c.input === undefined ? undefined : fromJS(c.input);
  if (c.input_term !== undefined) {
    const t = compileQueryText(comp.compiled, `__input__ = ${c.input_term}`);
    if (!t.ok) return { kind: 'error', code: t.errors[0]!.code, text: t.errors.map(formatCompileError).join('\n') };
    const rows = comp.compiled.program.runQuery(t.program, { data: new RObject(), strict: false });
    input = rows[0]?.bindings['__input__'];
  }
  const data = c.data === undefined ? new RObject() : fromJS(c.data);
  try {
    const rows = comp.compiled.program.runQuery(q.program, { input, data, strict: c.strict_error === true });
    return { kind: 'rows', rows: rows.map((r) => r.bindings) };
  } catch (e) {
    if (e instanceof RegoEvalError) return { kind: 'error', code: e.code, text: e.message };
    return { kind: 'crash', text: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

/** JSON-normal form of a row: sets as sorted arrays (OPA's JSON), optional sorting of array bindings. */
function normRow(row: Record<string, unknown>, sortBindings: boolean, fromWant: boolean): string {
  const o = new RObject();
  for (const [k, v] of Object.entries(row)) {
    let val: Value = fromWant ? fromJS(v) : fromJS(toJS(v as Value));
    if (sortBindings && Array.isArray(val)) val = [...val].sort((a, b) => (canon(a) < canon(b) ? -1 : canon(a) > canon(b) ? 1 : 0));
    o.set(k, val);
  }
  return canon(o);
}

function rowsText(rows: Array<Record<string, Value>>): string {
  return JSON.stringify(rows.map((r) => JSON.parse(stringifyJSON(RObject.fromEntries(Object.entries(r))))));
}

/** `regoVersion` 0 reads the modules and query as OPA v0 syntax (`--v0-compatible`). */
export function runCase(c: ConformanceCase, file: string, regoVersion: 0 | 1 = 1): CaseOutcome {
  const note = c.note;
  if (c.skip) return { status: 'skipped', note, file, reason: 'marked skip' };
  let got: Got;
  try {
    got = evaluate(c, regoVersion);
  } catch (e) {
    got = { kind: 'crash', text: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  const wantsError = c.want_error !== undefined || c.want_error_code !== undefined;
  const wanted = wantsError
    ? `error${c.want_error_code ? ` ${c.want_error_code}` : ''}${c.want_error ? `: ${c.want_error}` : ''}`
    : JSON.stringify(c.want_result ?? [], (_k, x) => (typeof x === "bigint" ? Number(x) : x));
  const gotText = got.kind === 'rows' ? rowsText(got.rows) : got.kind === 'error' ? `error ${got.code}: ${got.text}` : `crash: ${got.text}`;
  const fail = (): CaseOutcome => ({ status: 'failed', note, file, wanted, got: gotText, crash: got.kind === 'crash' });
  if (got.kind === 'crash') return fail();
  if (wantsError) {
    if (got.kind !== 'error') return fail();
    if (c.want_error_code !== undefined && got.code !== c.want_error_code) return fail();
    if (c.want_error !== undefined && !got.text.includes(c.want_error)) return fail();
    return { status: 'passed', note, file };
  }
  if (got.kind !== 'rows') return fail();
  const want = (c.want_result ?? []).map((r) => normRow(r ?? {}, c.sort_bindings === true, true)).sort();
  const have = got.rows.map((r) => normRow(r, c.sort_bindings === true, false));
  const haveSet = [...new Set(have)].sort();
  const wantSet = [...new Set(want)].sort();
  if (haveSet.length !== wantSet.length || haveSet.some((x, i) => x !== wantSet[i])) return fail();
  return { status: 'passed', note, file };
}

export function loadCases(file: string): ConformanceCase[] {
  const doc = parseYAML(readFileSync(file, 'utf8'), { intAsBigInt: true, uniqueKeys: false }) as { cases?: ConformanceCase[] } | null;
  return doc?.cases ?? [];
}

export interface RunOptions {
  filter?: string;
  /** 0: the cases are OPA v0 syntax (`--v0-compatible`). */
  regoVersion?: 0 | 1;
}

export function runConformance(dir: string, opts: RunOptions = {}): { summary: Summary; outcomes: CaseOutcome[] } {
  const outcomes: CaseOutcome[] = [];
  for (const file of findCaseFiles(dir)) {
    const rel = relative(dir, file);
    let cases: ConformanceCase[];
    try {
      cases = loadCases(file);
    } catch (e) {
      outcomes.push({ status: 'failed', note: rel, file: rel, wanted: 'a readable case file', got: e instanceof Error ? e.message : String(e), crash: false });
      continue;
    }
    for (const c of cases) {
      if (opts.filter && !String(c.note).includes(opts.filter) && !rel.includes(opts.filter)) continue;
      outcomes.push(runCase(c, rel, opts.regoVersion ?? 1));
    }
  }
  const summary: Summary = {
    total: outcomes.length,
    passed: outcomes.filter((o) => o.status === 'passed').length,
    failed: outcomes.filter((o) => o.status === 'failed').length,
    skipped: outcomes.filter((o) => o.status === 'skipped').length,
  };
  return { summary, outcomes };
}
