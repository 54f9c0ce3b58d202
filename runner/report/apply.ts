/**
 * The apply report as text (the job log) and markdown (the comment on the
 * merged PR, the job summary): pure functions of the report.
 */
import { formatDiagnostic } from '../core/diagnostics.ts';
import type { ApplyReport } from '../model/apply.ts';

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const changesText = (c?: Record<string, number>) =>
  c ? Object.entries(c).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'no changes' : '';

export function renderApplyText(r: ApplyReport): string {
  const lines: string[] = [];
  if (r.status === 'preflight_failed') {
    lines.push(`gitops apply: cannot apply with the ${r.engine} engine; nothing was changed.`);
    for (const d of r.diagnostics) lines.push(`  ${formatDiagnostic(d)}`);
    lines.push('  For the plan without cloud access: gitops apply --preview');
    return lines.join('\n') + '\n';
  }
  if (r.status === 'nothing_to_apply' && r.stacks.length === 0) return `gitops apply: nothing to apply${r.base ? ` between ${r.base} and ${r.head}` : ''} (no intent or program change).\n`;
  for (const s of r.stacks) {
    lines.push(`${s.status === 'succeeded' ? '✓' : s.status === 'failed' ? '✗' : '-'} ${s.stack} (${s.kind}, ${s.change}, ${s.file}): ${s.status}${s.reason ? ` — ${s.reason}` : ''}`);
    for (const st of s.steps) lines.push(`    ${st.step.padEnd(24)} ${st.status.padEnd(9)} ${secs(st.duration_ms).padStart(7)}  ${st.resources} resources${st.changes ? `  (${changesText(st.changes)})` : ''}${st.error ? `  error: ${st.error}` : ''}`);
  }
  const sm = r.summary;
  const verdict = r.status === 'nothing_to_apply' ? 'nothing applied' : r.status;
  lines.push('', `apply ${verdict}: ${sm.succeeded} succeeded, ${sm.failed} failed, ${sm.skipped} skipped of ${sm.stacks} stack(s) in ${secs(r.duration_ms)} [engine ${r.engine}, trace ${r.trace_id}]`);
  return lines.join('\n') + '\n';
}

/** For the comment on the merged PR (the GitHub edge posts it when the apply failed). */
export function renderApplyMarkdown(r: ApplyReport): string {
  const head = {
    succeeded: '✅ **Apply succeeded**',
    failed: '❌ **Apply failed**',
    nothing_to_apply: 'ℹ️ **Nothing to apply**',
    preflight_failed: '⛔ **Apply could not start** (nothing was changed)',
  }[r.status];
  const out = [`<!-- gitops:apply ${r.base ?? ''}..${r.head ?? ''} -->`, `${head} — engine \`${r.engine}\`, trace \`${r.trace_id}\``, ''];
  for (const d of r.diagnostics) out.push(`- \`${d.code}\`: ${d.message}`);
  if (r.stacks.length) {
    out.push('| Stack | Step | Status | Duration | Details |', '|---|---|---|---:|---|');
    for (const s of r.stacks) {
      if (!s.steps.length) out.push(`| \`${s.stack}\` | — | ${s.status} | — | ${(s.reason ?? '').replaceAll('|', '\\|')} |`);
      for (const st of s.steps) out.push(`| \`${s.stack}\` | ${st.step} | ${st.status} | ${secs(st.duration_ms)} | ${(st.error ?? changesText(st.changes)).replaceAll('|', '\\|')} |`);
    }
  }
  return out.join('\n') + '\n';
}
