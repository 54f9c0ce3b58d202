/**
 * The per-intent check pipeline: an explicit, ORDERED list of named stages
 * (OPA's compiler stages are the model). Each stage is one function from the
 * work so far to a patch of it, performed through `perform()` as a named
 * agent, so each emits exactly one audit event.
 *
 *   submit → schema → translate → cost → [contracts] → [agents] → [preview] → policies → decision
 *
 * Adding a stage is one entry in STAGES (see docs/check.md):
 *   { name: 'contracts', audit: { agent: 'intent-orchestrator', permission: 'read:contracts', action: 'verify_contracts' },
 *     run: (w, env) => … return { patch: { contracts: […] } } }
 * Stages that need heavy modules (the Pulumi preview) import them inside
 * `run` and declare `enabled`, so the default check never loads them.
 *
 * Once a stage reports diagnostics the intent is `invalid` and the remaining
 * stages are skipped (no events for them), except `decision`.
 */
import type { Decision, IntentReport } from '../model/report.ts';
import { basePathOf, type CheckEnv, type IntentSource, type IntentWork, type Stage, type StageOutput } from '../model/stage.ts';
import type { PolicyInput } from '../model/policy.ts';
import { perform } from '../core/context.ts';
import { diag, type Diagnostic } from '../core/diagnostics.ts';
import { digestOf } from '../core/hash.ts';
import { loadIntent } from '../intent/load.ts';
import { fieldPath } from '../core/yaml.ts';
import { idFromPath } from '../intent/paths.ts';
import { translate } from '../translate/registry.ts';
import { estimateCostAcross } from '../translate/cost.ts';
import { buildPolicyInput } from '../policy/input.ts';
import { evaluatePolicies } from '../policy/evaluate.ts';
import { contractsStage } from '../contracts/stage.ts';
import { agentsStage } from '../agents/stage.ts';
import { costDelta, loadBaseIntent } from './base.ts';

// ---------------------------------------------------------------------------
// The stages

const submit: Stage = {
  name: 'submit',
  audit: { agent: 'intent-orchestrator', permission: 'read:intents', action: 'submit_intent', actorIsHuman: true },
  run: (w) => ({ details: { file: w.source.file, change: w.source.change, bytes: w.source.size ?? w.source.bytes.length } }),
};

/** id → intent files claiming it, built once per run (comparing every file with every file is quadratic at 1,000 intents). */
function idIndex(env: CheckEnv): Map<string, string[]> {
  let index = env.memo.get('intent.ids') as Map<string, string[]> | undefined;
  if (!index) {
    index = new Map();
    for (const f of env.intentFiles) {
      const id = idFromPath(f);
      const list = index.get(id);
      if (list) list.push(f);
      else index.set(id, [f]);
    }
    env.memo.set('intent.ids', index);
  }
  return index;
}

const schema: Stage = {
  name: 'schema',
  audit: { agent: 'policy-engine', permission: 'read:intents', action: 'validate_schema' },
  run(w, env) {
    const r = w.source.refused ? { ok: false as const, diagnostics: [w.source.refused] } : loadIntent(w.source.file, w.source.bytes);
    if (!r.ok) return { patch: { diagnostics: r.diagnostics }, outcome: 'failure', details: { errors: r.diagnostics.length } };
    const doc = r.value;
    // The same id in two files: ids are file names, so compare names repository-wide.
    const others = (idIndex(env).get(doc.id) ?? []).filter((f) => f !== doc.file);
    if (others.length) {
      const path = ['intent', 'id'];
      const d = diag('intent_duplicate_id', `intent id ${doc.id} is also used by ${others.join(', ')}; ids must be unique across intents/`, {
        file: doc.file,
        ...doc.locate(path),
        path: fieldPath(path),
      });
      return { patch: { id: doc.id, diagnostics: [d] }, outcome: 'failure' };
    }
    return { patch: { id: doc.id, doc }, details: { digest: doc.digest } };
  },
};

const translateStage: Stage = {
  name: 'translate',
  audit: { agent: 'intent-orchestrator', permission: 'write:plans', action: 'translate_intent' },
  run(w) {
    const r = translate(w.doc!);
    if (!r.ok) return { patch: { diagnostics: r.diagnostics }, outcome: 'failure' };
    return { patch: { translation: r.value }, details: { actions: r.value.actions.map((a) => a.action), region: r.value.region } };
  },
};

const costStage: Stage = {
  name: 'cost',
  audit: { agent: 'intent-orchestrator', permission: 'write:plans', action: 'estimate_cost' },
  async run(w, env) {
    const t = w.translation!;
    const r = estimateCostAcross(t.actions, t.deploy_regions);
    if (!r.ok) {
      const at = { file: w.source.file, ...w.doc!.locate(['intent', 'constraints', 'region']), path: 'intent.constraints.region' };
      return { patch: { diagnostics: r.diagnostics.map((d) => ({ ...d, ...at })) }, outcome: 'failure' };
    }
    const budget = (w.doc!.quantities.constraints as { budget?: { value: number } } | undefined)?.budget?.value;
    const cost = budget === undefined ? r.value : { ...r.value, budget };
    // The same intent at the PR's base (a modified or renamed file): the cost delta. An added intent's base is $0.
    const basePath = env.trees?.base ? basePathOf(w.source) : undefined;
    const base = basePath ? await loadBaseIntent(env, basePath) : undefined;
    const delta = env.trees?.base ? costDelta(base?.cost, cost) : undefined;
    return {
      patch: { cost, ...(base ? { base } : {}), ...(base?.cost ? { base_cost: base.cost } : {}), ...(delta ? { cost_delta: delta } : {}) },
      details: { monthly_min: cost.monthly_min, monthly_max: cost.monthly_max },
    };
  },
};

