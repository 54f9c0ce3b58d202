import { spawn } from 'node:child_process';
import { chmodSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commitAndPush, findPending } from '../../runner/audit/push.ts';
import { openAuditSink, readAuditLog } from '../../runner/audit/store.ts';
import type { AuditEventInput } from '../../runner/core/events.ts';
import { cleanup, cli, cloneOf, git, makeRemote, tempDir } from './helpers.ts';

afterAll(cleanup);

const ev = (resource: string, trace = 'trace-push'): AuditEventInput => ({
  actor: 'audit-recorder',
  action: 'publish_results',
  resource,
  outcome: 'success',
  trace_id: trace,
});

/** The log as the remote's main branch holds it, read through a fresh clone, plus `gitops audit verify` on it. */
async function remoteLog(bare: string) {
  const dir = cloneOf(bare, 'reader');
  const verify = await cli(['audit', 'verify', '--dir', dir], dir);
  return { records: readAuditLog(dir), verify, dir };
}

describe('commitAndPush', () => {
  it('commits new records as the bot with [skip ci], touching only audit-log/, and nothing when nothing is new', async () => {
    const bare = makeRemote();
    const a = cloneOf(bare);
    const sink = openAuditSink(a);
    for (const r of ['one', 'two', 'three']) sink.emit(ev(r));
    const first = await commitAndPush(a);
    expect(first).toMatchObject({ status: 'pushed', records: 3, firstSeq: 1, lastSeq: 3, attempts: 1 });
    const tip = git(bare, 'rev-parse', 'main').trim();
    expect(git(bare, 'log', '-1', '--format=%an <%ae>%n%s', 'main')).toMatch(/^gitops-audit\[bot\] <gitops-audit\[bot\]@users\.noreply\.github\.com>\naudit: 3 records \(seq 1–3\) \[skip ci\]/);
    expect(git(bare, 'diff', '--name-only', 'main~1', 'main').trim().split('\n').sort()).toEqual(['audit-log/HEAD.json', expect.stringMatching(/^audit-log\/\d{4}-\d{2}-\d{2}\.jsonl$/)].sort());
    expect(await commitAndPush(a)).toMatchObject({ status: 'up_to_date' });
    expect(git(bare, 'rev-parse', 'main').trim()).toBe(tip);
    const { records, verify } = await remoteLog(bare);
    expect(records.map((r) => r.resource)).toEqual(['one', 'two', 'three']);
    expect(verify).toMatchObject({ code: 0 });
    expect(verify.stdout).toContain('audit chain verified: 3 records');
  });

  it('on a rejected push fetches, re-links only its own records on the new tip, and retries', async () => {
    const bare = makeRemote();
    const a = cloneOf(bare, 'a');
    const b = cloneOf(bare, 'b');
    const sa = openAuditSink(a);
    const sb = openAuditSink(b);
    sa.emit(ev('a1'));
    sa.emit(ev('a2'));
    sb.emit(ev('b1'));
    const retries: number[] = [];
    // a pushes in the window after b built its commit on the old tip and before b pushes it.
    const rb = await commitAndPush(b, {
      onRetry: (i) => retries.push(i.attempt),
      beforePush: async (attempt) => {
        if (attempt === 1) expect(await commitAndPush(a)).toMatchObject({ status: 'pushed', records: 2 });
      },
    });
    const pushedA = readAuditLog(a);
    // b's first push was built on the old tip; git refused it; the second went on top of a's.
    expect(rb).toMatchObject({ status: 'pushed', records: 1, firstSeq: 3, lastSeq: 3, attempts: 2 });
    expect(retries).toEqual([1]);
    const { records, verify } = await remoteLog(bare);
    expect(records.map((r) => r.resource)).toEqual(['a1', 'a2', 'b1']);
    // a's records were not rewritten by b.
    expect(records.slice(0, 2)).toEqual(pushedA);
    expect(verify.code).toBe(0);
    // b's working copy now mirrors the remote.
    expect(readAuditLog(b)).toEqual(records);
  });

  it('keeps records emitted while a push is in flight', async () => {
    const bare = makeRemote();
    const a = cloneOf(bare);
    const sink = openAuditSink(a);
    sink.emit(ev('before'));
    expect(await commitAndPush(a, { beforePush: () => sink.emit(ev('during')) })).toMatchObject({ status: 'pushed', records: 1 });
    expect(readAuditLog(a).map((r) => r.resource)).toEqual(['before', 'during']);
    expect(await commitAndPush(a)).toMatchObject({ status: 'pushed', records: 1 });
    const { records, verify } = await remoteLog(bare);
    expect(records.map((r) => r.resource)).toEqual(['before', 'during']);
    expect(verify.code).toBe(0);
  });

  it('pushes from a detached pull-request checkout onto main without publishing the PR', async () => {
    const bare = makeRemote();
    const pr = cloneOf(bare);
    git(pr, 'checkout', '-q', '--detach');
    writeFileSync(join(pr, 'intent.yaml'), 'intent: {}\n');
    git(pr, 'add', 'intent.yaml');
    git(pr, '-c', 'user.name=dev', '-c', 'user.email=dev@example.com', 'commit', '-q', '-m', 'PR change');
    openAuditSink(pr).emit(ev('pr-check'));
    expect(await commitAndPush(pr)).toMatchObject({ status: 'pushed' });
    expect(git(bare, 'ls-tree', '-r', '--name-only', 'main').split('\n')).not.toContain('intent.yaml');
    expect(git(bare, 'rev-list', '--count', 'main').trim()).toBe('2');
    // The working copy's HEAD, index and PR commit are untouched.
    expect(git(pr, 'log', '-1', '--format=%s')).toContain('PR change');
    expect(git(pr, 'diff', '--cached', '--name-only').trim()).toBe('');
  });

  it('creates the branch on an empty remote', async () => {
    const root = tempDir();
    const bare = join(root, 'empty.git');
    git(root, 'init', '-q', '--bare', '-b', 'main', bare);
    const a = cloneOf(bare);
    openAuditSink(a).emit(ev('first'));
    expect(await commitAndPush(a)).toMatchObject({ status: 'pushed', records: 1 });
    expect((await remoteLog(bare)).records.map((r) => r.resource)).toEqual(['first']);
  });

  it('refuses to extend a remote chain that does not verify, keeping its records pending', async () => {
    const bare = makeRemote();
    const a = cloneOf(bare, 'a');
    openAuditSink(a).emit(ev('x'));
    openAuditSink(a).emit(ev('y'));
    await commitAndPush(a);
    // Someone edits a pushed record directly on main.
    const vandal = cloneOf(bare, 'vandal');
    const file = git(vandal, 'ls-files', 'audit-log/*.jsonl').trim();
    const p = join(vandal, file);
    writeFileSync(p, readFileSync(p, 'utf8').replace('"outcome":"success"', '"outcome":"failure"'));
    git(vandal, '-c', 'user.name=v', '-c', 'user.email=v@example.com', 'commit', '-q', '-am', 'tidy');
    git(vandal, 'push', '-q', 'origin', 'main');
    openAuditSink(a).emit(ev('z'));
    const r = await commitAndPush(a);
    expect(r).toMatchObject({ status: 'remote_broken', problem: { code: 'audit_record_edited', file, line: 1 } });
    expect((await findPending(a)).map((x) => x.resource)).toContain('z');
  });
});

