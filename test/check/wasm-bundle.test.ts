/**
 * `gitops check --engine wasm --bundle <bundle.tar.gz>` end to end on a REAL
 * temporary git repository holding a copy of the sample.
 *
 * No OPA compiler exists on this machine (no `opa` binary, not on npm), so no
 * OPA-compiled policy.wasm exists here either. The bundles below are built by
 * the test: a gzipped ustar archive (what `opa build` writes) holding the
 * sample's .rego sources and a policy.wasm assembled (with the `wabt` npm
 * package) from a hand-written WebAssembly-text module that implements the
 * part of OPA's wasm ABI the @open-policy-agent/opa-wasm SDK calls, for a
 * FIXED decision document at entrypoint `gitops/policies`. That decision
 * denies the seed intent via SEC-ENC-001 with the message "from wasm", which
 * the in-process interpreter never says (it allows the seed): so a denial
 * proves the decision came from the wasm.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleWat, tarGz } from '../support/opa-bundle.ts';
import type { CheckReport, PolicyResult } from '../../runner/model/report.ts';
import { STAGES } from '../../runner/check/pipeline.ts';
import { type Stage } from '../../runner/model/stage.ts';
import { runCheck } from '../../runner/check/run.ts';
import { createRunContext } from '../../runner/core/run-context.ts';
import { MemorySink } from '../../runner/core/events.ts';
import { compilePolicies, readPolicyModules } from '../../runner/policy/load.ts';
import { workTree } from '../../runner/git/tree.ts';
import { lineOf, runCli, spawnCli, tempRepo, type TempRepo } from './helpers.ts';

const INTENT = 'intents/DEPLOY-WEB-001.yaml';

/** Bytes of a WAT data string: `"` and `\` escaped, the rest kept (ASCII JSON). */
const watString = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/**
 * A module whose every evaluation returns `[{"result": <decision>}]`. Values
 * are addresses of NUL-terminated JSON text, so parse/dump are identities.
 */
function wat(entrypoints: string[], decision: unknown, abort = false): string {
  const eps = JSON.stringify(Object.fromEntries(entrypoints.map((e, i) => [e, i])));
  const result = JSON.stringify([{ result: decision }]);
  if (result.length > 60_000) throw new Error('decision too large for the fixed module');
  return String.raw`
(module
  (import "env" "memory" (memory 4))
  (import "env" "opa_abort" (func $abort (param i32)))
  (global (export "opa_wasm_abi_version") i32 (i32.const 1))
  (global (export "opa_wasm_abi_minor_version") i32 (i32.const 2))
  (global $heap (mut i32) (i32.const 131072))
  (data (i32.const 16) "{}\00")
  (data (i32.const 64) "${watString(eps)}\00")
  (data (i32.const 4096) "${watString(result)}\00")
  (func (export "builtins") (result i32) (i32.const 16))
  (func (export "entrypoints") (result i32) (i32.const 64))
  (func (export "opa_heap_ptr_get") (result i32) (global.get $heap))
  (func (export "opa_heap_ptr_set") (param i32) (global.set $heap (local.get 0)))
  (func (export "opa_malloc") (param $n i32) (result i32) (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (i32.add (local.get $n) (i32.const 1))))
    (i32.store8 (i32.add (local.get $p) (local.get $n)) (i32.const 0))
    (local.get $p))
  (func (export "opa_json_parse") (param $a i32) (param $n i32) (result i32) (local.get $a))
  (func (export "opa_json_dump") (param $a i32) (result i32) (local.get $a))
  (func (export "opa_eval") (param i32 i32 i32 i32 i32 i32 i32) (result i32)
    (global.set $heap (local.get 5))
    ${abort ? '(call $abort (i32.const 2048))' : ''}
    (i32.const 4096))
  (data (i32.const 2048) "evaluation aborted by the module\00"))
`;
}

const assemble = (text: string) => assembleWat(text, 'decision.wat');

/** The decision the wasm gives: two SEC-ENC-001 denials, deliberately NOT in OPA's set order. */
const FROM_WASM = {
  sec_enc_001: {
    deny: [
      { msg: 'from wasm', path: ['intent', 'id'] },
      { msg: 'also from wasm', path: ['intent', 'constraints', 'budget'] },
    ],
  },
};

let repo: TempRepo;
let intentText: string;
/** Every .rego under the sample's policies/, as `opa build policies/` stores them. */
let sources: Record<string, string>;
let scratch: string;

async function bundleFile(name: string, files: Record<string, Uint8Array | string>): Promise<string> {
  const path = join(scratch, name);
  await writeFile(path, tarGz(files));
  return path;
}

