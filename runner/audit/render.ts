/**
 * Reporters for `gitops audit`: pure functions of the data, one per format,
 * in an explicit registry.
 */
import { stringify as toYaml } from 'yaml';
import { formatDiagnostic } from '../core/diagnostics.ts';
import type { AuditTrail } from './query.ts';
import type { VerifyResult } from './verify.ts';

function envelope(list: AuditTrail[]): unknown {
  // One trail is an `audit_trail` document (docs/audit.md); several are a list of them.
  return list.length === 1 ? { audit_trail: list[0] } : { audit_trails: list };
}

function text(list: AuditTrail[]): string {
  if (list.length === 0) return 'no audit records\n';
  const out: string[] = [];
  for (const t of list) {
    out.push(`audit_trail ${t.trace_id} (${t.events.length} event${t.events.length === 1 ? '' : 's'})`);
    const cols = ['event_id', 'timestamp', 'actor', 'action', 'resource', 'outcome'] as const;
    const width = cols.map((c) => Math.max(...t.events.map((e) => e[c].length)));
    for (const e of t.events) out.push('  ' + cols.map((c, i) => (i === cols.length - 1 ? e[c] : e[c].padEnd(width[i]!))).join('  '));
    out.push('');
  }
  return out.join('\n');
}

export const TRAIL_FORMATS = {
  text,
  json: (list: AuditTrail[]) => JSON.stringify(envelope(list), null, 2) + '\n',
  yaml: (list: AuditTrail[]) => toYaml(envelope(list), { defaultStringType: 'QUOTE_SINGLE', defaultKeyType: 'PLAIN', lineWidth: 0 }),
} satisfies Record<string, (list: AuditTrail[]) => string>;

export type TrailFormat = keyof typeof TRAIL_FORMATS;

export function renderVerify(r: VerifyResult, format: 'text' | 'json'): string {
  if (format === 'json') return JSON.stringify(r, null, 2) + '\n';
  if (r.ok) {
    if (r.records === 0) return 'audit log is empty: nothing to verify\n';
    return `audit chain verified: ${r.records} record${r.records === 1 ? '' : 's'} in ${r.files} file${r.files === 1 ? '' : 's'}, head seq ${r.head.seq} ${r.head.hash} (${r.head.file})\n`;
  }
  return formatDiagnostic(r.problem) + '\n';
}
