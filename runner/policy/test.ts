/**
 * `gitops policy test`: run the `test_*` rules of Rego files, like `opa test`.
 * A test passes when its rule evaluates to true; false or undefined fails;
 * an evaluation error is an ERROR. Rules named `todo_test_*` are SKIPPED.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { RE2JS } from 're2js';
import { GitopsError, diag, ok, type Result } from '../core/diagnostics.ts';
import { readNoFollow, symlinkRefused } from '../core/files.ts';
import { decodeRepoText } from '../core/text.ts';
import { EvalError, prepare, type ModuleSource } from '../rego/api.ts';

export type TestStatus = 'PASS' | 'FAIL' | 'ERROR' | 'SKIPPED';

export interface TestCase {
  /** data.gitops.policies.sec_auth_001.test_seed_passes */
  name: string;
  file: string;
  line: number;
  status: TestStatus;
  duration_ms: number;
  error?: string;
  output: string[];
}

/** Every `.rego` file under the given files/folders, repository-relative to `cwd`, sorted. */
export async function readRegoFiles(cwd: string, targets: string[]): Promise<ModuleSource[]> {
  const found: string[] = [];
  async function walk(abs: string): Promise<void> {
    // lstat: a symlinked policy or folder (a pull request's `policies/x.rego → /etc/passwd`) is refused, not followed.
    const st = await lstat(abs);
    if (st.isSymbolicLink()) throw new GitopsError(symlinkRefused(relative(cwd, abs).split(sep).join('/')), 2);
    if (st.isDirectory()) {
      for (const e of await readdir(abs)) if (e !== 'node_modules' && e !== '.git') await walk(join(abs, e));
    } else if (abs.endsWith('.rego')) found.push(abs);
  }
  for (const t of targets) {
    const abs = join(cwd, t);
    try {
      await walk(abs);
    } catch (err) {
      if (err instanceof GitopsError) throw err;
      throw new GitopsError(diag('policy_path_missing', `no such file or folder: ${t}`), 2);
    }
  }
  const files = [...new Set(found)].sort();
  return Promise.all(files.map(async (f) => ({ file: relative(cwd, f).split(sep).join('/'), text: decodeRepoText(await readNoFollow(f), relative(cwd, f).split(sep).join('/')) })));
}

export interface TestOptions {
  /** Only run tests whose full name matches this RE2 pattern. */
  run?: string;
}

export function runPolicyTests(modules: ModuleSource[], opts: TestOptions = {}): Result<TestCase[]> {
  const prepared = prepare(modules, { strictBuiltinErrors: false });
  if (!prepared.ok) return prepared;
  const p = prepared.value;
  let filter: RE2JS | undefined;
  if (opts.run) {
    try {
      filter = RE2JS.compile(opts.run);
    } catch (err) {
      throw new GitopsError(diag('usage_error', `gitops policy test: --run is not a valid regular expression: ${(err as Error).message}`), 2);
    }
  }
  const seen = new Set<string>();
  const cases: TestCase[] = [];
  const rules = [...p.rules()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  for (const r of rules) {
    const todo = r.name.startsWith('todo_test_');
    if (!(r.name.startsWith('test_') || todo) || r.kind === 'function') continue;
    const name = ['data', ...r.package, r.name].join('.');
    if (seen.has(name)) continue; // several bodies of one test are one test (OR), as in OPA
    seen.add(name);
    if (filter && !filter.matcher(name).find()) continue;
    const base = { name, file: r.file, line: r.line };
    if (todo) {
      cases.push({ ...base, status: 'SKIPPED', duration_ms: 0, output: [] });
      continue;
    }
    const output: string[] = [];
    const started = performance.now();
    let status: TestStatus;
    let error: string | undefined;
    try {
      const v = p.evalRef([...r.package, r.name], { print: (m, loc) => output.push(`${loc.file}:${loc.line}: ${m}`) });
      status = v === true ? 'PASS' : 'FAIL';
    } catch (err) {
      status = 'ERROR';
      error = err instanceof EvalError ? `${err.diagnostic.file ?? r.file}:${err.diagnostic.line ?? r.line}: ${err.diagnostic.code}: ${err.message}` : String(err);
    }
    cases.push({ ...base, status, duration_ms: performance.now() - started, ...(error ? { error } : {}), output });
  }
  return ok(cases);
}

function duration(ms: number): string {
  return ms < 1 ? `${Math.round(ms * 1000)}µs` : `${ms.toFixed(3)}ms`;
}

const RULE = '-'.repeat(80);

/** `opa test` style output: failing (or, verbose, all) tests grouped by file, then PASS/FAIL/ERROR/SKIPPED counts. */
export function renderTestReport(cases: TestCase[], verbose: boolean): string {
  const out: string[] = [];
  const shown = verbose ? cases : cases.filter((c) => c.status === 'FAIL' || c.status === 'ERROR');
  let file = '';
  for (const c of shown) {
    if (c.file !== file) {
      if (file) out.push('');
      out.push(`${c.file}:`);
      file = c.file;
    }
    out.push(`${c.name}: ${c.status} (${duration(c.duration_ms)})`);
    if (c.error) out.push(`  ${c.error}`);
    if (verbose || c.status !== 'PASS') for (const o of c.output) out.push(`  ${o}`);
  }
  if (shown.length) out.push(RULE);
  const total = cases.length;
  for (const s of ['PASS', 'FAIL', 'SKIPPED', 'ERROR'] as const) {
    const n = cases.filter((c) => c.status === s).length;
    if (n > 0 || (s === 'PASS' && total > 0)) out.push(`${s}: ${n}/${total}`);
  }
  if (total === 0) out.push('no tests found');
  return out.join('\n') + '\n';
}
