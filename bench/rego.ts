/**
 * `gitops bench rego` (npm run bench:rego): measures, never asserts.
 *
 *  1. the repo's intent policies (policies/**\/*.rego minus *_test.rego) on
 *     the input the check builds from intents/DEPLOY-WEB-001.yaml:
 *     prepare time, per-decision latency and decisions/s of
 *     evalRef(['gitops','policies']) — one decision = the whole policy set
 *     for one intent, the whole tree's JSON;
 *  1b. the check's decision path: the intent policies the check loads
 *     (compilePolicies), `evalRefs` of each policy's deny and warn
 *     (decisionPaths, what runner/policy/evaluate.ts evaluates per intent),
 *     measured in rounds alternating with the full-tree evalRef of the same
 *     policy set, so both figures see the same machine state;
 *  2. a generated policy of ~200 rules (20 packages × 10 deny rules);
 *  3. heap after 1,000,000 evaluations of (1) compared with the heap after
 *     warm-up (flat memory = no growth beyond noise).
 *
 * Options: --evals <n> (default 1000000) for step 3, --seconds <s> (default 2)
 * per throughput measurement (rounds of 0.25 s; the median round is reported).
 */
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseArgs } from 'node:util';
import { availableParallelism, loadavg } from 'node:os';
import { prepare, type ModuleSource, type PreparedPolicy } from '../runner/rego/api.ts';
import { INTENT_POLICY_ROOT, compilePolicies, isIntentPolicyFile } from '../runner/policy/load.ts';
import { decisionPaths } from '../runner/policy/evaluate.ts';

function regoFiles(root: string): ModuleSource[] {
  const out: ModuleSource[] = [];
  const visit = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) visit(p);
      else if (n.endsWith('.rego') && !n.endsWith('_test.rego')) out.push({ file: relative(process.cwd(), p), text: readFileSync(p, 'utf8') });
    }
  };
  if (existsSync(root)) visit(root);
  return out;
}

/** The check's input for one intent; falls back to `{intent}` if the translation layer cannot run here. */
async function seedInput(cwd: string): Promise<{ input: unknown; how: string }> {
  const file = join(cwd, 'intents', 'DEPLOY-WEB-001.yaml');
  const text = readFileSync(file, 'utf8');
  try {
    const { loadIntent } = await import('../runner/intent/load.ts');
    const { translate } = await import('../runner/translate/registry.ts');
    const { estimateCost } = await import('../runner/translate/cost.ts');
    const { buildPolicyInput } = await import('../runner/policy/input.ts');
    const doc = loadIntent('intents/DEPLOY-WEB-001.yaml', text);
    if (!doc.ok) throw new Error(doc.diagnostics[0]!.message);
    const t = translate(doc.value);
    if (!t.ok) throw new Error(t.diagnostics[0]!.message);
    const c = estimateCost(t.value.actions, t.value.region);
    if (!c.ok) throw new Error(c.diagnostics[0]!.message);
    return { input: JSON.parse(JSON.stringify(buildPolicyInput(doc.value, t.value, c.value))), how: 'check input (load → translate → cost → buildPolicyInput)' };
  } catch (e) {
    const { parse } = await import('yaml');
    return { input: parse(text), how: `raw intent YAML (check input unavailable: ${e instanceof Error ? e.message : String(e)})` };
  }
}

function generated(packages: number, rulesPer: number): ModuleSource[] {
  const out: ModuleSource[] = [];
  for (let p = 0; p < packages; p++) {
    const lines = [`package gitops.policies.gen_${p}`, 'import rego.v1', ''];
    for (let r = 0; r < rulesPer; r++) {
      const n = p * rulesPer + r;
      lines.push(
        `deny contains msg if {`,
        `\tsome i, a in input.actions`,
        `\ta.action == "action_${n % 7}"`,
        `\tcount(object.keys(object.get(a, "config", {}))) > ${n % 5}`,
        `\tnot startswith(object.get(a, "name", "x"), "skip_${n}")`,
        `\tmsg := sprintf("rule ${n}: action %d (%s) denied", [i, a.action])`,
        `}`,
        '',
      );
    }
    out.push({ file: `gen_${p}.rego`, text: lines.join('\n') });
  }
  return out;
}

