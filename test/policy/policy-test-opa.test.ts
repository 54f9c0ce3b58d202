/**
 * `gitops policy test` behaving like `opa test` (OPA 1.x's tester): data files
 * loaded at their folder's path, --data, --ignore, -r, data-driven tests,
 * repeated test names, --explain fails.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globMatch, loadTestInputs, renderTestReport, runPolicyTests, testCounts } from '../../runner/policy/test.ts';
import { runCli } from '../check/helpers.ts';

let dir: string;
const put = async (rel: string, text: string) => {
  await mkdir(join(dir, rel, '..'), { recursive: true });
  await writeFile(join(dir, rel), text);
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitops-opa-test-'));
  // data at suite/ (root of the argument), suite/roles/ and suite/cfg/limits/
  await put('suite/data.json', '{"env": "prod"}');
  await put('suite/roles/data.yaml', 'admin: [alice]\nviewer: [bob, carol]\n');
  await put('suite/cfg/limits/values.yml', 'max: 3\n');
  await put('suite/cfg/limits/skip.yaml', 'max: 99\n'); // same key: a merge error unless ignored
  await put('suite/ignored/bad.rego', 'package broken\n\nx := \n');
  await put(
    'suite/policy_test.rego',
    `package suite_test

test_root_data if data.env == "prod"

test_dir_data if "alice" in data.roles.admin

test_nested if data.cfg.limits.max == 3

test_extra if data.extra.flag == true

# data-driven: one entry per case
test_lengths[note] if {
	some note, want in {"admins": 1, "viewers": 2}
	count(data.roles[trim_suffix(note, "s")]) == want
}

test_some_fail[note] := ok if {
	some note, ok in {"good": true, "bad": false}
}

# a repeated name: two tests, the second reported as test_twice#01
test_twice if true

test_twice if false

test_false if {
	x := 1
	x == 2
}

todo_test_later if false
`,
  );
  await put('extra.json', '{"extra": {"flag": true}}');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('gitops policy test like opa test', () => {
  it('matches base names with Go filepath.Match globs', () => {
    expect(globMatch('*.yaml', 'skip.yaml')).toBe(true);
    expect(globMatch('*.yaml', 'data.yml')).toBe(false);
    expect(globMatch('ign?red', 'ignored')).toBe(true);
    expect(globMatch('[a-c]*', 'bad.rego')).toBe(true);
    expect(globMatch('[^a-c]*', 'bad.rego')).toBe(false);
    expect(globMatch('a.b', 'axb')).toBe(false);
  });

  it('loads data files at their folder’s path relative to the argument, and refuses two files defining one value', async () => {
    await expect(loadTestInputs(dir, ['suite'], { ignore: ['ignored'] })).rejects.toMatchObject({ diagnostics: [{ code: 'data_merge_error' }] });
    const inputs = await loadTestInputs(dir, ['suite'], { ignore: ['ignored', 'skip.yaml'], data: ['extra.json'] });
    expect(inputs.data).toEqual({ env: 'prod', roles: { admin: ['alice'], viewer: ['bob', 'carol'] }, cfg: { limits: { max: 3n } }, extra: { flag: true } });
    expect(inputs.modules.map((m) => m.file)).toEqual(['suite/policy_test.rego']);
  });

  it('an empty YAML data file is null at its folder’s path, as OPA loads it (GoogleCloudPlatform/policy-library relies on it)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'gitops-emptyyaml-'));
    try {
      await mkdir(join(root, 'fx', 'constraints', 'none'), { recursive: true });
      await mkdir(join(root, 'fx', 'constraints', 'one'), { recursive: true });
      await writeFile(join(root, 'fx', 'constraints', 'none', 'data.yaml'), '');
      await writeFile(join(root, 'fx', 'constraints', 'one', 'data.yaml'), 'spec: 1\n');
      const inputs = await loadTestInputs(root, ['fx']);
      expect(inputs.data).toEqual({ constraints: { none: null, one: { spec: 1n } } });
      await writeFile(join(root, 'fx', 'data.yaml'), '');
      await expect(loadTestInputs(root, ['fx'])).rejects.toMatchObject({ diagnostics: [{ code: 'data_merge_error' }] });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('runs data-driven tests per entry, repeated names separately, and counts as OPA does', async () => {
    const inputs = await loadTestInputs(dir, ['suite'], { ignore: ['ignored', 'skip.yaml'], data: ['extra.json'] });
    const r = runPolicyTests(inputs.modules, { data: inputs.data });
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const by = Object.fromEntries(r.value.map((c) => [c.name.replace('data.suite_test.', ''), c]));
    expect(Object.keys(by)).toEqual(['test_root_data', 'test_dir_data', 'test_nested', 'test_extra', 'test_lengths', 'test_some_fail', 'test_twice', 'test_twice#01', 'test_false', 'todo_test_later']);
    expect(by.test_lengths).toMatchObject({ status: 'PASS', sub: [{ name: 'admins', status: 'PASS' }, { name: 'viewers', status: 'PASS' }] });
    expect(by.test_some_fail).toMatchObject({ status: 'FAIL', sub: [{ name: 'bad', status: 'FAIL' }, { name: 'good', status: 'PASS' }] });
    expect(by.test_twice!.status).toBe('PASS');
    expect(by['test_twice#01']!.status).toBe('FAIL');
    expect(by.test_false!.status).toBe('FAIL');
    // 5 plain passes + 2 + 1 entries passing, 1 entry + test_twice#01 + test_false failing, 1 skipped
    expect(testCounts(r.value)).toEqual({ PASS: 8, FAIL: 3, SKIPPED: 1, ERROR: 0, total: 12 });
    const text = renderTestReport(r.value, { explain: 'fails' });
    expect(text).toContain('data.suite_test.test_some_fail: FAIL');
    expect(text).toContain('\n  bad: FAIL\n');
    expect(text).toContain('FAILURES');
    expect(text).toMatch(/data\.suite_test\.test_twice#01: FAIL \([^)]*\)\n\n  suite\/policy_test\.rego:\d+:\n    undefined\n/);
    expect(text.endsWith('PASS: 8/12\nFAIL: 3/12\nSKIPPED: 1/12\n')).toBe(true);
  });

  it('CLI: --ignore, -d, -r and --explain fails', async () => {
    const all = await runCli(['policy', 'test', 'suite', '--ignore', 'ignored', '--ignore', '*.yaml', '-d', 'extra.json', '--explain', 'fails'], dir);
    // skip.yaml and roles/data.yaml are ignored (as upstream's --ignore '*.yaml'): the roles tests fail
    expect(all.code).toBe(1);
    expect(all.stdout).toContain('FAILURES');
    expect(all.stdout).toContain('data.suite_test.test_dir_data: FAIL');
    const one = await runCli(['policy', 'test', 'suite', '--ignore', 'ignored', '--ignore', 'skip.yaml', '-d', 'extra.json', '-r', 'test_(root|dir)_data$'], dir);
    expect(one.stdout).toBe('PASS: 2/2\n');
    expect(one.code).toBe(0);
    const broken = await runCli(['policy', 'test', 'suite', '--ignore', 'skip.yaml'], dir);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^suite\/ignored\/bad\.rego:\d+:\d+: rego_parse_error/m);
    const badExplain = await runCli(['policy', 'test', 'suite', '--explain', 'everything'], dir);
    expect(badExplain.code).toBe(2);
  });

  it('CLI: --format json is opa test’s JSON report (fail/skip flags, sub_results, duration in ns)', async () => {
    const r = await runCli(['policy', 'test', 'suite', '--ignore', 'ignored', '--ignore', 'skip.yaml', '-d', 'extra.json', '--format', 'json'], dir);
    expect(r.code).toBe(1);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    const by = Object.fromEntries(rows.map((x) => [x.name as string, x]));
    expect(by.test_root_data).toMatchObject({ package: 'data.suite_test', location: { file: 'suite/policy_test.rego', row: 3, col: 1 } });
    expect(by.test_root_data).not.toHaveProperty('fail');
    expect(typeof by.test_root_data!.duration).toBe('number');
    expect(by['test_twice#01']).toMatchObject({ fail: true });
    expect(by.todo_test_later).toMatchObject({ skip: true });
    expect(by.test_some_fail).toMatchObject({ fail: true, sub_results: { bad: { name: 'bad', fail: true }, good: { name: 'good' } } });
    await put('err/e_test.rego', 'package e_test\n\np := 1 if true\n\np := 2 if true\n\ntest_conflict if p == 1\n');
    const err = await runCli(['policy', 'test', 'err', '--format', 'json'], dir);
    expect(err.code).toBe(1);
    expect(JSON.parse(err.stdout)[0]).toMatchObject({ name: 'test_conflict', error: { code: 'eval_conflict_error', location: { file: 'err/e_test.rego' } } });
    const bad = await runCli(['policy', 'test', 'suite', '--format', 'xml'], dir);
    expect(bad.code).toBe(2);
  });

  it('nested data-driven tests (test_x[group][case]) report a tree and count the leaves, as OPA does', async () => {
    await put(
      'nested/n_test.rego',
      `package n_test

test_cases[group][name] if {
	some group, cases in {"math": {"one": 1, "two": 2}, "strings": {"a": "a", "b": "c"}}
	some name, want in cases
	got := {"one": 1, "two": 2, "a": "a", "b": "b"}[name]
	got == want
}

test_flags[group][name] := ok if {
	some group, flags in {"g": {"yes": true, "no": false}}
	some name, ok in flags
}
`,
    );
    const inputs = await loadTestInputs(dir, ['nested']);
    const r = runPolicyTests(inputs.modules);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const [cases, flags] = r.value;
    expect(cases).toMatchObject({ status: 'PASS', sub: [{ name: 'math', status: 'PASS', sub: [{ name: 'one' }, { name: 'two' }] }, { name: 'strings', status: 'PASS', sub: [{ name: 'a' }] }] });
    expect(flags).toMatchObject({ status: 'FAIL', sub: [{ name: 'g', status: 'FAIL', sub: [{ name: 'no', status: 'FAIL' }, { name: 'yes', status: 'PASS' }] }] });
    // leaves: one, two, a (b's case never yields) + yes pass; no fails
    expect(testCounts(r.value)).toEqual({ PASS: 4, FAIL: 1, SKIPPED: 0, ERROR: 0, total: 5 });
    const text = renderTestReport(r.value, { explain: 'fails' });
    expect(text).toContain('data.n_test.test_flags: FAIL');
    expect(text).toContain('\n  g: FAIL\n    no: FAIL\n');
    expect(text).toContain('    g / no: FAIL (entry is not true)');
  });
});
