/**
 * What a recommendation PR (or issue) says — pure functions of the analysis
 * and the recommendations (reporters are pure). The hidden marker carries the
 * intent, the kind and a content hash (Renovate's idempotency): the same
 * recommendation on the same evidence hashes the same, so a second run can
 * tell "nothing new" from "update the PR" without comparing prose.
 */
import { digestOf } from '../core/hash.ts';
import type { FeedbackAnalysis, Recommendation } from './types.ts';

export const BRANCH_PREFIX = 'gitops/recommendations/';
export const FEEDBACK_LABEL = 'gitops-feedback';
export const APPROVAL_LABEL = 'approval-required';

export function branchFor(intentId: string): string {
  return `${BRANCH_PREFIX}${intentId}`;
}

export type MarkerKind = 'pr' | 'issue';

export interface Marker {
  intent: string;
  kind: MarkerKind;
  hash: string;
  /** The feedback run that wrote the body (links merge → recommendation in the audit log); not part of the hash. */
  trace?: string;
}

export function renderMarker(m: Marker): string {
  return `<!-- gitops-feedback intent=${m.intent} kind=${m.kind} hash=${m.hash}${m.trace ? ` trace=${m.trace}` : ''} -->`;
}

export function parseMarker(body: string | null | undefined): Marker | null {
  const m = /<!-- gitops-feedback intent=(\S+) kind=(pr|issue) hash=(\S+)(?: trace=(\S+))? -->/.exec(body ?? '');
  if (!m) return null;
  return { intent: m[1]!, kind: m[2] as MarkerKind, hash: m[3]!, ...(m[4] ? { trace: m[4] } : {}) };
}

/** The content the hash covers: what would change the PR, never when it was computed. */
export function contentHash(intentId: string, kind: MarkerKind, recs: readonly Recommendation[], newText?: string): string {
  return digestOf({ intent: intentId, kind, recs, ...(newText !== undefined ? { text: newText } : {}) });
}

