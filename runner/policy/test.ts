/**
 * `gitops policy test`: run the `test_*` rules of Rego files, like `opa test`
 * (OPA 1.x's tester, v1/tester/runner.go):
 *
 * - A test passes when its rule evaluates to true; false, undefined or any
 *   other value fails; an evaluation error is an ERROR. `todo_test_*` rules
 *   are SKIPPED.
 * - Data-driven tests, `test_x[name] if { … }` (a partial object of `true`s):
 *   one sub-result per key, counted one by one in the PASS/FAIL totals; the
 *   test fails when an entry is not true. OPA also learns, from an injected
 *   `internal.test_case` call and its tracer, the names of cases whose body
 *   failed after the name was bound; this engine has no tracer, so such a
 *   case is invisible here — a data-driven test that yields no entry at all
 *   is reported FAIL ("no test case succeeded") rather than OPA's PASS/FAIL
 *   depending on the trace. A partial-set test is not boolean: FAIL, as in OPA.
 * - Several definitions of one test name are separate tests, the second
 *   reported as `test_x#01`, the third `test_x#02`, … (OPA's
 *   rewriteDuplicateTestNames).
 * - Data files (`.json`, `.yaml`, `.yml`) under the paths are loaded at their
 *   directory's path relative to the path argument (OPA's loader), plus
 *   `--data` files/folders the same way; `--ignore` globs match base names.
 */
import { lstat, readdir } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { RE2JS } from 're2js';
import { parse as parseYAML } from 'yaml';
import { GitopsError, diag, ok, type Result } from '../core/diagnostics.ts';
import { readNoFollow, symlinkRefused } from '../core/files.ts';
import { decodeRepoText } from '../core/text.ts';
import { EvalError, prepare, type BuiltinDefinition, type ModuleSource, type PreparedPolicy, type RuleInfo } from '../rego/api.ts';

export type TestStatus = 'PASS' | 'FAIL' | 'ERROR' | 'SKIPPED';

export interface SubResult {
  /** The key of a data-driven test's entry (strings as is, other keys as JSON). */
  name: string;
  /** FAIL when the entry is not true, or (nested) when any entry below it fails. */
  status: 'PASS' | 'FAIL';
  /** Entries below (`test_x[a][b] if …`: the value at `a` is an object of entries). */
  sub?: SubResult[];
}

export interface TestCase {
  /** data.gitops.policies.sec_auth_001.test_seed_passes (`#01`… for a repeated name) */
  name: string;
  file: string;
  line: number;
  status: TestStatus;
  duration_ms: number;
  error?: string;
  /** The error as OPA's JSON report gives it. */
  errorDetail?: { code: string; message: string; file: string; line: number; col: number };
  /** Why a FAIL failed, when it is not simply "false or undefined". */
  reason?: string;
  /** Entries of a data-driven test. */
  sub?: SubResult[];
  output: string[];
}

/** What the paths hold: Rego modules and the data documents, merged as OPA's loader does. */
export interface TestInputs {
  modules: ModuleSource[];
  data: Record<string, unknown>;
  /** The data files read, repository-relative (for messages). */
  dataFiles: string[];
}

/**
 * Go's filepath.Match on a base name (what `opa test --ignore` uses): `*`
 * any run of characters, `?` one, `[…]` / `[^…]` a class, `\` escapes.
 */
export function globMatch(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '\\' && i + 1 < pattern.length) re += '\\' + pattern[++i];
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return false; // Go: ErrBadPattern, which matches nothing
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1).replace(/[\]\\]/g, '\\$&');
      else cls = cls.replace(/[\]\\^]/g, '\\$&');
      re += `[${cls}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$', 's').test(name);
}

const DATA_EXT = /\.(json|ya?ml)$/;

function parseDataFile(file: string, text: string): unknown {
  try {
    if (file.endsWith('.json')) return JSON.parse(text);
    return parseYAML(text, { intAsBigInt: true });
  } catch (e) {
    throw new GitopsError(diag('data_parse_error', `cannot parse data file: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { file }), 2);
  }
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Put `doc` at `path` in `root`, merging objects key by key; two non-objects at one path are OPA's merge error. */
function placeData(root: Record<string, unknown>, path: string[], doc: unknown, file: string): void {
  if (path.length === 0 && !isObject(doc)) {
    throw new GitopsError(diag('data_merge_error', 'a data file at the root of the data document must hold an object', { file }), 2);
  }
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    const next = node[k];
    if (next === undefined) node[k] = {};
    else if (!isObject(next)) throw new GitopsError(diag('data_merge_error', `data.${path.slice(0, i + 1).join('.')} is already a ${Array.isArray(next) ? 'array' : typeof next}, cannot load under it`, { file }), 2);
    node = node[k] as Record<string, unknown>;
  }
  const merge = (into: Record<string, unknown>, key: string, v: unknown, at: string[]): void => {
    const cur = into[key];
    if (cur === undefined) into[key] = v;
    else if (isObject(cur) && isObject(v)) for (const [k, x] of Object.entries(v)) merge(cur, k, x, [...at, k]);
    else throw new GitopsError(diag('data_merge_error', `data.${at.join('.')} is defined by two data files`, { file }), 2);
  };
  if (path.length === 0) for (const [k, v] of Object.entries(doc as Record<string, unknown>)) merge(root, k, v, [k]);
  else merge(node, path[path.length - 1]!, doc, path);
}

