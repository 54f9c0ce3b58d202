/**
 * Hostile pull requests against the runner's input handling, played on REAL
 * git repositories: terminal escapes and workflow commands in echoed text,
 * symlinks out of the repository, file names with newlines, ranges and
 * shallow clones. Each case failed before the fix (see the issue note).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../runner/model/report.ts';
import { intentWith, runCli, spawnCli, tempRepo, type TempRepo } from './helpers.ts';
import { HOSTILE, terminalProblems } from '../report/hostile.ts';

const exec = promisify(execFile);
const STACK = /\n\s+at .+:\d+:\d+\)?\n/;
let repo: TempRepo;
/** A file outside the repository whose content must never appear in any output. */
let secretDir: string;
let secret: string;
const MARKER = 'TOP-SECRET-MARKER-7f3a';

beforeAll(async () => {
  repo = await tempRepo();
  secretDir = await mkdtemp(join(tmpdir(), 'gitops-secret-'));
  secret = join(secretDir, 'passwd');
  await writeFile(secret, `${MARKER}:x:0:0:root:/root:/bin/bash\n`);
});
afterAll(async () => {
  await repo.cleanup();
  await rm(secretDir, { recursive: true, force: true });
});

async function onBranch(name: string, fn: () => Promise<void>): Promise<void> {
  await repo.git('checkout', '-q', '-B', name, 'main');
  await fn();
  await repo.commitAll(name);
  await repo.git('checkout', '-q', 'main');
}

