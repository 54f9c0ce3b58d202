/**
 * Output formats of `gitops feedback` — pure functions of the run (conftest's
 * output/*.go). JSON keeps the analysis document's field names (docs/feedback.md,
 * "The analysis document").
 */
import { stringify } from 'yaml';
import type { FeedbackRun, IntentFeedback } from './run.ts';
import { formatDiagnostic } from '../core/diagnostics.ts';

export function toJson(run: FeedbackRun): unknown {
  return {
    trace_id: run.trace_id,
    source: run.source,
    period: run.period,
    intents: run.intents.map((i) => ({
      intent_id: i.intent_id,
      file: i.file,
      ...(i.feedback ? { feedback: { period: i.feedback.period, service: i.feedback.service, metrics_collected: i.feedback.metrics_collected, analysis: i.feedback.analysis } } : {}),
      recommendations: i.recommendations,
      rules: i.outcomes,
      ...(i.branch ? { branch: i.branch } : {}),
      ...(i.pr ? { pr: i.pr } : {}),
      ...(i.issue ? { issue: i.issue } : {}),
      merges: i.merges,
      diagnostics: i.diagnostics,
    })),
  };
}

/** The analysis document (docs/feedback.md, "The analysis document"), as YAML, with findings as their messages. */
function seedView(i: IntentFeedback): string {
  const f = i.feedback!;
  const doc = {
    feedback: {
      period: f.period,
      metrics_collected: f.metrics_collected,
      analysis: { strengths: f.analysis.strengths.map((s) => s.message), improvements: f.analysis.improvements.map((s) => s.message) },
    },
    recommendations: i.recommendations.map((r) => ({
      recommendation_id: r.recommendation_id,
      type: r.type,
      description: r.description,
      expected_benefit: r.expected_benefit,
      priority: r.priority,
      approval_required: r.approval_required,
    })),
  };
  return stringify(doc, { lineWidth: 0 });
}

function prLine(i: IntentFeedback): string[] {
  const out: string[] = [];
  if (i.branch) {
    out.push(`branch ${i.branch.name} @ ${i.branch.commit.slice(0, 12)} (on ${i.branch.base.slice(0, 12)}); gitops check: ${i.branch.check.decision}${i.branch.check.failed.length ? ` (${i.branch.check.failed.join(', ')})` : ''}`);
    out.push(`labels: ${i.branch.labels.join(', ')}`);
  }
  if (i.pr) {
    switch (i.pr.status) {
      case 'dry-run':
        out.push(`PR: not opened (dry run); body written to ${i.branch?.body_file}`);
        break;
      case 'blocked':
        out.push(`PR: not opened: ${i.pr.reason}`);
        break;
      case 'declined':
        out.push(`PR #${i.pr.number}: closed without merge for this same recommendation; not reopened until the evidence changes`);
        break;
      default:
        out.push(`PR #${i.pr.number}: ${i.pr.status} ${i.pr.url}`);
    }
  }
  if (i.issue) {
    out.push(i.issue.status === 'dry-run' ? `issue: not opened (dry run): ${i.issue.title}` : `issue #${i.issue.number}: ${i.issue.status} ${i.issue.url}`);
  }
  for (const m of i.merges) out.push(`merge of PR #${m.number} recorded (${m.merge_commit ?? 'no merge commit'})`);
  return out;
}

export function toText(run: FeedbackRun): string {
  const parts: string[] = [`gitops feedback: source ${run.source}, period ${run.period}, trace ${run.trace_id}`, ''];
  for (const i of run.intents) {
    parts.push(`== ${i.intent_id} (${i.file || 'not found'})`);
    if (i.diagnostics.length) parts.push(...i.diagnostics.map(formatDiagnostic));
    if (i.feedback) parts.push(seedView(i).trimEnd());
    for (const o of i.outcomes) if (o.status === 'rejected') parts.push(`rule ${o.rule}: not proposed: ${o.reason}`);
    parts.push(...prLine(i));
    if (i.branch?.diff) parts.push('', i.branch.diff.trimEnd());
    parts.push('');
  }
  return parts.join('\n') + '\n';
}

export const FEEDBACK_FORMATS = {
  text: (r: FeedbackRun) => toText(r),
  json: (r: FeedbackRun) => JSON.stringify(toJson(r), null, 2) + '\n',
} satisfies Record<string, (r: FeedbackRun) => string>;