export interface LoadOptions {
  /** Base-name globs of files and folders to skip (not the path arguments themselves), as `opa test --ignore`. */
  ignore?: readonly string[];
  /** Extra data files/folders (`-d/--data`), loaded like those under the paths. */
  data?: readonly string[];
}

/**
 * Every `.rego` file and data file under the given files/folders, sorted,
 * repository-relative to `cwd`. A data file found in folder `a/b` under the
 * argument `root` lands at `data.a.b` (its path relative to the argument); a
 * data file given directly lands at the root.
 */
export async function loadTestInputs(cwd: string, targets: readonly string[], opts: LoadOptions = {}): Promise<TestInputs> {
  const rego: string[] = [];
  const dataFiles: Array<{ abs: string; path: string[] }> = [];
  const ignored = (name: string) => (opts.ignore ?? []).some((g) => globMatch(g, name));
  async function walk(abs: string, root: string, depth: number): Promise<void> {
    if (depth > 0 && ignored(basename(abs))) return;
    // lstat: a symlinked policy, data file or folder (a pull request's `policies/x.rego → /etc/passwd`) is refused, not followed.
    const st = await lstat(abs);
    if (st.isSymbolicLink()) throw new GitopsError(symlinkRefused(relative(cwd, abs).split(sep).join('/')), 2);
    if (st.isDirectory()) {
      for (const e of (await readdir(abs)).sort()) if (e !== 'node_modules' && e !== '.git') await walk(join(abs, e), root, depth + 1);
    } else if (abs.endsWith('.rego')) rego.push(abs);
    else if (DATA_EXT.test(abs)) {
      const rel = relative(root, dirname(abs));
      dataFiles.push({ abs, path: depth === 0 || rel === '' ? [] : rel.split(sep) });
    }
  }
  for (const t of [...targets, ...(opts.data ?? [])]) {
    // resolve, not join: `opa test /abs/path` reads an absolute path as given.
    const abs = resolve(cwd, t);
    let st;
    try {
      st = await lstat(abs);
    } catch {
      throw new GitopsError(diag('policy_path_missing', `no such file or folder: ${t}`), 2);
    }
    await walk(abs, st.isDirectory() ? abs : dirname(abs), 0);
  }
  const show = (abs: string) => relative(cwd, abs).split(sep).join('/');
  const files = [...new Set(rego)].sort();
  const modules = await Promise.all(files.map(async (f) => ({ file: show(f), text: decodeRepoText(await readNoFollow(f), show(f)) })));
  const data: Record<string, unknown> = {};
  const seen = new Set<string>();
  const shown: string[] = [];
  for (const d of dataFiles) {
    if (seen.has(d.abs)) continue;
    seen.add(d.abs);
    const file = show(d.abs);
    const doc = parseDataFile(file, decodeRepoText(await readNoFollow(d.abs), file));
    // An empty YAML file is `null`, as OPA's loader reads it (YAMLToJSON gives "null"): below the
    // root it is a null value at its path; at the root it is not an object (an error, as in OPA).
    if (doc === undefined) continue;
    placeData(data, d.path, doc, file);
    shown.push(file);
  }
  return { modules, data, dataFiles: shown };
}

/** Every `.rego` file under the given files/folders, repository-relative to `cwd`, sorted. */
export async function readRegoFiles(cwd: string, targets: string[]): Promise<ModuleSource[]> {
  return (await loadTestInputs(cwd, targets)).modules;
}

