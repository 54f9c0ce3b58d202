/**
 * The closed loop's judge: a recommended intent is evaluated by the pull-
 * request check itself (runner/check/run.ts, in-memory `files` mode) with the
 * policies of the base commit — exactly what its PR will face. The cost figures
 * come from that check's estimate, i.e. the check's price table.
 */
import type { RunContext } from '../core/context.ts';
import { runCheck } from '../check/run.ts';
import type { CheckReport } from '../model/report.ts';
import type { IntentEvaluation, IntentEvaluator } from './recommend.ts';

export function fromCheckReport(report: CheckReport, file: string): IntentEvaluation {
  const intent = report.intents.find((i) => i.file === file) ?? report.intents[0];
  if (!intent) return { decision: 'invalid', monthly_min: null, failed: [], diagnostics: report.diagnostics };
  return {
    decision: report.diagnostics.length > 0 ? 'invalid' : intent.decision,
    monthly_min: intent.cost?.monthly_min ?? null,
    failed: intent.results.filter((r) => r.status === 'failed').map((r) => r.policy),
    diagnostics: [...report.diagnostics, ...intent.diagnostics],
  };
}

/**
 * `ctx` decides where the check's own audit events go: candidate evaluations
 * use a memory sink (they are drafts, not submissions); the final check of the
 * recommendation branch runs under the feedback run's context and is recorded.
 */
export function checkEvaluator(repoDir: string, ctx: RunContext, base?: string): IntentEvaluator {
  return async ({ file, text }) => fromCheckReport(await runCheck({ cwd: repoDir, files: [{ file, bytes: text }], ctx, ...(base ? { base } : {}) }), file);
}

/** The check of the recommendation branch as its PR will see it: base..branch. */
export async function checkBranch(repoDir: string, ctx: RunContext, base: string, head: string): Promise<CheckReport> {
  return runCheck({ cwd: repoDir, base, head, ctx });
}