describe('hostile text reaches no terminal or job log raw', () => {
  // Each echoed position: the description (shown), an unknown key, a bad region, a bad budget (quoted in errors), the file name.
  const H = HOSTILE.join(' ');
  const yamlText = JSON.stringify(H); // a double-quoted YAML scalar holding the escapes
  const cases: Record<string, string> = {
    'intents/DESC-001.yaml': intentWith('DESC-001', { "description: '部署高可用性 Web 服務，保證 99.9% 可用性'": `description: ${yamlText}` }),
    'intents/KEY-001.yaml': intentWith('KEY-001', {}, `  ${yamlText}: 1\n`),
    'intents/REGION-009.yaml': intentWith('REGION-009', { "region: ['us-west', 'us-east']": `region: [${yamlText}]` }),
    'intents/BUDGET-009.yaml': intentWith('BUDGET-009', { "budget: '$500/month'": `budget: ${yamlText}` }),
    [`intents/NAME-001${'\u001b[2K\r::warning::x'}.yaml`]: intentWith('NAME-001'),
  };

  beforeAll(async () => {
    await onBranch('hostile-text', async () => {
      for (const [file, content] of Object.entries(cases)) await repo.write(file, content);
    });
  });

  for (const format of ['text', 'markdown', 'sarif', 'json'] as const) {
    it(`--format ${format}: no workflow command line, no raw control or bidi character (real process)`, async () => {
      const r = await spawnCli(['check', '--base', 'main', '--head', 'hostile-text', '--format', format], repo.dir);
      expect(r.code).toBe(1);
      expect(r.stdout).not.toMatch(STACK);
      expect(terminalProblems(r.stdout)).toEqual([]);
      expect(terminalProblems(r.stderr)).toEqual([]);
      if (format === 'text') {
        // The verdict lines are the real ones, the description is shown (defused), the errors keep file:line:col.
        // One verdict line per intent, and the governed files' own line (judged on every PR).
        const verdicts = r.stdout.split('\n').filter((l) => /^[✔✖] /.test(l));
        expect(verdicts.filter((l) => !l.includes('governed files'))).toHaveLength(Object.keys(cases).length);
        expect(verdicts.filter((l) => l.includes('governed files'))).toHaveLength(1);
        expect(r.stdout).toContain('\\u001b[2K\\r✔ ALLOW  EVIL-001');
        expect(r.stdout).toMatch(/intents\/KEY-001\.yaml:\d+:\d+: intent_schema_error: unknown field '\\n::error/);
        expect(r.stdout).toMatch(/intents\/NAME-001\\u001b\[2K\\r::warning::x\.yaml:1:1: intent_bad_file_name: /);
      }
      if (format === 'json') {
        const report = JSON.parse(r.stdout) as CheckReport;
        expect(report.intents.find((i) => i.file === 'intents/DESC-001.yaml')?.description).toBe(H); // data intact
      }
    });
  }

  it('--output writes a text report that is safe to cat in a job log', async () => {
    const out = join(repo.dir, '..', `report-${Date.now()}.txt`);
    try {
      const r = await runCli(['check', '--base', 'main', '--head', 'hostile-text', '--output', out], repo.dir);
      expect(r.code).toBe(1);
      expect(terminalProblems(await readFile(out, 'utf8'))).toEqual([]);
    } finally {
      await rm(out, { force: true });
    }
  });

  it('runner errors on stderr are defused too (an unknown ref echoing escapes)', async () => {
    const r = await runCli(['check', '--base', '\u001b[2K::error::x'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('git_unknown_ref');
    expect(terminalProblems(r.stderr)).toEqual([]);
  });
});

describe('symlinks are refused, never followed', () => {
  it('working tree: an untracked intents/X.yaml → a file outside the repository is refused, its content never printed', async () => {
    await symlink(secret, join(repo.dir, 'intents/LINK-001.yaml'));
    try {
      for (const format of ['text', 'json']) {
        const r = await runCli(['check', '--format', format], repo.dir);
        expect(r.stdout + r.stderr).not.toContain(MARKER);
        expect(r.code).toBe(1);
        expect(r.stdout).toContain('file_symlink');
        expect(r.stdout).toContain('intents/LINK-001.yaml');
      }
      // --all lists the link too (refused, not skipped in silence).
      const all = await runCli(['check', '--all', '--format', 'json'], repo.dir);
      const report = JSON.parse(all.stdout) as CheckReport;
      expect(report.intents.find((i) => i.file === 'intents/LINK-001.yaml')?.diagnostics[0]).toMatchObject({ code: 'file_symlink', file: 'intents/LINK-001.yaml', line: 1 });
      expect(all.stdout).not.toContain(MARKER);
    } finally {
      await repo.remove('intents/LINK-001.yaml');
    }
  });

  it('working tree: a symlinked folder under intents/ is not entered', async () => {
    await symlink(secretDir, join(repo.dir, 'intents/linked'));
    await writeFile(join(secretDir, 'OUT-001.yaml'), intentWith('OUT-001', { "description: '部署高可用性 Web 服務，保證 99.9% 可用性'": `description: '${MARKER}'` }));
    try {
      const r = await runCli(['check', '--all', '--format', 'json'], repo.dir);
      expect(r.stdout).not.toContain(MARKER);
      expect((JSON.parse(r.stdout) as CheckReport).intents.map((i) => i.file)).not.toContain('intents/linked/OUT-001.yaml');
    } finally {
      await repo.remove('intents/linked');
      await rm(join(secretDir, 'OUT-001.yaml'), { force: true });
    }
  });

  it('git mode: a committed symlink (mode 120000) is refused, not read as the intent text', async () => {
    await onBranch('symlink-pr', async () => {
      await symlink(secret, join(repo.dir, 'intents/LINK-002.yaml'));
    });
    const r = await spawnCli(['check', '--base', 'main', '--head', 'symlink-pr'], repo.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/intents\/LINK-002\.yaml:1:1: file_symlink: /);
    expect(r.stdout).not.toContain(secret); // the blob of a link is its target path: not shown as content either
    expect(r.stdout).not.toMatch(STACK);
  });

  it('a symlinked policy or agent registry stops the run (exit 2) naming the file', async () => {
    await onBranch('symlink-policy', async () => {
      await repo.remove('agents/agents.yaml');
      await symlink(secret, join(repo.dir, 'agents/agents.yaml'));
    });
    await repo.git('checkout', '-q', 'symlink-policy');
    try {
      const r = await runCli(['check', '--all'], repo.dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('agents/agents.yaml: file_symlink: ');
      expect(r.stdout + r.stderr).not.toContain(MARKER);
    } finally {
      await repo.git('checkout', '-q', '-f', 'main');
    }
    await onBranch('symlink-rego', async () => {
      await symlink(secret, join(repo.dir, 'policies/evil.rego'));
    });
    const r = await runCli(['check', '--all', '--head', 'symlink-rego', '--base', 'symlink-rego'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain('policies/evil.rego: file_symlink: ');
  });

  it('gitops policy test refuses a symlinked test file instead of compiling (and quoting) its target', async () => {
    await symlink(secret, join(repo.dir, 'policies/evil_test.rego'));
    try {
      const r = await runCli(['policy', 'test'], repo.dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('policies/evil_test.rego: file_symlink: ');
      expect(r.stdout + r.stderr).not.toContain(MARKER);
    } finally {
      await repo.remove('policies/evil_test.rego');
    }
  });

  it('audit verify refuses a symlinked day file (working copy) instead of echoing what it points at', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitops-audit-link-'));
    try {
      await exec('git', ['init', '-q', '-b', 'main'], { cwd: dir });
      await exec('mkdir', ['-p', join(dir, 'audit-log')]);
      await symlink(secret, join(dir, 'audit-log/2026-12-01.jsonl'));
      const r = await runCli(['audit', 'verify', '--dir', dir], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('audit-log/2026-12-01.jsonl: file_symlink: ');
      expect(r.stdout + r.stderr).not.toContain(MARKER);
      // --record refuses to append through a symlinked day file (it would truncate or write the target).
      await repo.write('intents/REC-001.yaml', intentWith('REC-001'));
      await exec('mkdir', ['-p', join(repo.dir, 'audit-log')]);
      await symlink(secret, join(repo.dir, 'audit-log/2999-12-31.jsonl'));
      const before = await readFile(secret, 'utf8');
      const rec = await runCli(['check', '--record'], repo.dir);
      expect(rec.code).toBe(2);
      expect(rec.stdout + rec.stderr).toContain('audit-log/2999-12-31.jsonl: file_symlink: ');
      expect(await readFile(secret, 'utf8')).toBe(before);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await repo.remove('audit-log');
      await repo.remove('intents/REC-001.yaml');
    }
  });
});

describe('invalid UTF-8 in runner files', () => {
  it('a policy with a UTF-8-encoded surrogate stops the run (exit 2) at its file:line:col, instead of being read as U+FFFD', async () => {
    await onBranch('bad-utf8-policy', async () => {
      const text = new TextEncoder().encode('# comment\n# caf');
      await repo.write('policies/zz_bad.rego', new Uint8Array([...text, 0xed, 0xa0, 0x80, 0x0a]));
    });
    const r = await runCli(['check', '--all', '--head', 'bad-utf8-policy', '--base', 'bad-utf8-policy'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/policies\/zz_bad\.rego:2:6: file_not_utf8: file is not valid UTF-8 \(byte 0xed/);
  });
});

describe('file names, ranges and shallow clones', () => {
  it('a newline in an intent file name is reported as such, not as an empty file (git and working tree)', async () => {
    const file = 'intents/NL\n-001.yaml';
    await onBranch('newline-name', async () => {
      await repo.write(file, intentWith('NL-001'));
    });
    const r = await runCli(['check', '--base', 'main', '--head', 'newline-name', '--format', 'json'], repo.dir);
    expect(r.code).toBe(1);
    const i = (JSON.parse(r.stdout) as CheckReport).intents[0]!;
    expect(i.file).toBe(file);
    expect(i.diagnostics[0]).toMatchObject({ code: 'intent_bad_file_name', line: 1 });
    expect(i.diagnostics[0]!.code).not.toBe('intent_empty');

    await repo.write(file, intentWith('NL-001'));
    try {
      const wt = await runCli(['check'], repo.dir);
      expect(wt.code).toBe(1);
      expect(wt.stdout).toContain('intents/NL\\n-001.yaml:1:1: intent_bad_file_name: ');
    } finally {
      await repo.remove(file);
    }
  });

  it('--base main..pr is an unknown ref (exit 2), not an internal error', async () => {
    const r = await spawnCli(['check', '--base', 'main..hostile-text'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^git_unknown_ref: 'main\.\.hostile-text' is a range/);
    expect(r.stderr).not.toContain('internal_error');
    expect(r.stderr).not.toMatch(STACK);
  });

  it('a shallow clone without the merge base says the history is too shallow (exit 2) instead of comparing the tips', async () => {
    // main moves on after the branch point; a depth-1 clone of both tips has no merge base.
    await onBranch('shallow-pr', async () => {
      await repo.write('intents/SHALLOW-001.yaml', intentWith('SHALLOW-001'));
    });
    await repo.write('README-moved-on.md', 'main moved on\n');
    await repo.commitAll('main moves on');
    const clone = await mkdtemp(join(tmpdir(), 'gitops-shallow-'));
    try {
      await exec('git', ['clone', '-q', '--depth', '1', '--no-single-branch', `file://${repo.dir}`, clone]);
      const r = await runCli(['check', '--base', 'origin/main', '--head', 'origin/shallow-pr'], clone);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/git_shallow_history: the history is too shallow/);
      // With the full history the same check runs (exit 0 or 1, never 2).
      await exec('git', ['fetch', '-q', '--unshallow'], { cwd: clone });
      const full = await runCli(['check', '--base', 'origin/main', '--head', 'origin/shallow-pr', '--format', 'json'], clone);
      expect((JSON.parse(full.stdout) as CheckReport).intents.map((i) => i.file)).toEqual(['intents/SHALLOW-001.yaml']);
    } finally {
      await rm(clone, { recursive: true, force: true });
    }
  });
});