function timePrepare(mods: ModuleSource[], runs: number): { ms: number; policy: PreparedPolicy } {
  let best = Infinity;
  let policy: PreparedPolicy | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = prepare(mods);
    const dt = performance.now() - t0;
    if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.line}: ${d.code}: ${d.message}`).join('\n'));
    policy = r.value;
    best = Math.min(best, dt);
  }
  return { ms: best, policy: policy! };
}

interface Throughput {
  /** Median over the rounds. */
  perSec: number;
  usPer: number;
  /** Fastest round. */
  bestUsPer: number;
  n: number;
}

/**
 * Decisions per second in rounds of ~0.25 s; the median round is the figure,
 * the fastest is shown too (the machine is shared: rounds slowed by other
 * jobs are the noise, not the engine). `inputs` are used in turn.
 */
function throughput(policy: PreparedPolicy, inputs: unknown[], seconds: number): Throughput {
  const path = ['gitops', 'policies'];
  let j = 0;
  const next = (): unknown => inputs[j++ % inputs.length];
  for (let i = 0; i < 5000; i++) policy.evalRef(path, { input: next() });
  const rounds: number[] = [];
  let n = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end || rounds.length < 3) {
    const t0 = performance.now();
    let k = 0;
    while (performance.now() - t0 < 250) {
      for (let i = 0; i < 200; i++) policy.evalRef(path, { input: next() });
      k += 200;
    }
    rounds.push(((performance.now() - t0) * 1000) / k);
    n += k;
  }
  rounds.sort((a, b) => a - b);
  const usPer = rounds[Math.floor(rounds.length / 2)]!;
  return { perSec: 1e6 / usPer, usPer, bestUsPer: rounds[0]!, n };
}

/**
 * Nothing is remembered across evaluations by input identity: distinct but
 * equal input objects (each evaluated as the check evaluates a fresh input)
 * cost the same. A function of its own so the copies are garbage afterwards.
 */
function distinctInputs(policy: PreparedPolicy, input: unknown, seconds: number): Throughput {
  const copies = Array.from({ length: 1000 }, () => structuredClone(input));
  return throughput(policy, copies, seconds);
}

/**
 * Several ways to decide, measured in alternating rounds of ~0.25 s (A, B,
 * A, B, …): the VM switches between an uncontended state and one ~1.5–2×
 * slower, and alternating puts both figures under the same conditions.
 */
function alternating(decide: Record<string, () => unknown>, seconds: number): Record<string, Throughput> {
  const names = Object.keys(decide);
  for (const n of names) for (let i = 0; i < 5000; i++) decide[n]!();
  const rounds = new Map<string, number[]>(names.map((n) => [n, []]));
  const counts = new Map<string, number>(names.map((n) => [n, 0]));
  const end = performance.now() + seconds * 1000 * names.length;
  while (performance.now() < end || rounds.get(names[0]!)!.length < 3) {
    for (const n of names) {
      const f = decide[n]!;
      const t0 = performance.now();
      let k = 0;
      while (performance.now() - t0 < 250) {
        for (let i = 0; i < 200; i++) f();
        k += 200;
      }
      rounds.get(n)!.push(((performance.now() - t0) * 1000) / k);
      counts.set(n, counts.get(n)! + k);
    }
  }
  const out: Record<string, Throughput> = {};
  for (const n of names) {
    const r = rounds.get(n)!.sort((a, b) => a - b);
    const usPer = r[Math.floor(r.length / 2)]!;
    out[n] = { perSec: 1e6 / usPer, usPer, bestUsPer: r[0]!, n: counts.get(n)! };
  }
  return out;
}

const fmt = (t: Throughput): string =>
  `${Math.round(t.perSec).toLocaleString('en-US')}  (median ${t.usPer.toFixed(1)} µs per decision, best round ${t.bestUsPer.toFixed(1)} µs; ${t.n.toLocaleString('en-US')} decisions)`;

function gcFn(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

const mb = (b: number): string => (b / 1024 / 1024).toFixed(1) + ' MB';

export async function run(argv: string[], out: (t: string) => void): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { evals: { type: 'string' }, seconds: { type: 'string' } }, strict: true });
  const evals = Number(values.evals ?? 1_000_000);
  const seconds = Number(values.seconds ?? 2);
  const cwd = process.cwd();

  const repo = regoFiles(join(cwd, 'policies'));
  const { input, how } = await seedInput(cwd);
  out(`Rego engine benchmark (node ${process.version}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${availableParallelism()} cores)\n`);
  out(`\n1. repo policies: ${repo.length} files under policies/ (tests excluded); input: ${how}\n`);
  const rp = timePrepare(repo, 10);
  out(`   prepare (best of 10):        ${rp.ms.toFixed(2)} ms\n`);
  const decision = rp.policy.evalRef(['gitops', 'policies'], { input }) as Record<string, unknown> | undefined;
  out(`   packages in the decision:    ${decision ? Object.keys(decision).length : 0}\n`);
  const rt = throughput(rp.policy, [input], seconds);
  out(`   decisions/s:                 ${fmt(rt)}\n`);
  out(`   … 1,000 distinct copies:     ${fmt(distinctInputs(rp.policy, input, seconds))}\n`);

  const intentMods = repo.filter((m) => isIntentPolicyFile(m.file));
  const set = compilePolicies(intentMods, 'bench');
  if (!set.ok) throw new Error(set.diagnostics.map((d) => `${d.file}:${d.line}: ${d.code}: ${d.message}`).join('\n'));
  const { prepared } = set.value;
  const paths = decisionPaths(set.value);
  out(`\n1b. the check's policy set: ${intentMods.length} intent-policy files, ${set.value.policies.length} policies; the check evaluates ${paths.length} documents (deny, warn of each)\n`);
  for (let round = 1; round <= 3; round++) {
    const m = alternating(
      {
        check: () => prepared.evalRefs(paths, { input }),
        tree: () => prepared.evalRef(INTENT_POLICY_ROOT, { input }),
      },
      seconds / 2,
    );
    out(`   round ${round} (load ${loadavg()[0]!.toFixed(2)})\n`);
    out(`     decisions/s (check path):  ${fmt(m.check!)}\n`);
    out(`     decisions/s (full tree):   ${fmt(m.tree!)}\n`);
  }

  const gen = generated(20, 10);
  out(`\n2. generated policy: ${gen.length} packages × 10 rules = 200 deny rules\n`);
  const gp = timePrepare(gen, 5);
  out(`   prepare (best of 5):         ${gp.ms.toFixed(2)} ms\n`);
  const gt = throughput(gp.policy, [input], seconds);
  out(`   decisions/s:                 ${fmt(gt)}\n`);

  out(`\n3. memory over ${evals.toLocaleString('en-US')} evaluations of (1)\n`);
  const gc = gcFn();
  // Warm-up long enough (and several full collections) for the heap to settle: V8 releases some
  // start-up memory (unused bytecode, caches of the earlier steps) only after a while.
  for (let i = 0; i < 50_000; i++) rp.policy.evalRef(['gitops', 'policies'], { input });
  for (let i = 0; i < 4; i++) gc();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const checkpoints: string[] = [];
  for (let i = 1; i <= evals; i++) {
    rp.policy.evalRef(['gitops', 'policies'], { input });
    if (i % Math.max(1, Math.floor(evals / 4)) === 0) {
      gc();
      checkpoints.push(`${i.toLocaleString('en-US')}: ${mb(process.memoryUsage().heapUsed)}`);
    }
  }
  const secs = (performance.now() - t0) / 1000;
  gc();
  const after = process.memoryUsage();
  out(`   heap after warm-up:          ${mb(before.heapUsed)}\n`);
  out(`   heap at checkpoints:         ${checkpoints.join(', ')}\n`);
  out(`   heap after (gc):             ${mb(after.heapUsed)}  (Δ ${((after.heapUsed - before.heapUsed) / 1024).toFixed(0)} KB)\n`);
  out(`   rss before/after:            ${mb(before.rss)} / ${mb(after.rss)}\n`);
  out(`   wall time:                   ${secs.toFixed(1)} s (${Math.round(evals / secs).toLocaleString('en-US')}/s)\n`);
  out(`\nload average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
}