export interface TestOptions {
  /** Only run tests whose full name matches this RE2 pattern. */
  run?: string;
  /** Base data document (what loadTestInputs read). */
  data?: unknown;
  /** Custom builtins (see runner/rego/api.ts). */
  builtins?: readonly BuiltinDefinition[];
}

const isTestName = (n: string) => n.startsWith('test_') || n.startsWith('todo_test_');

/** The rule name of a test (first head segment, `test_x` of `test_x.y`) when it is one. */
function testSegment(r: RuleInfo): string | undefined {
  const first = r.name.split('.')[0]!;
  return isTestName(first) ? first : undefined;
}

/**
 * OPA runs each definition of a repeated test name as its own test
 * (`test_x`, `test_x#01`, …). The engine evaluates a rule path as the union
 * of its definitions, so later definitions are renamed in the source to a
 * name nothing can refer to by accident, and reported under OPA's name.
 */
const DUP = '__gitops_dup_';

function renameDuplicates(modules: ModuleSource[], rules: RuleInfo[]): { modules: ModuleSource[]; renamed: boolean } {
  const count = new Map<string, number>();
  const edits = new Map<string, Array<{ line: number; from: string; to: string }>>();
  const ordered = [...rules].filter((r) => testSegment(r) !== undefined && r.kind !== 'function');
  ordered.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  for (const r of ordered) {
    const key = [...r.package, r.name].join('.');
    const k = count.get(key) ?? 0;
    count.set(key, k + 1);
    if (k === 0 || !r.name.startsWith('test_')) continue;
    const seg = testSegment(r)!;
    const list = edits.get(r.file) ?? [];
    list.push({ line: r.line, from: seg, to: `${seg}${DUP}${String(k).padStart(2, '0')}` });
    edits.set(r.file, list);
  }
  if (edits.size === 0) return { modules, renamed: false };
  return {
    renamed: true,
    modules: modules.map((m) => {
      const list = edits.get(m.file);
      if (!list) return m;
      const lines = m.text.split('\n');
      for (const e of list) {
        const i = e.line - 1;
        lines[i] = (lines[i] ?? '').replace(new RegExp(`^(\\s*)${e.from}\\b`), `$1${e.to}`);
      }
      return { ...m, text: lines.join('\n') };
    }),
  };
}

/** `test_x__gitops_dup_01` → `test_x#01` (OPA's name for a repeated test). */
const displayName = (n: string) => n.replace(new RegExp(`${DUP}(\\d+)`), '#$1');

/** OPA's subResults: an object value nests (failing when any leaf below fails), `true` passes, anything else fails. */
function subResults(v: unknown): SubResult[] {
  if (!isObject(v)) return [];
  return Object.keys(v)
    .sort()
    .map((k): SubResult => {
      const x = v[k];
      if (isObject(x)) {
        const sub = subResults(x);
        return { name: k, status: sub.some((s) => s.status === 'FAIL') ? 'FAIL' : 'PASS', sub };
      }
      return { name: k, status: x === true ? 'PASS' : 'FAIL' };
    });
}

/** The leaves of sub-results, with their path of names (what OPA counts and lists). */
function leaves(subs: readonly SubResult[], path: string[] = []): Array<{ path: string[]; status: 'PASS' | 'FAIL' }> {
  return subs.flatMap((s) => (s.sub && s.sub.length ? leaves(s.sub, [...path, s.name]) : [{ path: [...path, s.name], status: s.status }]));
}

export function runPolicyTests(modules: ModuleSource[], opts: TestOptions = {}): Result<TestCase[]> {
  let filter: RE2JS | undefined;
  if (opts.run) {
    try {
      filter = RE2JS.compile(opts.run);
    } catch (err) {
      throw new GitopsError(diag('usage_error', `gitops policy test: --run is not a valid regular expression: ${(err as Error).message}`), 2);
    }
  }
  const prepOpts = { strictBuiltinErrors: false, ...(opts.data !== undefined ? { data: opts.data } : {}), ...(opts.builtins ? { builtins: opts.builtins } : {}) };
  let prepared = prepare(modules, prepOpts);
  if (!prepared.ok) return prepared;
  const dups = renameDuplicates(modules, prepared.value.rules());
  if (dups.renamed) {
    prepared = prepare(dups.modules, prepOpts);
    if (!prepared.ok) return prepared;
  }
  return ok(runPrepared(prepared.value, filter));
}