function spawnWriter(repo: string, count: number, mode: 'hang' | 'push', tag: string) {
  const child = spawn(join(import.meta.dirname, '../../node_modules/.bin/node'), ['--import', 'tsx', join(import.meta.dirname, 'fixtures/writer.ts'), repo, String(count), mode, tag], {
    cwd: join(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const written = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('written\n')) resolve();
    });
    child.on('exit', (code) => (out.includes('written\n') ? resolve() : reject(new Error(`writer exited ${code} before writing`))));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, written, exited, output: () => out };
}

describe('crash between writing and pushing', () => {
  it('a run killed after writing is completed by the next run, with no loss and no duplicate', async () => {
    const bare = makeRemote();
    const a = cloneOf(bare);
    const w = spawnWriter(a, 5, 'hang', 'killed');
    await w.written;
    w.child.kill('SIGKILL');
    await w.exited;
    // The next run (this process) writes its own record and pushes everything pending.
    openAuditSink(a).emit(ev('next-run'));
    expect(await commitAndPush(a)).toMatchObject({ status: 'pushed', records: 6 });
    expect(await commitAndPush(a)).toMatchObject({ status: 'up_to_date' });
    const { records, verify } = await remoteLog(bare);
    expect(records.map((r) => r.resource)).toEqual(['killed-1', 'killed-2', 'killed-3', 'killed-4', 'killed-5', 'next-run']);
    expect(verify.code).toBe(0);
  });

  it('a run killed after pushing but before updating its working copy leaves nothing to duplicate', async () => {
    const bare = makeRemote();
    const a = cloneOf(bare);
    const sink = openAuditSink(a);
    sink.emit(ev('r1'));
    sink.emit(ev('r2'));
    const snapshot = join(tempDir(), 'audit-log');
    cpSync(join(a, 'audit-log'), snapshot, { recursive: true });
    expect(await commitAndPush(a)).toMatchObject({ status: 'pushed', records: 2 });
    // Restore the working copy as it was before the push: exactly what a kill right after `git push` leaves.
    rmSync(join(a, 'audit-log'), { recursive: true });
    cpSync(snapshot, join(a, 'audit-log'), { recursive: true });
    sink.emit(ev('r3'));
    expect(await commitAndPush(a)).toMatchObject({ status: 'pushed', records: 1, firstSeq: 3 });
    const { records, verify } = await remoteLog(bare);
    expect(records.map((r) => r.resource)).toEqual(['r1', 'r2', 'r3']);
    expect(verify.code).toBe(0);
  });

  it('wherever a pushing run is killed, the next run ends with every record exactly once', async () => {
    const bare = makeRemote();
    const a = cloneOf(bare);
    // Kill points spread over the push (fetch, read, commit, push, local sync); where it lands varies, the invariant must not.
    for (const [i, delayMs] of [0, 60, 150, 400].entries()) {
      const w = spawnWriter(a, 3, 'push', `run${i}`);
      await w.written;
      await new Promise((r) => setTimeout(r, delayMs));
      w.child.kill('SIGKILL');
      await w.exited;
    }
    const r = await commitAndPush(a);
    expect(['pushed', 'up_to_date']).toContain(r.status);
    const { records, verify } = await remoteLog(bare);
    const resources = records.map((x) => x.resource);
    expect(new Set(resources).size).toBe(resources.length);
    expect(resources.sort()).toEqual(['run0', 'run1', 'run2', 'run3'].flatMap((t) => [1, 2, 3].map((n) => `${t}-${n}`)).sort());
    expect(verify.code).toBe(0);
  });
});

