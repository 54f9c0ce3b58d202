/**
 * Chain arithmetic shared by the local store and the commit-back: where the
 * chain ends, and how records are appended (linked) after an end.
 *
 * Appending is the only operation: existing lines are never touched. The
 * commit-back re-links *its own unpushed* records after the remote's end with
 * the same function the local sink uses, so "re-applied on top of the tip"
 * and "appended" are literally the same code.
 */
import { GitopsError, diag } from '../core/diagnostics.ts';
import { GENESIS_HASH, link, schemaProblem, serialise, type AuditRecord, type UnlinkedRecord } from './record.ts';
import { targetFile, type Anchor, type Entry, type LogFile } from './layout.ts';

export const GENESIS: Anchor = { seq: 0, hash: GENESIS_HASH, file: '' };

/** The last well-formed record of the entries (the chain's end as far as appending is concerned). */
export function tailOf(entries: Entry[]): Anchor {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (e.kind === 'record') return { seq: e.record.seq, hash: e.record.hash, file: e.file };
  }
  return GENESIS;
}

export interface Appended {
  /** Every file after the append (unchanged ones included), path → text. */
  files: Map<string, string>;
  /** Paths whose text changed. */
  changed: Set<string>;
  records: AuditRecord[];
  tail: Anchor;
}

/**
 * Link `records` after `tail` and append them to the text of `files`.
 * Validates each linked record against the schema first: nothing invalid is
 * ever written, and nothing is written if one record is invalid.
 */
export function appendAfter(files: LogFile[], tail: Anchor, records: UnlinkedRecord[], now: Date): Appended {
  const out = new Map(files.map((f) => [f.path, f.text]));
  const changed = new Set<string>();
  const linked: AuditRecord[] = [];
  let prev = tail;
  const file = targetFile(now, tail.file || undefined);
  for (const r of records) {
    const rec = link(r, prev);
    const problem = schemaProblem(rec);
    if (problem) {
      throw new GitopsError(diag('audit_event_invalid', `audit event ${r.action ?? '?'} on ${r.resource ?? '?'} rejected: ${problem}`, { file }));
    }
    linked.push(rec);
    prev = { seq: rec.seq, hash: rec.hash, file };
  }
  if (linked.length > 0) {
    const before = out.get(file) ?? '';
    out.set(file, before + linked.map((r) => serialise(r) + '\n').join(''));
    changed.add(file);
  }
  return { files: out, changed, records: linked, tail: prev };
}
