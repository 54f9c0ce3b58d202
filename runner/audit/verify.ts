/**
 * Chain verification: walks every record in chain order and names the FIRST
 * problem, with its file and line.
 *
 * What each tampering looks like, and how it is told apart:
 *  - edited:    the record's content no longer hashes to its `hash`;
 *               or (hash recomputed) its successor's `prev_hash` no longer
 *               matches it while the successor itself is intact.
 *  - deleted:   the next record's `seq` jumps and its predecessor is nowhere in
 *               the log; at the end of the log, HEAD.json names a later seq.
 *  - inserted:  a duplicate of another record, or a record the chain steps
 *               over (the line after it continues the chain).
 *  - reordered: a record whose predecessor exists elsewhere in the log, so it
 *               is a genuine chain member in the wrong place.
 * Rewriting the whole suffix with recomputed hashes is caught by the anchor
 * (HEAD.json) and, against history, by `verifyAgainstBase` (git's copy).
 */
import type { Diagnostic } from '../core/diagnostics.ts';
import { GENESIS_HASH, type AuditRecord } from './record.ts';
import { HEAD_FILE, parseAnchor, parseFiles, type Anchor, type Entry, type LogFile } from './layout.ts';

export type VerifyCode =
  | 'audit_record_malformed'
  | 'audit_record_edited'
  | 'audit_record_deleted'
  | 'audit_record_inserted'
  | 'audit_record_reordered'
  | 'audit_chain_broken'
  | 'audit_anchor_missing'
  | 'audit_anchor_invalid'
  | 'audit_anchor_mismatch'
  | 'audit_history_rewritten';

export interface VerifyProblem extends Diagnostic {
  code: VerifyCode;
  file: string;
  line: number;
  seq?: number;
  event_id?: string;
}

export type VerifyResult =
  | { ok: true; records: number; files: number; head: Anchor }
  | { ok: false; problem: VerifyProblem; checked: number };

interface Pos {
  seq: number;
  hash: string;
  file: string;
  line: number;
  index: number;
}

function at(e: Entry): string {
  return `${e.file}:${e.line}`;
}

function problem(code: VerifyCode, message: string, e: { file: string; line: number }, rec?: AuditRecord): VerifyResult & { ok: false } {
  const p: VerifyProblem = { code, message, file: e.file, line: e.line };
  if (rec) {
    p.seq = rec.seq;
    p.event_id = rec.event_id;
  }
  return { ok: false, problem: p, checked: 0 };
}