describe('read-only token', () => {
  it('exports pending records on a refused push for inspection; they cannot be ingested back', async () => {
    const bare = makeRemote();
    const hook = join(bare, 'hooks/pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "Permission to org/repo.git denied to github-actions[bot]." >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    const fork = cloneOf(bare, 'fork');
    const sink = openAuditSink(fork);
    sink.emit({ ...ev('DEPLOY-WEB-001', 'trace-check-pr-7'), actor: 'user@example.com', action: 'submit_intent' });
    sink.emit({ ...ev('DEPLOY-WEB-001', 'trace-check-pr-7'), actor: 'policy-engine', action: 'validate_policies' });
    expect(await commitAndPush(fork)).toMatchObject({ status: 'denied', pending: 2 });
    const out = join(tempDir(), 'audit-pending.jsonl');
    const summary = join(tempDir(), 'summary.md');
    const pushed = await cli(['audit', 'push', '--dir', fork, '--export-on-denied', out], fork, { GITHUB_STEP_SUMMARY: summary });
    expect(pushed.code).toBe(0);
    expect(pushed.stderr).toContain('audit_push_denied');
    expect(pushed.stdout).toContain('exported 2 pending records');
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(readFileSync(summary, 'utf8')).toMatch(/Audit records not pushed \(2\)[\s\S]*never ingested back[\s\S]*submit_intent/);

    // A self-hashed record proves nothing about who wrote it: there is no way back in.
    rmSync(hook);
    const priv = cloneOf(bare, 'privileged');
    const ingested = await cli(['audit', 'ingest', out, '--source', 'pr-7-run-42', '--push', '--dir', priv], priv);
    expect(ingested.code).toBe(2);
    expect(ingested.stderr).toMatch(/audit_ingest_removed: gitops audit ingest was removed: exported records are not trusted/);
    expect(ingested.stderr).not.toMatch(/\n\s+at /);
    expect(readAuditLog(priv)).toHaveLength(0);
    expect((await remoteLog(bare)).records).toHaveLength(0);
  });
});