/**
 * Why a failed test failed, when a builtin error is the reason: builtin
 * errors make calls undefined (OPA's default, kept for the verdict), so the
 * failing test is evaluated once more with strict builtin errors to name the
 * first one — e.g. `json.patch: …`, or a custom builtin that is not loaded.
 */
function builtinErrorOf(p: PreparedPolicy, path: string[]): string | undefined {
  try {
    p.evalRef(path, { strictBuiltinErrors: true });
  } catch (err) {
    if (err instanceof EvalError && (err.diagnostic.code === 'eval_builtin_error' || err.diagnostic.code === 'eval_type_error')) {
      return `${err.diagnostic.file}:${err.diagnostic.line}: ${err.diagnostic.code}: ${err.message}`;
    }
  }
  return undefined;
}

function runPrepared(p: PreparedPolicy, filter: RE2JS | undefined): TestCase[] {
  const seen = new Set<string>();
  const cases: TestCase[] = [];
  const rules = [...p.rules()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  for (const r of rules) {
    const seg = testSegment(r);
    if (seg === undefined || r.kind === 'function') continue;
    // The test is the ground prefix up to its test_ segment (`test_x` of `test_x[name]` or `test_x.y`).
    const path = [...r.package, seg];
    const key = path.join('.');
    if (seen.has(key)) continue;
    seen.add(key);
    const name = displayName(['data', ...r.package, seg].join('.'));
    if (filter && !filter.matcher(name).find()) continue;
    const base = { name, file: r.file, line: r.line };
    if (seg.startsWith('todo_test_')) {
      cases.push({ ...base, status: 'SKIPPED', duration_ms: 0, output: [] });
      continue;
    }
    const output: string[] = [];
    const started = performance.now();
    let status: TestStatus;
    let error: string | undefined;
    let errorDetail: TestCase['errorDetail'];
    let reason: string | undefined;
    let sub: SubResult[] | undefined;
    try {
      const v = p.evalRef(path, { print: (m, loc) => output.push(`${loc.file}:${loc.line}: ${m}`) });
      if (r.kind === 'partial_object' && r.name === seg) {
        sub = subResults(v);
        status = sub.length > 0 && sub.every((s) => s.status === 'PASS') ? 'PASS' : 'FAIL';
        if (sub.length === 0) reason = 'no test case succeeded';
      } else {
        status = v === true ? 'PASS' : 'FAIL';
        if (v === undefined) reason = 'undefined';
        else if (v !== true) reason = `value ${typeof v === 'object' ? JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) : String(v)} is not true`;
      }
      if (status === 'FAIL') {
        const be = builtinErrorOf(p, path);
        if (be) reason = `${reason ?? 'false'} (builtin error: ${be})`;
      }
    } catch (err) {
      status = 'ERROR';
      error = err instanceof EvalError ? `${err.diagnostic.file ?? r.file}:${err.diagnostic.line ?? r.line}: ${err.diagnostic.code}: ${err.message}` : String(err instanceof Error ? err.message : err);
      if (err instanceof EvalError) {
        const d = err.diagnostic;
        errorDetail = { code: d.code, message: d.message, file: d.file ?? r.file, line: d.line ?? r.line, col: d.col ?? 1 };
      }
    }
    cases.push({ ...base, status, duration_ms: performance.now() - started, ...(error ? { error } : {}), ...(errorDetail ? { errorDetail } : {}), ...(reason ? { reason } : {}), ...(sub ? { sub } : {}), output });
  }
  return cases;
}

function duration(ms: number): string {
  return ms < 1 ? `${Math.round(ms * 1000)}µs` : `${ms.toFixed(3)}ms`;
}

const RULE = '-'.repeat(80);

/** OPA's totals: a data-driven test counts each of its entries. */
export function testCounts(cases: readonly TestCase[]): Record<TestStatus, number> & { total: number } {
  const n = { PASS: 0, FAIL: 0, SKIPPED: 0, ERROR: 0, total: 0 };
  for (const c of cases) {
    if (c.status === 'SKIPPED' || c.status === 'ERROR' || !c.sub || c.sub.length === 0) n[c.status]++;
    else for (const l of leaves(c.sub)) n[l.status]++;
  }
  n.total = n.PASS + n.FAIL + n.SKIPPED + n.ERROR;
  return n;
}

export type Explain = 'fails' | 'full' | 'notes';

export interface ReportOptions {
  verbose?: boolean;
  /** `--explain fails` (and `full`/`notes`, which this engine answers the same way): a FAILURES section. */
  explain?: Explain;
}

/**
 * `opa test` style output: failing (or, verbose, all) tests grouped by file,
 * data-driven entries indented under their test, then (with --explain) a
 * FAILURES section giving each failure's location and cause, then
 * PASS/FAIL/SKIPPED/ERROR counts.
 */
export function renderTestReport(cases: TestCase[], options: boolean | ReportOptions): string {
  const { verbose = false, explain } = typeof options === 'boolean' ? { verbose: options } : options;
  const out: string[] = [];
  const shown = verbose ? cases : cases.filter((c) => c.status === 'FAIL' || c.status === 'ERROR');
  let file = '';
  for (const c of shown) {
    if (c.file !== file) {
      if (file) out.push('');
      out.push(`${c.file}:`);
      file = c.file;
    }
    out.push(c.status === 'SKIPPED' ? `${c.name}: SKIPPED` : `${c.name}: ${c.status} (${duration(c.duration_ms)})`);
    const tree = (subs: readonly SubResult[], indent: string): void => {
      for (const s of subs) {
        if (!verbose && s.status !== 'FAIL') continue;
        out.push(`${indent}${s.name}: ${s.status}`);
        if (s.sub) tree(s.sub, indent + '  ');
      }
    };
    tree(c.sub ?? [], '  ');
    if (c.error) out.push(`  ${c.error}`);
    if (verbose || c.status !== 'PASS') for (const o of c.output) out.push(`  ${o}`);
  }
  const failures = cases.filter((c) => c.status === 'FAIL');
  if (explain && failures.length > 0) {
    out.push(RULE, 'FAILURES', RULE);
    for (const c of failures) {
      out.push(`${c.name}: FAIL (${duration(c.duration_ms)})`);
      out.push('', `  ${c.file}:${c.line}:`);
      const failedSubs = leaves(c.sub ?? []).filter((l) => l.status === 'FAIL');
      if (failedSubs.length) for (const l of failedSubs) out.push(`    ${l.path.join(' / ')}: FAIL (entry is not true)`);
      else out.push(`    ${c.reason ?? 'false'}`);
      for (const o of c.output) out.push(`    ${o}`);
      out.push('');
    }
  }
  if (shown.length || (explain && failures.length)) out.push(RULE);
  const n = testCounts(cases);
  for (const s of ['PASS', 'FAIL', 'SKIPPED', 'ERROR'] as const) {
    if (n[s] > 0 || (s === 'PASS' && n.total > 0)) out.push(`${s}: ${n[s]}/${n.total}`);
  }
  if (n.total === 0) out.push('no tests found');
  return out.join('\n') + '\n';
}

/**
 * `opa test --format json`: OPA's JSONReporter — an array of results with
 * `location`, `package`, `name`, `fail`/`skip` (only when true), `error`,
 * `duration` (ns), `output` (print() output; base64, as Go marshals bytes)
 * and `sub_results` for data-driven tests. Columns are 1 (the rule list
 * carries lines only; test rules are top-level, so they start there).
 */
export function renderTestJSON(cases: readonly TestCase[]): string {
  const out = cases.map((c) => {
    const dot = c.name.lastIndexOf('.');
    const r: Record<string, unknown> = { location: { file: c.file, row: c.line, col: 1 }, package: c.name.slice(0, dot), name: c.name.slice(dot + 1) };
    if (c.status === 'FAIL') r.fail = true;
    if (c.status === 'SKIPPED') r.skip = true;
    if (c.status === 'ERROR') {
      r.error = c.errorDetail
        ? { code: c.errorDetail.code, message: c.errorDetail.message, location: { file: c.errorDetail.file, row: c.errorDetail.line, col: c.errorDetail.col } }
        : { message: c.error ?? 'error' };
    }
    const json = (subs: readonly SubResult[]): Record<string, unknown> =>
      Object.fromEntries(subs.map((s) => [s.name, { name: s.name, ...(s.status === 'FAIL' ? { fail: true } : {}), ...(s.sub && s.sub.length ? { sub_results: json(s.sub) } : {}) }]));
    if (c.sub && c.sub.length) r.sub_results = json(c.sub);
    if (c.output.length) r.output = Buffer.from(c.output.join('\n') + '\n').toString('base64');
    r.duration = Math.round(c.duration_ms * 1e6);
    return r;
  });
  return JSON.stringify(out, null, 2) + '\n';
}
