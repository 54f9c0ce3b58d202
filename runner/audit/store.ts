/**
 * The local, on-disk side of the audit log: the sink every run writes through,
 * and the readers.
 *
 * Durability: `emit` returns only after the record's line is fsync'ed (and the
 * file's directory entry, when the day file is new). The commit-back happens
 * later; a run killed at any point after `emit` returned leaves the record on
 * disk for the next run to push.
 *
 * Exclusion: appends take `audit-log/.lock` (O_EXCL create, stale when its
 * owner process is gone), so two processes sharing one working copy cannot
 * interleave their chains. Inside one process `emit` is synchronous, so
 * nothing else runs between reading the tail and writing after it.
 */
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { fsyncDir, writeFileDurable } from '../core/write-file.ts';
import { dirname, join } from 'node:path';
import { GitopsError, diag, type Diagnostic } from '../core/diagnostics.ts';
import { inspectRepoPathSync, readRepoTextSync, symlinkRefused } from '../core/files.ts';
import { runGitSync } from '../git/process.ts';
import type { AuditEventInput, AuditSink, Evidence } from '../core/events.ts';
import { appendAfter, GENESIS } from './chain.ts';
import { HEAD_FILE, LOG_DIR, anchorText, isDayFile, parseFiles, parseLine, type Anchor, type LogFile } from './layout.ts';
import { newEventId, normalise, type AuditRecord, type UnlinkedRecord } from './record.ts';

const LOCK_FILE = `${LOG_DIR}/.lock`;
const LOCK_TIMEOUT_MS = 15_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Run `fn` holding the working copy's audit lock. */
export function withLogLock<T>(repoDir: string, fn: () => T): T {
  const dir = join(repoDir, LOG_DIR);
  mkdirSync(dir, { recursive: true });
  const lock = join(repoDir, LOCK_FILE);
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner = NaN;
      try {
        owner = Number(readFileSync(lock, 'utf8'));
      } catch {
        continue; // released between our open and read
      }
      // A lock whose owner died (killed mid-emit) would block every later run.
      if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) {
        try {
          unlinkSync(lock);
        } catch {
          /* another process removed it first */
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new GitopsError(diag('audit_lock_timeout', `audit log is locked by process ${owner}`, { file: LOCK_FILE }));
      }
      sleepSync(5 + Math.floor(Math.random() * 20));
    }
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      /* already gone */
    }
  }
}

function appendDurable(abs: string, text: string): void {
  const isNew = !existsSync(abs);
  const fd = openAppend(abs);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (isNew) fsyncDir(dirname(abs));
}