async function wasmBundle(name: string, decision: unknown, opts: { entrypoints?: string[]; rego?: Record<string, string>; abort?: boolean } = {}): Promise<string> {
  const wasm = await assemble(wat(opts.entrypoints ?? ['gitops/policies'], decision, opts.abort));
  const manifest = JSON.stringify({ revision: '', roots: [''], wasm: [{ entrypoint: 'gitops/policies', module: '/policy.wasm' }] });
  return bundleFile(name, { '/data.json': '{}', '/.manifest': manifest, ...(opts.rego ?? sources), '/policy.wasm': wasm });
}

beforeAll(async () => {
  repo = await tempRepo();
  scratch = await mkdtemp(join(tmpdir(), 'gitops-bundle-'));
  sources = {};
  for (const f of (await repo.git('ls-files', 'policies')).split('\n').filter((p) => p.endsWith('.rego'))) {
    sources['/' + f] = await readFile(join(repo.dir, f), 'utf8');
  }
  // The pull request: the seed intent scaled up (the interpreter allows it).
  intentText = (await readFile(join(repo.dir, INTENT), 'utf8')).replace('max_instances: 10', 'max_instances: 12');
  await repo.git('checkout', '-q', '-b', 'feature');
  await repo.write(INTENT, intentText);
  await repo.commitAll('scale web');
  await repo.git('checkout', '-q', 'main');
});
afterAll(async () => {
  await repo.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

async function check(args: string[]): Promise<{ code: number; report: CheckReport; stderr: string }> {
  const r = await runCli(['check', '--base', 'main', '--head', 'feature', '--format', 'json', ...args], repo.dir);
  return { code: r.code, report: JSON.parse(r.stdout) as CheckReport, stderr: r.stderr };
}

const failed = (r: CheckReport): PolicyResult[] => r.intents.flatMap((i) => i.results.filter((x) => x.status === 'failed'));

describe('gitops check --bundle (decision from OPA wasm; hand-written WAT module, no OPA compiler here)', () => {
  it('without --bundle the in-process engine allows the pull request', async () => {
    const { code, report } = await check([]);
    expect(code).toBe(0);
    expect(report.intents.map((i) => i.decision)).toEqual(['allow']);
  });

  it('with --bundle the decision comes from policy.wasm: SEC-ENC-001 denies with the wasm\'s message and line', async () => {
    const bundle = await wasmBundle('fixed.tar.gz', FROM_WASM);
    const { code, report } = await check(['--bundle', bundle]);
    expect(report.diagnostics).toEqual([]);
    expect(code).toBe(1);
    const intent = report.intents[0]!;
    expect(intent.decision).toBe('deny');
    // Sorted in OPA's set order like the interpreter's output ("also…" < "from…"), mapped to the named lines.
    expect(failed(report)).toEqual([
      { policy: 'SEC-ENC-001', title: 'TLS 1.3 enabled', status: 'failed', severity: 'deny', message: 'also from wasm', file: INTENT, line: lineOf(intentText, 'budget:'), path: 'intent.constraints.budget' },
      { policy: 'SEC-ENC-001', title: 'TLS 1.3 enabled', status: 'failed', severity: 'deny', message: 'from wasm', file: INTENT, line: lineOf(intentText, 'id:'), path: 'intent.id' },
    ]);
    // Policies absent from the wasm's document passed, with their METADATA from the in-process compile.
    expect(intent.results.filter((r) => r.status === 'passed').map((r) => r.policy)).toContain('SEC-AUTH-001');
  });

  it('--engine wasm is explicit too, and the text report names policy, message and line', async () => {
    const bundle = await wasmBundle('explicit.tar.gz', FROM_WASM);
    const r = await runCli(['check', '--base', 'main', '--head', 'feature', '--engine', 'wasm', '--bundle', bundle], repo.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✖ DENY');
    expect(r.stdout).toMatch(/SEC-ENC-001.*from wasm/);
    expect(r.stdout).toContain(`${INTENT}:${lineOf(intentText, 'id:')}`);
  });

  it('both engines give the same results when the wasm returns the interpreter\'s own document', async () => {
    // Capture the policy input the pipeline builds, and evaluate it in-process.
    const inputs: unknown[] = [];
    const capture: Stage = { name: 'capture-input', run: (w) => (inputs.push(w.input), { patch: {} }) };
    const stages = STAGES.flatMap((s) => (s.name === 'policies' ? [s, capture] : [s]));
    const interp = await runCheck({ cwd: repo.dir, base: 'main', head: 'feature', stages });
    expect(inputs).toHaveLength(1);
    const set = compilePolicies(await readPolicyModules(workTree(repo.dir)), 'test');
    if (!set.ok) throw new Error(JSON.stringify(set.diagnostics));
    const doc = set.value.prepared.evalRef(['gitops', 'policies'], { input: inputs[0] });
    const bundle = await wasmBundle('same.tar.gz', doc);
    const sink = new MemorySink();
    const ctx = createRunContext({ repoDir: repo.dir, kind: 'check', sink });
    const wasm = await runCheck({ cwd: repo.dir, base: 'main', head: 'feature', engine: { kind: 'wasm', bundle }, ctx });
    expect(wasm.diagnostics).toEqual([]);
    expect(wasm.intents.map((i) => i.results)).toEqual(interp.intents.map((i) => i.results));
    expect(wasm.intents.map((i) => i.decision)).toEqual(['allow']);
    // The audit trail says which engine decided.
    const validate = sink.events.find((e) => e.action === 'validate_policies')!;
    expect(validate.details!.policy_source).toBe(`main (${(await repo.git('rev-parse', '--short=7', 'main')).trim()}), wasm bundle ${bundle}`);
  });

  it('fails closed when the wasm evaluation aborts: every policy fails with the error', async () => {
    const bundle = await wasmBundle('abort.tar.gz', FROM_WASM, { abort: true });
    const { code, report } = await check(['--bundle', bundle]);
    expect(code).toBe(1);
    const intentPolicies = report.intents[0]!.results.filter((r) => r.message.startsWith('policy evaluation error:'));
    expect(intentPolicies.map((r) => r.policy)).toEqual(expect.arrayContaining(['SEC-AUTH-001', 'SEC-ENC-001', 'COMP-BUDGET-001']));
    expect(intentPolicies.every((r) => r.status === 'failed' && r.message.includes('evaluation aborted by the module'))).toBe(true);
  });

  it('refuses a bundle built from other policies (e.g. the PR head\'s edited SEC-ENC-001): exit 2 bundle_policy_mismatch naming the file', async () => {
    const edited = { ...sources, '/policies/security/sec_enc_001.rego': sources['/policies/security/sec_enc_001.rego'] + '\n# weakened on the branch\n' };
    const bundle = await wasmBundle('edited.tar.gz', FROM_WASM, { rego: edited });
    const { code, report } = await check(['--bundle', bundle]);
    expect(code).toBe(2);
    expect(report.intents).toEqual([]);
    expect(report.diagnostics).toHaveLength(1);
    const d = report.diagnostics[0]!;
    expect(d.code).toBe('bundle_policy_mismatch');
    expect(d.file).toBe('policies/security/sec_enc_001.rego');
    expect(d.message).toContain("differs from the bundle's policies/security/sec_enc_001.rego");
    expect(d.message).toContain(bundle);
  });

  it('refuses a bundle missing an intent policy, or carrying a .rego that is not one of the base\'s policies', async () => {
    const { ['/policies/compliance/comp_budget_001.rego']: _dropped, ...without } = sources;
    const missing = await check(['--bundle', await wasmBundle('missing.tar.gz', FROM_WASM, { rego: without })]);
    expect(missing.code).toBe(2);
    expect(missing.report.diagnostics[0]).toMatchObject({ code: 'bundle_policy_mismatch', file: 'policies/compliance/comp_budget_001.rego' });
    expect(missing.report.diagnostics[0]!.message).toContain('is missing from the bundle');

    // An extra module can add to a policy's package (e.g. to a set a rule tests with `not`) and weaken it.
    const extraRego = { ...sources, '/policies/security/exempt.rego': 'package gitops.policies.sec_enc_001\n\nimport rego.v1\n\nexempt := true\n' };
    const bundle = await wasmBundle('extra.tar.gz', FROM_WASM, { rego: extraRego });
    const extra = await check(['--bundle', bundle]);
    expect(extra.code).toBe(2);
    expect(extra.report.diagnostics[0]).toMatchObject({ code: 'bundle_policy_mismatch', file: bundle });
    expect(extra.report.diagnostics[0]!.message).toContain("the bundle's policies/security/exempt.rego is not one of the .rego files under policies/");
  });

  it('a bundle without the gitops/policies entrypoint is a runner error naming the bundle', async () => {
    const bundle = await wasmBundle('plan-only.tar.gz', FROM_WASM, { entrypoints: ['gitops/plan'] });
    const { code, report } = await check(['--bundle', bundle]);
    expect(code).toBe(2);
    expect(report.diagnostics[0]).toMatchObject({ code: 'bundle_missing_entrypoint', file: bundle });
    expect(report.diagnostics[0]!.message).toContain('has no entrypoint gitops/policies (has: gitops/plan)');
  });

  it('a file that is not a gzip bundle, or no file at all: exit 2 naming the path, no stack trace (real process)', async () => {
    await repo.write('.gitops/policy-bundle.tar.gz', 'this is not a gzip file\n');
    const r = await spawnCli(['check', '--base', 'main', '--head', 'feature', '--bundle', '.gitops/policy-bundle.tar.gz'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('error: .gitops/policy-bundle.tar.gz: bundle_error: cannot read the policy bundle .gitops/policy-bundle.tar.gz');
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);

    const absent = await check(['--bundle', join(scratch, 'nope.tar.gz')]);
    expect(absent.code).toBe(2);
    expect(absent.report.diagnostics[0]).toMatchObject({ code: 'bundle_error', file: join(scratch, 'nope.tar.gz') });
    expect(absent.report.diagnostics[0]!.message).toContain('ENOENT');

    const noWasm = await bundleFile('no-wasm.tar.gz', { '/data.json': '{}', ...sources });
    const nw = await check(['--bundle', noWasm]);
    expect(nw.code).toBe(2);
    expect(nw.report.diagnostics[0]!.message).toContain('has no /policy.wasm');
  });

  it('--engine wasm without --bundle and no opa on PATH: exit 2 with a clear message (real process)', async () => {
    // A PATH holding only git, so `opa` cannot be found whatever this machine has installed.
    const bin = await mkdtemp(join(tmpdir(), 'gitops-path-'));
    try {
      await symlink(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), join(bin, 'git'));
      const r = await spawnCli(['check', '--base', 'main', '--head', 'feature', '--engine', 'wasm'], repo.dir, { PATH: bin });
      expect(r.code).toBe(2);
      expect(r.stdout).toContain('opa_not_found: --engine wasm without --bundle builds the bundle with `opa build`, but opa is not on PATH');
      expect(r.stdout).toContain('pass --bundle <bundle.tar.gz>');
      expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });

  it('--engine wasm without --bundle runs `opa build` from PATH on the policies used (a stand-in opa script; the real one is absent here)', async () => {
    const bin = await mkdtemp(join(tmpdir(), 'gitops-fake-opa-'));
    try {
      const prebuilt = await wasmBundle('prebuilt.tar.gz', FROM_WASM);
      const record = join(bin, 'record.txt');
      // Records its arguments and the .rego files it was given, then writes the prebuilt bundle where -o says.
      await writeFile(
        join(bin, 'opa'),
        '#!/bin/sh\necho "$*" > "$RECORD"\nout=""; prev=""; last=""\nfor a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; last="$a"; done\n(cd "$last" && find . -name "*.rego" | sort) >> "$RECORD"\ncp "$PREBUILT" "$out"\n',
      );
      await chmod(join(bin, 'opa'), 0o755);
      const r = await spawnCli(['check', '--base', 'main', '--head', 'feature', '--engine', 'wasm', '--format', 'json'], repo.dir, {
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        RECORD: record,
        PREBUILT: prebuilt,
      });
      const report = JSON.parse(r.stdout) as CheckReport;
      expect(report.diagnostics).toEqual([]);
      expect(r.code).toBe(1);
      expect(failed(report).map((f) => f.message)).toEqual(['also from wasm', 'from wasm']);
      const lines = (await readFile(record, 'utf8')).trim().split('\n');
      expect(lines[0]).toMatch(/^build -t wasm -e gitops\/policies -o \S+\/bundle\.tar\.gz \S+\/policies$/);
      // Exactly the intent policies the check compiled: no unit tests, no other policy families.
      expect(lines.slice(1)).toEqual(
        Object.keys(sources)
          .map((p) => p.replace('/policies/', './'))
          .filter((p) => !p.endsWith('_test.rego') && !p.startsWith('./agents/') && !p.startsWith('./plan/'))
          .sort(),
      );
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });

  it('rejects contradictory or unknown engine options as usage errors', async () => {
    const a = await runCli(['check', '--all', '--engine', 'interp', '--bundle', 'x.tar.gz'], repo.dir);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('--bundle is evaluated by --engine wasm, not --engine interp');
    const b = await runCli(['check', '--all', '--engine', 'opa'], repo.dir);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("unknown engine 'opa' (one of: interp, wasm)");
  });
});
