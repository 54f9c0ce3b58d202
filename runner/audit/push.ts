/**
 * Commit-back: put the working copy's new records on the remote branch.
 *
 * Pending records are identified by content, not by bookkeeping: a local
 * record is pending when its `event_id` is not in the remote tip's log. So a
 * run killed after writing and before pushing leaves records that the next
 * run finds pending; a run killed after pushing and before updating its
 * working copy leaves records the remote already holds, which are therefore
 * not pending (no duplicate).
 *
 * Each attempt rebuilds the commit from the remote tip: the remote's files
 * unchanged, then the pending records re-linked after the remote's last
 * record. A non-fast-forward rejection (another runner pushed first) means
 * fetch, rebuild, retry after a jittered, bounded backoff. Existing records
 * are never rewritten; only our own unpushed ones get new seq/prev_hash/hash.
 */
import { GitopsError, type Diagnostic } from '../core/diagnostics.ts';
import { appendAfter, tailOf } from './chain.ts';
import { commitOnTop, dropWorkRef, fetchTip, pushCommit, readLogAtRef, type Identity } from './git.ts';
import { HEAD_FILE, anchorText, parseFiles, type Entry, type LogFile } from './layout.ts';
import { unlink, type AuditRecord } from './record.ts';
import { loadAuditLog, replaceLocalLog, withLogLock } from './store.ts';
import { verifyLog, type VerifyProblem } from './verify.ts';

export const BOT_IDENTITY: Identity = { name: 'gitops-audit[bot]', email: 'gitops-audit[bot]@users.noreply.github.com' };

export interface PushOptions {
  remote?: string;
  branch?: string;
  /** Attempts in total (first push included). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  author?: Identity;
  now?: () => Date;
  /**
   * Called after the commit is built and before it is pushed, with the
   * attempt number. A seam for tests to race another runner (or emit) into
   * exactly that window; the CLIs do not set it.
   */
  beforePush?: (attempt: number) => Promise<void> | void;
  /** Called before each retry; for logs and measurements. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export type PushResult =
  | { status: 'pushed'; commit: string; records: number; firstSeq: number; lastSeq: number; attempts: number }
  | { status: 'up_to_date'; attempts: number }
  | { status: 'denied'; pending: number; message: string; attempts: number }
  | { status: 'gave_up'; pending: number; message: string; attempts: number }
  | { status: 'remote_broken'; problem: VerifyProblem }
  | { status: 'local_invalid'; problems: Diagnostic[] };

export const DEFAULTS = { remote: 'origin', branch: 'main', maxAttempts: 30, baseDelayMs: 50, maxDelayMs: 5000 } as const;

function recordsOf(entries: Entry[]): AuditRecord[] {
  return entries.flatMap((e) => (e.kind === 'record' ? [e.record] : []));
}

/** Local records whose event_id is not in `known`, first occurrence only, in chain order. */
export function pendingAgainst(local: AuditRecord[], known: Set<string>): AuditRecord[] {
  const seen = new Set(known);
  const out: AuditRecord[] = [];
  for (const r of local) {
    if (seen.has(r.event_id)) continue;
    seen.add(r.event_id);
    out.push(r);
  }
  return out;
}

/** Serialise commit-backs per working copy inside one process (they share the remote-tracking ref). */
const inFlight = new Map<string, Promise<unknown>>();

export function commitAndPush(repoDir: string, opts: PushOptions = {}): Promise<PushResult> {
  const prev = inFlight.get(repoDir) ?? Promise.resolve();
  const next = prev.then(
    () => attemptLoop(repoDir, opts),
    () => attemptLoop(repoDir, opts),
  );
  inFlight.set(repoDir, next);
  return next.finally(() => {
    if (inFlight.get(repoDir) === next) inFlight.delete(repoDir);
  });
}

/** Full jitter: uniform in [0, min(cap, base·2^attempt)] — spreads contending runners apart. */
export function backoffDelay(attempt: number, base: number, cap: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(cap, base * 2 ** attempt));
}

