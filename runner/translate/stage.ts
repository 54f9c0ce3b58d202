/**
 * The translate and cost stages of the check (docs/check.md): the intent
 * becomes concrete actions (runner/translate/registry.ts), which are priced
 * (runner/translate/cost.ts) — and, with a base, so is the same intent at the
 * PR's base (loaded by the check: `CheckEnv.loadBase`), for the cost delta.
 */
import { basePathOf, type Stage } from '../model/stage.ts';
import { translate } from './registry.ts';
import { costDelta, estimateCostAcross } from './cost.ts';

export const translateStage: Stage = {
  name: 'translate',
  audit: { agent: 'intent-orchestrator', permission: 'write:plans', action: 'translate_intent' },
  run(w) {
    const r = translate(w.doc!);
    if (!r.ok) return { patch: { diagnostics: r.diagnostics }, outcome: 'failure' };
    return { patch: { translation: r.value }, details: { actions: r.value.actions.map((a) => a.action), region: r.value.region } };
  },
};

export const costStage: Stage = {
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
    const base = basePath && env.loadBase ? await env.loadBase(basePath) : undefined;
    const delta = env.trees?.base ? costDelta(base?.cost, cost) : undefined;
    return {
      patch: { cost, ...(base ? { base } : {}), ...(base?.cost ? { base_cost: base.cost } : {}), ...(delta ? { cost_delta: delta } : {}) },
      details: { monthly_min: cost.monthly_min, monthly_max: cost.monthly_max },
    };
  },
};

