/**
 * `runFeedback`: the feedback stage end to end, per intent —
 * collect metrics → analyse → recommend (through the check; docs/feedback.md,
 * "Analysis" and "Recommendation rules") → one branch + PR for file changes, one issue for the rest.
 * Every action is performed as the `feedback-analyst` agent through
 * perform(), so the audit log links metrics → recommendation → PR → merge by
 * the run's trace id (and the merge to apply by the merge commit).
 */
import { dailyFigures, metricCharts } from './charts.ts';
import { readdir, mkdir, writeFile } from 'node:fs/promises';
import { readRepoText } from '../core/files.ts';
import { join } from 'node:path';
import { perform, type RunContext } from '../core/context.ts';
import { diag, type Diagnostic } from '../core/diagnostics.ts';
import { digestOf } from '../core/hash.ts';
import type { CheckReport } from '../model/report.ts';
import type { GitHubClient } from '../github/client.ts';
import type { RepoRef } from '../github/config.ts';
import { INTENTS_DIR, INTENT_EXT } from '../intent/paths.ts';
import { analyze } from './analyze.ts';
import { gitDir, pushBranch, writeBranch, type BranchSpec } from './branch.ts';
import { findMergedPulls, syncIssue, syncPullRequest, type IssueSync, type PrSync } from './github-sync.ts';
import { periodEnding } from './period.ts';
import { branchFor, lineDiff, renderIssue, renderPullRequest, type PrContent } from './pr.ts';
import { recommend, type IntentEvaluator, type RuleOutcome } from './recommend.ts';
import { readTargets } from './targets.ts';
import type { AuditRecord, FeedbackAnalysis, MetricSource, Recommendation, ServiceMetrics, SourceResult } from './types.ts';
import { editIntentText } from './yaml-edit.ts';

export const AGENT = 'feedback-analyst';

export type Publish =
  | { kind: 'dry-run'; base: string }
  | { kind: 'github'; gh: GitHubClient; repo: RepoRef; remote: string; baseBranch: string; base: string };

export interface FeedbackOptions {
  repoDir: string;
  ctx: RunContext;
  source: MetricSource;
  services: Readonly<Record<string, string>>;
  period: string;
  /** Unix seconds; default: the source's own end (file) or now. */
  until?: number;
  /** Intent ids; default every intent under intents/. */
  intents?: string[];
  audit: readonly AuditRecord[];
  /** Candidate evaluations (drafts). */
  evaluate: IntentEvaluator;
  /** The recommendation branch as its PR will be checked (base..head). */
  checkBranch: (base: string, head: string) => Promise<CheckReport>;
  publish: Publish;
  env: BranchSpec['env'];
}

export interface BranchResult {
  name: string;
  base: string;
  commit: string;
  diff: string;
  changed_lines: number[];
  check: { decision: string; failed: string[]; trace_id: string };
  body_file?: string;
  title: string;
  labels: string[];
}

export type PrOutcome = PrSync | { status: 'dry-run'; branch: string } | { status: 'blocked'; reason: string };
export type IssueOutcome = IssueSync | { status: 'dry-run'; title: string };

export interface IntentFeedback {
  intent_id: string;
  file: string;
  feedback?: FeedbackAnalysis;
  recommendations: Recommendation[];
  outcomes: RuleOutcome[];
  branch?: BranchResult;
  pr?: PrOutcome;
  issue?: IssueOutcome;
  issue_body?: string;
  merges: Array<{ number: number; merge_commit: string | null }>;
  diagnostics: Diagnostic[];
}

export interface FeedbackRun {
  trace_id: string;
  source: string;
  period: string;
  intents: IntentFeedback[];
}

export function feedbackExitCode(run: FeedbackRun): 0 | 1 {
  return run.intents.some((i) => i.diagnostics.length > 0) ? 1 : 0;
}

async function listIntentFiles(repoDir: string): Promise<string[]> {
  try {
    return (await readdir(join(repoDir, INTENTS_DIR))).filter((f) => f.endsWith(INTENT_EXT)).sort().map((f) => `${INTENTS_DIR}/${f}`);
  } catch {
    return [];
  }
}

function summary(m: ServiceMetrics) {
  const { series: _series, ...rest } = m;
  return rest;
}