async function attemptLoop(repoDir: string, opts: PushOptions): Promise<PushResult> {
  const remote = opts.remote ?? DEFAULTS.remote;
  const branch = opts.branch ?? DEFAULTS.branch;
  const maxAttempts = opts.maxAttempts ?? DEFAULTS.maxAttempts;
  const now = opts.now ?? (() => new Date());
  let lastReason = '';
  // Read once per call: records emitted while this call retries are pushed by the next call (and
  // are kept by syncLocal meanwhile). Re-reading here on every attempt would widen the window.
  const local = loadAuditLog(repoDir);
  if (local.problems.length > 0) return { status: 'local_invalid', problems: local.problems };
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const attemptStarted = Date.now();
    const tip = await fetchTip(repoDir, remote, branch);
    const remoteLog = tip ? await readLogAtRef(repoDir, tip) : { files: [] as LogFile[] };
    // Never extend a chain that does not verify: the records stay pending and the problem is reported.
    const check = verifyLog(remoteLog.files, remoteLog.anchorText);
    if (!check.ok) return { status: 'remote_broken', problem: check.problem };
    const remoteEntries = parseFiles(remoteLog.files).entries;
    const remoteIds = new Set(recordsOf(remoteEntries).map((r) => r.event_id));

    const pending = pendingAgainst(local.records, remoteIds);
    if (pending.length === 0) {
      syncLocal(repoDir, remoteLog.files, remoteIds, now());
      return { status: 'up_to_date', attempts: attempt };
    }

    const appended = appendAfter(remoteLog.files, tailOf(remoteEntries), pending.map(unlink), now());
    const changes = new Map<string, string>();
    for (const p of appended.changed) changes.set(p, appended.files.get(p)!);
    changes.set(HEAD_FILE, anchorText(appended.tail));
    const first = appended.records[0]!.seq;
    const last = appended.tail.seq;
    const commit = await commitOnTop(repoDir, tip, changes, commitMessage(appended.records, first, last), opts.author ?? BOT_IDENTITY, now());
    await opts.beforePush?.(attempt);
    const pushed = await pushCommit(repoDir, remote, branch, commit);
    if (pushed.kind === 'ok') {
      const nowPushed = new Set([...remoteIds, ...appended.records.map((r) => r.event_id)]);
      const files = [...appended.files].map(([path, text]) => ({ path, text }));
      syncLocal(repoDir, files, nowPushed, now());
      await dropWorkRef(repoDir);
      return { status: 'pushed', commit, records: appended.records.length, firstSeq: first, lastSeq: last, attempts: attempt };
    }
    if (pushed.kind === 'denied') return { status: 'denied', pending: pending.length, message: pushed.message, attempts: attempt };
    lastReason = pushed.message;
    if (attempt < maxAttempts) {
      // The backoff unit is at least one attempt's duration: on a loaded machine (or a slow remote) the
      // fetch→push window is long, and retrying faster than that only makes every contender collide again.
      const unit = Math.max(opts.baseDelayMs ?? DEFAULTS.baseDelayMs, Date.now() - attemptStarted);
      const delayMs = backoffDelay(attempt - 1, unit, opts.maxDelayMs ?? DEFAULTS.maxDelayMs);
      opts.onRetry?.({ attempt, delayMs, reason: pushed.message });
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
  const tip = await fetchTip(repoDir, remote, branch).catch(() => null);
  const remoteIds = tip ? new Set(recordsOf(parseFiles((await readLogAtRef(repoDir, tip)).files).entries).map((r) => r.event_id)) : new Set<string>();
  return { status: 'gave_up', pending: pendingAgainst(loadAuditLog(repoDir).records, remoteIds).length, message: lastReason, attempts: maxAttempts };
}

/**
 * Make the working copy's log mirror `files` (what the remote holds), plus
 * every local record not in `known` re-appended after it. Under the lock and
 * synchronous, so an `emit` of this process or another cannot slip between
 * the read and the write: records emitted while the push was in flight are
 * kept, not overwritten.
 */
function syncLocal(repoDir: string, files: LogFile[], known: Set<string>, now: Date): void {
  withLogLock(repoDir, () => {
    const local = loadAuditLog(repoDir);
    const rest = pendingAgainst(local.records, known);
    const entries = parseFiles(files).entries;
    const appended = appendAfter(files, tailOf(entries), rest.map(unlink), now);
    replaceLocalLog(repoDir, appended.files, appended.tail);
  });
}

function commitMessage(records: AuditRecord[], first: number, last: number): string {
  const traces = [...new Set(records.map((r) => r.trace_id))];
  const shown = traces.slice(0, 10).map((t) => `trace: ${t}`);
  if (traces.length > 10) shown.push(`… and ${traces.length - 10} more traces`);
  return `audit: ${records.length} record${records.length === 1 ? '' : 's'} (seq ${first}–${last}) [skip ci]\n\n${shown.join('\n')}\n`;
}

/**
 * Records of the working copy that `rev` (default: the remote branch's tip,
 * fetched; the checked-out HEAD when the remote cannot be read) does not hold.
 * What a read-only run exports for the next privileged run to ingest.
 */
export async function findPending(repoDir: string, opts: { remote?: string; branch?: string; base?: string } = {}): Promise<AuditRecord[]> {
  let rev: string | null = opts.base ?? null;
  if (!rev) {
    try {
      rev = await fetchTip(repoDir, opts.remote ?? DEFAULTS.remote, opts.branch ?? DEFAULTS.branch);
    } catch {
      rev = 'HEAD';
    }
  }
  const known = rev ? new Set(recordsOf(parseFiles((await readLogAtRef(repoDir, rev)).files).entries).map((r) => r.event_id)) : new Set<string>();
  const local = loadAuditLog(repoDir);
  if (local.problems.length > 0) throw new GitopsError(local.problems, 1);
  return pendingAgainst(local.records, known);
}