/** Verify the chain through `files` and the anchor (HEAD.json text, if any). */
export function verifyLog(files: LogFile[], anchorText: string | undefined): VerifyResult {
  const { entries } = parseFiles(files);
  const intact = entries.map((e) => e.kind === 'record' && e.intact);
  const byId = new Map<string, number[]>();
  const byHash = new Map<string, number>();
  entries.forEach((e, i) => {
    if (e.kind !== 'record') return;
    byId.set(e.record.event_id, [...(byId.get(e.record.event_id) ?? []), i]);
    if (intact[i] && !byHash.has(e.record.hash)) byHash.set(e.record.hash, i);
  });
  const linksTo = (e: Entry, p: { seq: number; hash: string }) =>
    e.kind === 'record' && e.record.seq === p.seq + 1 && e.record.prev_hash === p.hash;

  let prev: Pos = { seq: 0, hash: GENESIS_HASH, file: '', line: 0, index: -1 };
  let prevPrevHash = '';
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const fail = (r: VerifyResult & { ok: false }) => ({ ...r, checked: i });
    if (e.kind === 'malformed') return fail(problem('audit_record_malformed', `line is ${e.reason}`, e));
    const r = e.record;
    if (!intact[i]) {
      return fail(problem('audit_record_edited', `record seq ${r.seq} (${r.event_id}) was edited: its content no longer matches its hash`, e, r));
    }
    if (linksTo(e, prev)) {
      prevPrevHash = prev.hash;
      prev = { seq: r.seq, hash: r.hash, file: e.file, line: e.line, index: i };
      continue;
    }
    // A copy of another line, before or after the original: the out-of-place occurrence is the inserted one.
    const dup = byId.get(r.event_id)!.find((j) => j !== i);
    if (dup !== undefined) {
      return fail(problem('audit_record_inserted', `record ${r.event_id} was inserted: it duplicates the record at ${at(entries[dup]!)}`, e, r));
    }
    // Siblings: this record and the previous one both claim the same predecessor (a forged record linked
    // into the chain). The genuine one is the one the rest of the chain continues from.
    if (prev.index >= 0 && r.seq === prev.seq && r.prev_hash === prevPrevHash) {
      const next = entries[i + 1];
      const chainContinuesHere = next !== undefined ? intact[i + 1] === true && linksTo(next, r) : true;
      const inserted = chainContinuesHere ? (entries[prev.index] as Entry & { kind: 'record' }) : e;
      const other = chainContinuesHere ? e : entries[prev.index]!;
      return fail(
        problem(
          'audit_record_inserted',
          `record ${inserted.record.event_id} was inserted: it claims the same place in the chain (seq ${r.seq}) as the record at ${at(other)}`,
          inserted,
          inserted.record,
        ),
      );
    }
    const predecessor = r.seq === 1 ? (r.prev_hash === GENESIS_HASH ? -1 : undefined) : byHash.get(r.prev_hash);
    const predecessorOk = predecessor === -1 || (predecessor !== undefined && (entries[predecessor] as Entry & { kind: 'record' }).record.seq === r.seq - 1);
    let continuing: number | undefined;
    for (let j = i + 1; j < entries.length; j++) {
      if (intact[j] && linksTo(entries[j]!, prev)) {
        continuing = j;
        break;
      }
    }
    if (predecessorOk) {
      const where = continuing !== undefined ? `; seq ${prev.seq + 1} is at ${at(entries[continuing]!)}` : '';
      return fail(problem('audit_record_reordered', `record seq ${r.seq} (${r.event_id}) is out of order: expected seq ${prev.seq + 1} here${where}`, e, r));
    }
    if (continuing === i + 1) {
      return fail(problem('audit_record_inserted', `record ${r.event_id} was inserted: the chain continues past it from seq ${prev.seq} to the next line`, e, r));
    }
    if (r.seq > prev.seq + 1) {
      const missing = r.seq - 1 === prev.seq + 1 ? `seq ${prev.seq + 1}` : `seq ${prev.seq + 1}..${r.seq - 1}`;
      return fail(problem('audit_record_deleted', `record ${missing} was deleted: it is missing before this line (seq ${r.seq})`, e, r));
    }
    if (r.seq === prev.seq + 1 && prev.index >= 0) {
      const p = entries[prev.index] as Entry & { kind: 'record' };
      return fail(
        problem(
          'audit_record_edited',
          `record seq ${prev.seq} (${p.record.event_id}) was rewritten: it does not match the hash its successor at ${at(e)} recorded`,
          p,
          p.record,
        ),
      );
    }
    return fail(problem('audit_chain_broken', `record seq ${r.seq} (${r.event_id}) does not follow seq ${prev.seq}`, e, r));
  }

  const last = prev;
  const fileCount = new Set(entries.map((e) => e.file)).size;
  if (anchorText === undefined) {
    if (last.seq === 0) return { ok: true, records: 0, files: 0, head: { seq: 0, hash: GENESIS_HASH, file: '' } };
    return { ok: false, checked: entries.length, problem: { code: 'audit_anchor_missing', message: `${HEAD_FILE} is missing (it names the last record, so truncation is detectable)`, file: HEAD_FILE, line: 1 } };
  }
  const parsed = parseAnchor(anchorText);
  if (!parsed.anchor) {
    return { ok: false, checked: entries.length, problem: { code: 'audit_anchor_invalid', message: `${HEAD_FILE}: ${parsed.problem}`, file: HEAD_FILE, line: 1 } };
  }
  const anchor = parsed.anchor;
  if (anchor.seq > last.seq) {
    const missing = anchor.seq === last.seq + 1 ? `seq ${anchor.seq}` : `seq ${last.seq + 1}..${anchor.seq}`;
    const loc = last.index >= 0 ? { file: last.file, line: last.line + 1 } : { file: anchor.file || HEAD_FILE, line: 1 };
    return {
      ok: false,
      checked: entries.length,
      problem: { code: 'audit_record_deleted', message: `record ${missing} was deleted from the end of the log (${HEAD_FILE} names seq ${anchor.seq})`, ...loc, seq: last.seq + 1 },
    };
  }
  if (anchor.seq > 0) {
    const idx = entries.findIndex((e) => e.kind === 'record' && e.record.seq === anchor.seq);
    const e = entries[idx] as Entry & { kind: 'record' };
    if (e.record.hash !== anchor.hash) {
      return {
        ok: false,
        checked: entries.length,
        problem: {
          code: 'audit_anchor_mismatch',
          message: `record seq ${anchor.seq} does not match the hash ${HEAD_FILE} recorded: the log was rewritten from here or earlier`,
          file: e.file,
          line: e.line,
          seq: anchor.seq,
          event_id: e.record.event_id,
        },
      };
    }
  }
  // anchor.seq < last.seq is a run that died between appending and updating the anchor: legitimate.
  return { ok: true, records: entries.length, files: fileCount, head: { seq: last.seq, hash: last.hash, file: last.file } };
}

/**
 * Append-only against history: every record of `base` (e.g. the log as
 * committed on the default branch) must still be in `current`, at the same
 * seq with the same hash. Catches a log rewritten wholesale with recomputed
 * hashes, which no self-contained chain check can.
 */
export function verifyAgainstBase(base: LogFile[], current: LogFile[]): VerifyResult | undefined {
  const baseEntries = parseFiles(base).entries;
  const cur = parseFiles(current).entries;
  const bySeq = new Map<number, Entry & { kind: 'record' }>();
  for (const e of cur) if (e.kind === 'record' && !bySeq.has(e.record.seq)) bySeq.set(e.record.seq, e);
  let lastCur: Entry | undefined;
  for (const b of baseEntries) {
    if (b.kind !== 'record') continue;
    const c = bySeq.get(b.record.seq);
    if (!c) {
      const loc = lastCur ?? { file: b.file, line: b.line };
      return {
        ok: false,
        checked: 0,
        problem: { code: 'audit_history_rewritten', message: `record seq ${b.record.seq} (${b.record.event_id}, ${at(b)} in the base) is missing`, file: loc.file, line: lastCur ? lastCur.line + 1 : loc.line, seq: b.record.seq, event_id: b.record.event_id },
      };
    }
    if (c.record.hash !== b.record.hash) {
      return {
        ok: false,
        checked: 0,
        problem: { code: 'audit_history_rewritten', message: `record seq ${b.record.seq} differs from the base's (${b.record.event_id} at ${at(b)})`, file: c.file, line: c.line, seq: c.record.seq, event_id: c.record.event_id },
      };
    }
    lastCur = c;
  }
  return undefined;
}