const policiesStage: Stage = {
  name: 'policies',
  audit: { agent: 'policy-engine', permission: 'read:policies', action: 'validate_policies' },
  run(w, env) {
    const input = buildPolicyInput(w.doc!, w.translation!, w.cost!);
    const results = evaluatePolicies(env.policies, input, w.doc!);
    const failed = results.filter((r) => r.status === 'failed');
    return {
      // Earlier stages (contracts, agents) contribute results too: keep them.
      patch: { input, results: [...w.results, ...results] },
      // A denial is a successful evaluation whose outcome for the intent is `failure`.
      outcome: failed.length ? 'failure' : 'success',
      details: {
        decision: failed.length ? 'deny' : 'allow',
        failed: [...new Set(failed.map((r) => r.policy))],
        warned: [...new Set(results.filter((r) => r.status === 'warned').map((r) => r.policy))],
        policy_source: env.policies.source,
      },
    };
  },
};

// Infrastructure preview (runner/infra/stage.ts): with --preview, which
// `gitops check --base` (the pull-request path) turns on by default; Pulumi is
// imported inside `run` so a check without it never loads it. It runs after
// the intent policies and appends the plan policies' results to theirs. An
// intent its own policies already deny cannot merge, and its translation may
// not even make a buildable program (min above max): its plan is not needed
// for the verdict, so it is not previewed (audit outcome `skipped`).
const previewStage: Stage = {
  name: 'preview',
  audit: { agent: 'intent-orchestrator', permission: 'write:plans', action: 'preview_infrastructure' },
  enabled: (o) => !!o.preview,
  run: async (w, env) => {
    const denied = [...new Set(w.results.filter((r) => r.status === 'failed').map((r) => r.policy))];
    if (denied.length) return { outcome: 'skipped', details: { skipped: 'already denied', denied_by: denied } };
    return (await import('../infra/stage.ts')).previewStage(w, env);
  },
};

const decision: Stage = {
  name: 'decision',
  always: true,
  run(w) {
    const d: Decision = w.diagnostics.length ? 'invalid' : w.results.some((r) => r.status === 'failed') ? 'deny' : 'allow';
    return { patch: { decision: d } };
  },
};

/**
 * THE ORDER OF THE CHECK. Slots for the stages other areas add:
 *   after cost:     contracts (verify_contracts, runner/contracts/verify.ts), agents (verify_agents)
 *   before policies: preview (preview_infrastructure; enabled only with --preview, dynamic import)
 */
export const STAGES: readonly Stage[] = [
  submit,
  schema,
  translateStage,
  costStage,
  contractsStage,
  agentsStage,
  policiesStage,
  previewStage,
  decision,
];

/** Run the stages over one intent source. Throws only on runner faults (a stage crashed). */
export async function runStages(source: IntentSource, env: CheckEnv, stages: readonly Stage[] = STAGES): Promise<{ work: IntentWork; refused: Diagnostic[] }> {
  let work: IntentWork = { source, id: idFromPath(source.file), results: [], diagnostics: [] };
  const refused: Diagnostic[] = [];
  for (const stage of stages) {
    if (stage.enabled && !stage.enabled(env.options)) continue;
    if (work.diagnostics.length && !stage.always) continue;
    let out: StageOutput;
    if (stage.audit) {
      const a = stage.audit;
      const current = work;
      const p = await perform(
        env.ctx,
        {
          agent: a.agent,
          permission: a.permission,
          action: a.action,
          resource: work.id,
          ...(a.actorIsHuman ? { actor: env.ctx.human } : {}),
          evidence: {
            ...(work.doc ? { input_digest: work.doc.digest } : {}),
            ...(a.action === 'validate_policies' ? { policy_digest: env.policies.digest } : {}),
          },
        },
        async () => {
          const o = await stage.run(current, env);
          return { value: o, ...(o.outcome ? { outcome: o.outcome } : {}), details: { stage: stage.name, ...o.details } };
        },
      );
      if (p.status === 'denied') {
        refused.push(diag('agent_permission_denied', `stage ${stage.name} refused: ${p.reason}`, { file: source.file }));
        work = { ...work, diagnostics: [...work.diagnostics, diag('stage_refused', `the ${stage.name} stage could not run: ${p.reason}`, { file: source.file, line: 1, col: 1 })] };
        continue;
      }
      out = p.value;
    } else {
      out = await stage.run(work, env);
    }
    if (out.patch) {
      const { diagnostics, ...rest } = out.patch;
      work = { ...work, ...rest, diagnostics: diagnostics ? [...work.diagnostics, ...diagnostics] : work.diagnostics };
    }
  }
  return { work, refused };
}

export function toIntentReport(w: IntentWork): IntentReport {
  const doc = w.doc;
  return {
    id: w.id,
    file: w.source.file,
    type: doc?.type ?? 'unknown',
    ...(doc?.intent.description ? { description: doc.intent.description } : {}),
    change: w.source.change,
    decision: w.decision ?? 'invalid',
    results: w.results,
    actions: w.translation?.actions ?? [],
    ...(w.cost ? { cost: w.cost } : {}),
    ...(w.base_cost ? { base_cost: w.base_cost } : {}),
    ...(w.cost_delta ? { cost_delta: w.cost_delta } : {}),
    ...(w.contracts ? { contracts: w.contracts } : {}),
    ...(w.agents ? { agents: w.agents } : {}),
    ...(w.plan ? { plan: w.plan } : {}),
    ...(w.plan_diff ? { plan_diff: w.plan_diff } : {}),
    diagnostics: w.diagnostics,
  };
}

/** Digest of a policy input (audit evidence helper for stages added later). */
export const inputDigest = (input: PolicyInput) => digestOf(input);