/** Day files of the working copy, in chain order (repo-relative paths). */
export function listDayFiles(repoDir: string): string[] {
  const dir = join(repoDir, LOG_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((n) => `${LOG_DIR}/${n}`)
    .filter(isDayFile)
    .sort();
}

/** The working copy's log files and anchor text. */
export function readLocalFiles(repoDir: string): { files: LogFile[]; anchorText?: string } {
  // Symlinks are refused, not followed (a day file linked to /etc/passwd must not be read, let alone echoed).
  const files = listDayFiles(repoDir).map((path) => ({ path, text: readRepoTextSync(repoDir, path) }));
  return inspectRepoPathSync(repoDir, HEAD_FILE).kind === 'missing' ? { files } : { files, anchorText: readRepoTextSync(repoDir, HEAD_FILE) };
}

/**
 * The last record of the working copy's chain, reading only the end of the
 * last file. A torn final line (no newline: the writer died inside `emit`) is
 * cut off: that record was never acknowledged to anyone.
 */
function localTail(repoDir: string): Anchor {
  const files = listDayFiles(repoDir);
  for (let i = files.length - 1; i >= 0; i--) {
    const rel = files[i]!;
    const abs = join(repoDir, rel);
    // Opened read-write (a torn line is cut off): never through a symlink, which would truncate its target.
    if (inspectRepoPathSync(repoDir, rel).kind === 'symlink') throw new GitopsError(symlinkRefused(rel), 2);
    const fd = openSync(abs, constants.O_RDWR | constants.O_NOFOLLOW);
    try {
      const size = fstatSync(fd).size;
      if (size === 0) continue;
      // Read back from the end only as far as the last complete line needs (a record is ~1 KiB): this runs
      // once per event, and a fixed 64 KiB read per event made a 2,000-intent --record run peak at 1.2 GB.
      // Bytes, not text: a chunk may start inside a multi-byte character.
      let want = 4096;
      let start: number;
      let buf: Buffer;
      let complete: number; // bytes up to and including the last newline
      let prev: number; // the newline before the last complete line, or -1
      for (;;) {
        start = Math.max(0, size - want);
        buf = readRange(fd, start, size);
        complete = buf.lastIndexOf(0x0a) + 1;
        prev = complete >= 2 ? buf.lastIndexOf(0x0a, complete - 2) : -1;
        if (start === 0 || prev >= 0) break;
        want *= 4;
      }
      if (complete < buf.length) {
        // A torn final line (no newline: the writer died inside `emit`) is cut off.
        ftruncateSync(fd, start + complete);
        fsyncSync(fd);
      }
      if (complete === 0) continue;
      const lastLine = buf.subarray(prev + 1, complete - 1).toString('utf8');
      let lineNo: number | undefined;
      if (start === 0) {
        lineNo = 0;
        for (let k = 0; k < complete; k++) if (buf[k] === 0x0a) lineNo++;
      }
      const entry = parseLine(rel, lineNo ?? 0, lastLine);
      if (entry.kind !== 'record') {
        throw new GitopsError(
          diag('audit_log_corrupt', `cannot append: the last line of the audit log is not a valid record (${entry.reason}); run gitops audit verify`, {
            file: rel,
            ...(lineNo ? { line: lineNo } : {}),
          }),
        );
      }
      return { seq: entry.record.seq, hash: entry.record.hash, file: rel };
    } finally {
      closeSync(fd);
    }
  }
  return GENESIS;
}

function readRange(fd: number, start: number, end: number): Buffer {
  const buf = Buffer.alloc(end - start);
  let off = 0;
  while (off < buf.length) {
    const n = readSync(fd, buf, off, buf.length - off, start + off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

/** Append mode without following a symlink planted at the day file's path. */
function openAppend(abs: string): number {
  return openSync(abs, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
}

/**
 * Append records to the working copy's chain, durably, under the lock.
 * Returns the records as linked (with seq and hashes).
 */
export function appendLocal(repoDir: string, records: UnlinkedRecord[], now: Date = new Date()): AuditRecord[] {
  if (records.length === 0) return [];
  return withLogLock(repoDir, () => {
    const tail = localTail(repoDir);
    // Only the target file's text matters to appendAfter; pass the tail file's text as empty and append the delta.
    const result = appendAfter([], tail, records, now);
    for (const path of result.changed) appendDurable(join(repoDir, path), result.files.get(path)!);
    // The anchor is exact in every pushed commit (the commit-back writes it) and refreshed when the
    // working copy is synced after a push. Between pushes it may lag behind the last record, which
    // verify accepts; rewriting it on every append would cost two more fsyncs per event. It is only
    // created here when missing, so a fresh log verifies before its first push.
    const head = join(repoDir, HEAD_FILE);
    if (!existsSync(head)) writeFileDurable(head, anchorText(result.tail));
    return result.records;
  });
}

/**
 * Replace the working copy's log with `files` (all day files; local day files
 * not in the map are removed) and the anchor. Used after a push, so the local
 * log mirrors what the remote holds plus what is still pending.
 */
export function replaceLocalLog(repoDir: string, files: Map<string, string>, anchor: Anchor): void {
  for (const path of listDayFiles(repoDir)) {
    if (!files.has(path)) unlinkSync(join(repoDir, path));
  }
  for (const [path, text] of files) {
    const abs = join(repoDir, path);
    // Compared only when a regular file (a symlink is replaced by the rename below, never read through).
    if (inspectRepoPathSync(repoDir, path).kind === 'file' && readFileSync(abs, 'utf8') === text) continue;
    writeFileDurable(abs, text);
  }
  if (anchor.seq > 0) writeFileDurable(join(repoDir, HEAD_FILE), anchorText(anchor));
}

/** An event from a stage, turned into an unlinked record (id and time assigned here). */
export function toUnlinked(event: AuditEventInput, now: Date): UnlinkedRecord {
  return normalise({
    event_id: newEventId(now),
    timestamp: event.timestamp ?? now.toISOString(),
    actor: event.actor,
    action: event.action,
    resource: event.resource,
    outcome: event.outcome,
    trace_id: event.trace_id,
    evidence: event.evidence ?? {},
    details: event.details ?? {},
  });
}

/**
 * The sink the CLIs write through: each event becomes one record, on disk
 * (fsync'ed) before `emit` returns. `written` lists this sink's records, for
 * job summaries and exports.
 */
export class FileAuditSink implements AuditSink {
  readonly repoDir: string;
  readonly written: AuditRecord[] = [];
  private readonly now: () => Date;
  private readonly resolved = new Map<string, string | null>();
  constructor(repoDir: string, opts: { now?: () => Date } = {}) {
    this.repoDir = repoDir;
    this.now = opts.now ?? (() => new Date());
  }
  emit(event: AuditEventInput): void {
    const now = this.now();
    const commit = event.evidence?.commit;
    const e = typeof commit === 'string' && !COMMIT_ID.test(commit) ? { ...event, evidence: this.pinCommit(event.evidence!, commit) } : event;
    this.written.push(...appendLocal(this.repoDir, [toUnlinked(e, now)], now));
  }
  /**
   * Evidence must name a commit id, not a ref that moves: a ref name (a run
   * given `--head HEAD`) is resolved once to the commit it names now and kept
   * as `commit_ref`; one that does not resolve stays only as `commit_ref`.
   */
  private pinCommit(evidence: Evidence, ref: string): Evidence {
    if (!this.resolved.has(ref)) {
      let sha: string | null = null;
      try {
        const r = runGitSync(this.repoDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
        sha = r.code === 0 ? r.stdout.trim() || null : null;
      } catch {
        sha = null;
      }
      this.resolved.set(ref, sha);
    }
    const { commit: _ref, ...rest } = evidence;
    const sha = this.resolved.get(ref);
    return sha ? { ...rest, commit: sha, commit_ref: ref } : { ...rest, commit_ref: ref };
  }
}

const COMMIT_ID = /^[0-9a-f]{7,64}$/;

/** The factory the CLIs use (runner/cli/context.ts `createRunContext({ sink })`). */
export function openAuditSink(repoDir: string): FileAuditSink {
  return new FileAuditSink(repoDir);
}

export interface LoadedLog {
  records: AuditRecord[];
  /** Malformed lines (schema or JSON), located; torn final lines are not listed here. */
  problems: Diagnostic[];
}

/** Read and schema-validate every line of the working copy's log. Never throws for bad lines: they are returned as problems. */
export function loadAuditLog(repoDir: string): LoadedLog {
  const { entries, torn } = parseFiles(readLocalFiles(repoDir).files);
  const tornAt = new Set(torn.map((t) => `${t.file}:${t.line}`));
  const records: AuditRecord[] = [];
  const problems: Diagnostic[] = [];
  for (const e of entries) {
    if (e.kind === 'record') records.push(e.record);
    else if (!tornAt.has(`${e.file}:${e.line}`)) problems.push(diag('audit_record_malformed', `audit record ${e.reason}`, { file: e.file, line: e.line }));
  }
  return { records, problems };
}

/**
 * Every record of the working copy's log, in chain order, each validated
 * against the record schema. A malformed line is an error naming file:line
 * (the log is evidence: a reader must not silently skip part of it).
 */
export function readAuditLog(repoDir: string): AuditRecord[] {
  const { records, problems } = loadAuditLog(repoDir);
  if (problems.length > 0) throw new GitopsError(problems, 1);
  return records;
}

/** The text form written to an export file (one record per line). */
export function recordsToJsonl(records: AuditRecord[]): string {
  return records.map((r) => JSON.stringify(r) + '\n').join('');
}
