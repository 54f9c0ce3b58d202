/**
 * From rule proposals to recommendations (docs/feedback.md), closing the loop through
 * the policies: every proposal that edits the intent is applied to the intent
 * text (minimal edit) and evaluated like any PR; a proposal the policies deny
 * (say, one that breaks the budget) is not proposed, and the cost change is
 * read from the check's own estimate, so it comes from the same price table.
 */
import type { Diagnostic } from '../core/diagnostics.ts';
import { RULES, type Proposal, type RecommendationRule, type RuleInput } from './rules.ts';
import type { Recommendation } from './types.ts';
import { editIntentText } from './yaml-edit.ts';

/** What the feedback loop needs from the check for one intent text. */
export interface IntentEvaluation {
  decision: 'allow' | 'deny' | 'invalid';
  /** Monthly cost at minimum capacity, USD (the figure the budget policy judges). */
  monthly_min: number | null;
  /** Ids of the policies that failed (deny) — the reason a proposal is dropped. */
  failed: string[];
  diagnostics: Diagnostic[];
}
export type IntentEvaluator = (input: { file: string; text: string }) => Promise<IntentEvaluation>;

export type RuleOutcome =
  | { rule: string; status: 'proposed'; recommendation_id: string }
  | { rule: string; status: 'not_applicable' }
  | { rule: string; status: 'rejected'; reason: string; failed: string[] };

export interface RecommendResult {
  recommendations: Recommendation[];
  outcomes: RuleOutcome[];
  /** The intent as it is: its evaluation is the baseline for cost changes. */
  baseline: IntentEvaluation;
}

function money(delta: number): string {
  const sign = delta >= 0 ? '+' : '-';
  return `${sign}$${Math.abs(delta).toFixed(2)}/month`;
}

export async function recommend(
  input: RuleInput & { intentText: string; evaluate: IntentEvaluator; rules?: readonly RecommendationRule[] },
): Promise<RecommendResult> {
  const rules = input.rules ?? Object.values(RULES);
  const file = input.targets.file;
  const baseline = await input.evaluate({ file, text: input.intentText });
  const recommendations: Recommendation[] = [];
  const outcomes: RuleOutcome[] = [];
  for (const rule of rules) {
    const p: Proposal | null = rule.evaluate(input);
    if (p === null) {
      outcomes.push({ rule: rule.id, status: 'not_applicable' });
      continue;
    }
    const benefit: Record<string, string> = { ...p.expected_benefit };
    if (p.changes.length > 0) {
      const edited = editIntentText(input.intentText, p.changes, file);
      if (!edited.ok) {
        outcomes.push({ rule: rule.id, status: 'rejected', reason: edited.diagnostics.map((d) => d.message).join('; '), failed: [] });
        continue;
      }
      const ev = await input.evaluate({ file, text: edited.value.text });
      if (ev.decision !== 'allow') {
        outcomes.push({
          rule: rule.id,
          status: 'rejected',
          reason: ev.decision === 'deny' ? `the policies deny the recommended intent (${ev.failed.join(', ')})` : 'the recommended intent is invalid',
          failed: ev.failed,
        });
        continue;
      }
      benefit[p.cost_key] = ev.monthly_min !== null && baseline.monthly_min !== null ? money(ev.monthly_min - baseline.monthly_min) : 'unknown (no cost estimate)';
    } else {
      benefit[p.cost_key] = '0';
    }
    const id = `OPT-${String(recommendations.length + 1).padStart(3, '0')}`;
    recommendations.push({
      recommendation_id: id,
      rule: rule.id,
      type: p.type,
      description: p.description,
      expected_benefit: benefit,
      priority: p.priority,
      approval_required: p.approval_required,
      evidence: p.evidence,
      changes: p.changes,
    });
    outcomes.push({ rule: rule.id, status: 'proposed', recommendation_id: id });
  }
  return { recommendations, outcomes, baseline };
}