export async function runFeedback(o: FeedbackOptions): Promise<FeedbackRun> {
  const files = await listIntentFiles(o.repoDir);
  const out: FeedbackRun = { trace_id: o.ctx.traceId, source: o.source.id, period: o.period, intents: [] };
  for (const file of files) {
    const text = await readRepoText(o.repoDir, file);
    const targets = readTargets(text, file, o.services);
    if (!targets.ok) {
      out.intents.push({ intent_id: file, file, recommendations: [], outcomes: [], merges: [], diagnostics: targets.diagnostics });
      continue;
    }
    if (o.intents && !o.intents.includes(targets.value.id)) continue;
    out.intents.push(await feedbackFor(o, file, text, targets.value));
  }
  for (const id of o.intents ?? []) {
    if (!out.intents.some((i) => i.intent_id === id)) out.intents.push({ intent_id: id, file: '', recommendations: [], outcomes: [], merges: [], diagnostics: [diag('intent_not_found', `no intent ${id} under ${INTENTS_DIR}/`)] });
  }
  return out;
}

async function feedbackFor(o: FeedbackOptions, file: string, text: string, targets: NonNullable<ReturnType<typeof readTargets> & { ok: true }>['value']): Promise<IntentFeedback> {
  const res: IntentFeedback = { intent_id: targets.id, file, recommendations: [], outcomes: [], merges: [], diagnostics: [] };
  const spec = (action: 'collect_metrics' | 'analyze_feedback' | 'open_recommendation' | 'update_recommendation' | 'merge_recommendation', permission: string, evidence?: Record<string, unknown>) => ({
    agent: AGENT,
    permission,
    action,
    resource: targets.id,
    ...(evidence ? { evidence } : {}),
  });
  const key = { intentId: targets.id, service: targets.service };
  const end = o.until ?? (o.source.latest ? await o.source.latest(key) : null) ?? Math.floor(o.ctx.now().getTime() / 1000);
  const period = periodEnding(o.period, end);

  // 1. collect
  const collected = await perform<SourceResult>(o.ctx, spec('collect_metrics', 'read:metrics'), async () => {
    const r = await o.source.collect({ ...key, period });
    return r.ok
      ? { value: r, details: { source: o.source.id, period: o.period, until: new Date(end * 1000).toISOString(), service: targets.service, metrics_digest: digestOf(summary(r.metrics)) } }
      : { value: r, outcome: 'failure' as const, details: { source: o.source.id, problems: r.diagnostics.map((d) => d.code) } };
  });
  if (collected.status === 'denied') return { ...res, diagnostics: [diag('agent_action_refused', collected.reason)] };
  if (!collected.value.ok) return { ...res, diagnostics: collected.value.diagnostics };
  const metrics = collected.value.metrics;

  // 2. analyse
  const analysed = await perform(o.ctx, spec('analyze_feedback', 'read:audit_logs'), () => {
    const a = analyze({ targets, metrics, audit: o.audit });
    const m = a.metrics_collected;
    return { value: a, details: { availability: m.availability, latency_p95: m.performance, self_healing: m.self_healing, deployment: m.deployment, improvements: a.analysis.improvements.map((f) => f.code) } };
  });
  if (analysed.status === 'denied') return { ...res, diagnostics: [diag('agent_action_refused', analysed.reason)] };
  const feedback = analysed.value;
  res.feedback = feedback;

  // 3. recommend (every candidate judged by the check)
  const rec = await recommend({ targets, metrics, analysis: feedback, intentText: text, evaluate: o.evaluate });
  res.recommendations = rec.recommendations;
  res.outcomes = rec.outcomes;
  const withChanges = rec.recommendations.filter((r) => r.changes.length > 0);
  const withoutChanges = rec.recommendations.filter((r) => r.changes.length === 0);
  const sourceLabel = metrics.provenance.detail;

  // 4. the PR: one branch per intent, carrying every file change
  if (withChanges.length > 0) {
    const edited = editIntentText(text, withChanges.flatMap((r) => r.changes), file);
    if (!edited.ok) {
      res.diagnostics.push(...edited.diagnostics);
    } else {
      const diff = lineDiff(file, text, edited.value.text);
      const content = renderPullRequest(feedback, withChanges, file, diff, edited.value.text, o.ctx.traceId, sourceLabel, metricCharts(dailyFigures(metrics), targets));
      const branch = branchFor(targets.id);
      const base = o.publish.base;
      const commit = await writeBranch({ repoDir: o.repoDir, base, branch, file, text: edited.value.text, message: commitMessage(content, o.ctx.traceId), env: o.env });
      const check = await o.checkBranch(base, commit);
      const ir = check.intents.find((i) => i.file === file);
      const decision = check.diagnostics.length > 0 ? 'error' : (ir?.decision ?? 'missing');
      res.branch = {
        name: branch,
        base,
        commit,
        diff,
        changed_lines: edited.value.lines,
        check: { decision, failed: ir?.results.filter((r) => r.status === 'failed').map((r) => r.policy) ?? [], trace_id: check.trace_id },
        title: content.title,
        labels: content.labels,
      };
      if (decision !== 'allow') {
        res.pr = { status: 'blocked', reason: `the recommendation branch does not pass gitops check (${decision}${res.branch.check.failed.length ? `: ${res.branch.check.failed.join(', ')}` : ''})` };
      } else if (o.publish.kind === 'dry-run') {
        res.branch.body_file = await writeBody(o, targets.id, content);
        res.pr = { status: 'dry-run', branch };
      } else {
        const p = o.publish;
        const sync = await syncPullRequest(p.gh, { repo: p.repo, branch, base: p.baseBranch, content, push: () => pushBranch(o.repoDir, p.remote, branch, commit, o.env) });
        res.pr = sync;
        if (sync.status === 'created' || sync.status === 'updated') {
          await perform(o.ctx, spec(sync.status === 'created' ? 'open_recommendation' : 'update_recommendation', 'write:recommendations', { commit }), () => ({
            value: null,
            details: { kind: 'pr', number: sync.number, url: sync.url, branch, hash: content.hash, recommendations: withChanges.map((r) => r.recommendation_id), metrics_trace_id: o.ctx.traceId },
          }));
        }
      }
    }
  }

  // 5. the issue: recommendations that change no file
  if (withoutChanges.length > 0) {
    const content = renderIssue(feedback, withoutChanges, o.ctx.traceId, sourceLabel);
    res.issue_body = content.body;
    if (o.publish.kind === 'dry-run') {
      res.issue = { status: 'dry-run', title: content.title };
    } else {
      const sync = await syncIssue(o.publish.gh, o.publish.repo, targets.id, content);
      res.issue = sync;
      if (sync.status === 'created' || sync.status === 'updated') {
        await perform(o.ctx, spec(sync.status === 'created' ? 'open_recommendation' : 'update_recommendation', 'write:recommendations'), () => ({
          value: null,
          details: { kind: 'issue', number: sync.number, url: sync.url, hash: content.hash, recommendations: withoutChanges.map((r) => r.recommendation_id) },
        }));
      }
    }
  }

  // 6. merges of earlier recommendation PRs, audited once each (merge → apply links by the merge commit)
  if (o.publish.kind === 'github') {
    const p = o.publish;
    for (const m of await findMergedPulls(p.gh, p.repo, branchFor(targets.id))) {
      const seen = o.audit.some((r) => r.action === 'merge_recommendation' && r.resource === targets.id && r.details?.number === m.number);
      if (seen) continue;
      await perform(o.ctx, spec('merge_recommendation', 'write:recommendations', m.merge_commit ? { commit: m.merge_commit } : undefined), () => ({
        value: null,
        details: { kind: 'pr', number: m.number, url: m.url, merged_at: m.merged_at, ...(m.marker?.trace ? { recommendation_trace_id: m.marker.trace } : {}), ...(m.marker ? { hash: m.marker.hash } : {}) },
      }));
      res.merges.push({ number: m.number, merge_commit: m.merge_commit });
    }
  }
  return res;
}

function commitMessage(c: PrContent, trace: string): string {
  return `${c.title}\n\nRecommended by the feedback loop; evidence in the pull request.\n\nGitops-Trace: ${trace}\n`;
}

async function writeBody(o: FeedbackOptions, intentId: string, c: PrContent): Promise<string> {
  const dir = join(await gitDir(o.repoDir, o.env), 'gitops', 'recommendations');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${intentId}.md`);
  await writeFile(path, `# ${c.title}\n\nLabels: ${c.labels.join(', ')}\n\n${c.body}\n`);
  return path;
}
