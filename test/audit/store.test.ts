import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileAuditSink, loadAuditLog, openAuditSink, readAuditLog, readLocalFiles } from '../../runner/audit/store.ts';
import { verifyLog } from '../../runner/audit/verify.ts';
import { GENESIS_HASH, recordHash, schemaProblem } from '../../runner/audit/record.ts';
import { GitopsError } from '../../runner/core/diagnostics.ts';
import type { AuditEventInput } from '../../runner/core/events.ts';
import { cleanup, tempDir } from './helpers.ts';

afterAll(cleanup);

const ev = (i: number, extra: Partial<AuditEventInput> = {}): AuditEventInput => ({
  actor: 'policy-engine',
  action: 'validate_policies',
  resource: `DEPLOY-WEB-${String(i).padStart(3, '0')}`,
  outcome: 'success',
  trace_id: 'trace-test',
  evidence: { commit: 'a'.repeat(40), policy_digest: 'sha256:' + 'b'.repeat(64), input_digest: 'sha256:' + 'c'.repeat(64) },
  details: { n: i },
  ...extra,
});

describe('FileAuditSink', () => {
  it('writes one schema-valid, chained record per event, durably', () => {
    const repo = tempDir();
    const sink = openAuditSink(repo);
    for (let i = 1; i <= 5; i++) sink.emit(ev(i));
    const records = readAuditLog(repo);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(records[0]!.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < records.length; i++) expect(records[i]!.prev_hash).toBe(records[i - 1]!.hash);
    for (const r of records) {
      expect(schemaProblem(r)).toBeUndefined();
      expect(recordHash(r)).toBe(r.hash);
      expect(r.event_id).toMatch(/^evt-/);
    }
    expect(new Set(records.map((r) => r.event_id)).size).toBe(5);
    expect(records[2]!.evidence).toEqual(ev(3).evidence);
    // The anchor is created with the first record; pushes keep it exact (see push tests).
    const head = JSON.parse(readFileSync(join(repo, 'audit-log/HEAD.json'), 'utf8'));
    expect(head).toMatchObject({ seq: 1, hash: records[0]!.hash });
    expect(sink.written.map((r) => r.event_id)).toEqual(records.map((r) => r.event_id));
    const { files, anchorText } = readLocalFiles(repo);
    expect(verifyLog(files, anchorText)).toMatchObject({ ok: true, records: 5 });
  });

  it('names the file by the UTC day of appending and continues the chain across files', () => {
    const repo = tempDir();
    let now = new Date('2025-12-11T23:59:59Z');
    const sink = new FileAuditSink(repo, { now: () => now });
    sink.emit(ev(1));
    now = new Date('2025-12-12T00:00:01Z');
    sink.emit(ev(2, { timestamp: '2025-12-01T10:00:00Z' }));
    const { files, anchorText } = readLocalFiles(repo);
    expect(files.map((f) => f.path)).toEqual(['audit-log/2025-12-11.jsonl', 'audit-log/2025-12-12.jsonl']);
    const records = readAuditLog(repo);
    expect(records[1]!.prev_hash).toBe(records[0]!.hash);
    // The event keeps its own timestamp; the file is where it was appended.
    expect(records[1]!.timestamp).toBe('2025-12-01T10:00:00Z');
    expect(verifyLog(files, anchorText).ok).toBe(true);
  });

  it('never appends before the last file, even when the clock goes back', () => {
    const repo = tempDir();
    let now = new Date('2025-12-12T08:00:00Z');
    const sink = new FileAuditSink(repo, { now: () => now });
    sink.emit(ev(1));
    now = new Date('2025-12-11T08:00:00Z');
    sink.emit(ev(2));
    expect(readLocalFiles(repo).files.map((f) => f.path)).toEqual(['audit-log/2025-12-12.jsonl']);
  });

  it('rejects an invalid event before writing anything', () => {
    const repo = tempDir();
    const sink = openAuditSink(repo);
    sink.emit(ev(1));
    expect(() => sink.emit(ev(2, { resource: '' }))).toThrow(GitopsError);
    expect(() => sink.emit({ ...ev(3), action: 'launch_missiles' as never })).toThrow(/action: must be one of/);
    expect(readAuditLog(repo)).toHaveLength(1);
  });

  it('cuts a torn final line (writer died inside emit) and keeps the chain valid', () => {
    const repo = tempDir();
    const sink = openAuditSink(repo);
    sink.emit(ev(1));
    const [file] = readLocalFiles(repo).files;
    appendFileSync(join(repo, file!.path), '{"seq":2,"event_id":"evt-torn'); // no newline: a torn write
    expect(loadAuditLog(repo)).toMatchObject({ problems: [] });
    sink.emit(ev(2));
    const records = readAuditLog(repo);
    expect(records.map((r) => r.seq)).toEqual([1, 2]);
    const { files, anchorText } = readLocalFiles(repo);
    expect(verifyLog(files, anchorText).ok).toBe(true);
  });

  it('takes over a lock whose owner process is gone', () => {
    const repo = tempDir();
    const sink = openAuditSink(repo);
    sink.emit(ev(1));
    // pid 2^22+12345 is above Linux's pid_max default, so no such process.
    writeFileSync(join(repo, 'audit-log/.lock'), String(4_194_304 + 12_345));
    sink.emit(ev(2));
    expect(readAuditLog(repo)).toHaveLength(2);
    expect(existsSync(join(repo, 'audit-log/.lock'))).toBe(false);
  });

  it('pins a ref name given as the evidence commit to the commit id it names', () => {
    const repo = tempDir();
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'x'], { cwd: repo });
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
    const sink = openAuditSink(repo);
    sink.emit(ev(1, { evidence: { commit: 'HEAD' } }));
    sink.emit(ev(2, { evidence: { commit: 'no-such-ref' } }));
    expect(readAuditLog(repo).map((r) => r.evidence)).toEqual([{ commit: head, commit_ref: 'HEAD' }, { commit_ref: 'no-such-ref' }]);
  });

  it('reads strictly: a malformed line is an error naming file and line', () => {
    const repo = tempDir();
    const sink = openAuditSink(repo);
    sink.emit(ev(1));
    const [file] = readLocalFiles(repo).files;
    appendFileSync(join(repo, file!.path), '{"seq": 2, "actor": "x"}\n');
    try {
      readAuditLog(repo);
      expect.unreachable('readAuditLog accepted a malformed line');
    } catch (err) {
      expect(err).toBeInstanceOf(GitopsError);
      expect((err as GitopsError).diagnostics[0]).toMatchObject({ code: 'audit_record_malformed', file: file!.path, line: 2 });
    }
  });
});
