/**
 * The check's own bookkeeping stages (docs/check.md): `submit` records who
 * submitted which file; `decision` turns the results into allow, deny or
 * invalid and always runs. The per-intent runner (`runStages`) and the
 * report of one intent live here too.
 */
import type { Decision, IntentReport } from '../model/report.ts';
import type { CheckEnv, IntentSource, IntentWork, Stage, StageOutput } from '../model/stage.ts';
import { perform } from '../core/context.ts';
import { diag, type Diagnostic } from '../core/diagnostics.ts';
import { idFromPath } from '../intent/paths.ts';

export const submit: Stage = {
  name: 'submit',
  audit: { agent: 'intent-orchestrator', permission: 'read:intents', action: 'submit_intent', actorIsHuman: true },
  run: (w) => ({ details: { file: w.source.file, change: w.source.change, bytes: w.source.size ?? w.source.bytes.length } }),
};

export const decision: Stage = {
  name: 'decision',
  always: true,
  run(w) {
    const d: Decision = w.diagnostics.length ? 'invalid' : w.results.some((r) => r.status === 'failed') ? 'deny' : 'allow';
    return { patch: { decision: d } };
  },
};

/** Run the stages over one intent source. Throws only on runner faults (a stage crashed). */
export async function runStages(source: IntentSource, env: CheckEnv, stages: readonly Stage[]): Promise<{ work: IntentWork; refused: Diagnostic[] }> {
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