/** GitHub renders markdown: values we did not write are escaped so they cannot inject markup. */
export function md(s: string | number): string {
  return String(s).replace(/[\\`*_{}[\]<>()#+!|~]/g, (c) => `\\${c}`);
}

function analysisTable(a: FeedbackAnalysis): string[] {
  const m = a.metrics_collected;
  const sign = (n: number | null, unit = '') => (n === null ? 'n/a' : `${n > 0 ? '+' : ''}${n}${unit}`);
  return [
    `| Metric (${a.period}) | Achieved | Target | Delta |`,
    '|---|---|---|---|',
    `| Availability | ${m.availability.achieved}% | ${m.availability.target ?? 'n/a'}% | ${sign(m.availability.delta)} |`,
    `| Latency p95 | ${m.performance.latency_p95} ms | ${m.performance.target ?? 'n/a'} ms | ${sign(m.performance.delta)} |`,
    `| Throughput | ${m.throughput.achieved} req/s (peak ${m.throughput.peak}) | ${m.throughput.target ?? 'n/a'} req/s | |`,
    `| Error rate | ${m.error_rate}% | | |`,
    `| Peak utilisation | ${m.utilisation.peak}% (mean ${m.utilisation.average}%) | | |`,
    `| Self-healing | ${m.self_healing.successful_recoveries}/${m.self_healing.recovery_attempts} (${m.self_healing.success_rate ?? 'n/a'}%) | | |`,
    `| Deployments | ${m.deployment.successful}/${m.deployment.deployments} (${m.deployment.success_rate ?? 'n/a'}%), avg ${m.deployment.average_deployment_time ?? 'n/a'} s | | |`,
  ];
}

function recommendationSection(r: Recommendation): string[] {
  return [
    `### ${r.recommendation_id}: ${md(r.description)}`,
    '',
    `- **Type:** \`${r.type}\` (rule \`${r.rule}\`)`,
    `- **Priority:** ${r.priority}`,
    `- **Approval required:** ${r.approval_required ? 'yes' : 'no'}`,
    `- **Expected benefit:** ${Object.entries(r.expected_benefit).map(([k, v]) => `${k} ${md(v)}`).join('; ')}`,
    ...(r.changes.length > 0 ? [`- **Change:** ${r.changes.map((c) => `\`${c.path.join('.')}\`: ${md(String(c.from))} → ${md(String(c.to))}`).join(', ')}`] : []),
    '',
    '<details><summary>Evidence</summary>',
    '',
    '| Figure | Value |',
    '|---|---|',
    ...Object.entries(r.evidence).map(([k, v]) => `| ${md(k)} | ${md(v)} |`),
    '',
    '</details>',
    '',
  ];
}

export interface PrContent {
  title: string;
  body: string;
  hash: string;
  labels: string[];
}

export function renderPullRequest(a: FeedbackAnalysis, recs: readonly Recommendation[], file: string, diff: string, newText: string, trace: string, source: string, charts: readonly string[] = []): PrContent {
  const hash = contentHash(a.intent_id, 'pr', recs, newText);
  const approval = recs.some((r) => r.approval_required);
  const title = `gitops: ${recs.map((r) => r.description.charAt(0).toLowerCase() + r.description.slice(1)).join('; ')} (${a.intent_id})`;
  const body = [
    renderMarker({ intent: a.intent_id, kind: 'pr', hash, trace }),
    `## Feedback recommendations for \`${a.intent_id}\``,
    '',
    `Collected over ${a.period} from ${md(source)} for service \`${md(a.service)}\`, compared with the intent's targets.`,
    '',
    ...analysisTable(a),
    '',
    ...(charts.length ? ['<details open><summary>The period per day, against the targets</summary>', '', ...charts, '</details>', ''] : []),
    ...recs.flatMap(recommendationSection),
    `### Change to \`${file}\``,
    '',
    '```diff',
    diff.trimEnd(),
    '```',
    '',
    `This PR goes through \`gitops check\` like any other: the policies (budget included) judge the recommended intent.${approval ? ' It changes cost or capacity, so it needs an approving review (`approval-required`).' : ''}`,
    '',
    `<sub>Opened by the feedback-analyst agent, trace \`${trace}\`. Re-running with the same evidence changes nothing; new evidence updates this PR.</sub>`,
  ].join('\n');
  return { title: title.length > 240 ? title.slice(0, 237) + '…' : title, body, hash, labels: [FEEDBACK_LABEL, ...(approval ? [APPROVAL_LABEL] : [])] };
}

export function renderIssue(a: FeedbackAnalysis, recs: readonly Recommendation[], trace: string, source: string): PrContent {
  const hash = contentHash(a.intent_id, 'issue', recs);
  const body = [
    renderMarker({ intent: a.intent_id, kind: 'issue', hash, trace }),
    `## Feedback for \`${a.intent_id}\`: action needed`,
    '',
    `These recommendations change no file, so they are tracked here rather than in a PR. Collected over ${a.period} from ${md(source)}.`,
    '',
    ...analysisTable(a),
    '',
    ...recs.flatMap(recommendationSection),
    `<sub>Opened by the feedback-analyst agent, trace \`${trace}\`.</sub>`,
  ].join('\n');
  const high = recs.some((r) => r.priority === 'high');
  return { title: `gitops: ${recs.map((r) => r.description).join('; ')} (${a.intent_id})`, body, hash, labels: [FEEDBACK_LABEL, ...(high ? ['priority-high'] : [])] };
}

/** A unified diff of two texts that differ only in whole lines changed in place (what yaml-edit produces). */
export function lineDiff(file: string, before: string, after: string, context = 2): string {
  const a = before.split('\n');
  const b = after.split('\n');
  const changed = a.flatMap((l, i) => (l !== b[i] ? [i] : []));
  if (changed.length === 0 || a.length !== b.length) return '';
  const out = [`--- a/${file}`, `+++ b/${file}`];
  let i = 0;
  while (i < changed.length) {
    let j = i;
    while (j + 1 < changed.length && changed[j + 1]! - changed[j]! <= 2 * context + 1) j++;
    const start = Math.max(0, changed[i]! - context);
    const end = Math.min(a.length - 1, changed[j]! + context);
    const n = end - start + 1;
    out.push(`@@ -${start + 1},${n} +${start + 1},${n} @@`);
    for (let k = start; k <= end; k++) {
      if (a[k] === b[k]) out.push(` ${a[k]}`);
      else out.push(`-${a[k]}`, `+${b[k]}`);
    }
    i = j + 1;
  }
  return out.join('\n') + '\n';
}
