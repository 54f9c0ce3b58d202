import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurable } from '../core/write-file.ts';
import type { Command } from './command.ts';
import { parse } from './args.ts';
import { GitopsError, diag } from '../core/diagnostics.ts';
import { openRepo } from '../git/repo.ts';
import { defaultActionRef, governedLayout, ownerFromRemote, packageRoot, planInit, type FileOutcome } from '../init/layout.ts';

const USAGE = `Usage: gitops init [options]

Lays out a governed repository in the current git repository: intents/ (an
example intent), policies/ (the default policies and their *_test.rego),
contracts/, agents/, audit-log/, .github/workflows/ (check, apply, feedback,
pinned to the gitops action) and .github/CODEOWNERS for the governed paths.

Idempotent: a file that is already there is never overwritten; when its
content differs from the template it is left alone and named.

      --dry-run          list what would be written; write nothing
      --action <ref>     the action the workflows use (default: the published
                         action at this version, e.g. owner/repo@v1)
      --owner <@team>    CODEOWNERS owner of the governed paths (repeatable;
                         default: @<owner> of the GitHub remote 'origin')

Exit code: 0 done (or nothing to do), 2 not a git repository or bad usage.`;

const WORDS: Record<FileOutcome['status'], string> = {
  create: 'create   ',
  unchanged: 'unchanged',
  kept: 'kept     ',
};

export const command: Command = {
  name: 'init',
  summary: 'Lay out a governed repository (intents, policies, contracts, agents, audit log, workflows) in this git repository',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parse('init', argv, { 'dry-run': { type: 'boolean' }, action: { type: 'string' }, owner: { type: 'string', multiple: true } }, false);
    const repo = await openRepo(io.cwd);
    if (!repo) throw new GitopsError(diag('not_a_git_repository', `${io.cwd} is not in a git repository (run git init first)`), 2);
    const root = packageRoot();
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    let owners = values.owner ?? [];
    for (const o of owners) if (!/^@[A-Za-z0-9][A-Za-z0-9-]*(\/[A-Za-z0-9._-]+)?$|^[^@\s]+@[^@\s]+$/.test(o)) throw new GitopsError(diag('usage_error', `gitops init: --owner '${o}' is not a GitHub @user, @org/team or e-mail address`), 2);
    let ownerNote = '';
    if (owners.length === 0) {
      const remote = await repo.git.raw(['config', '--get', 'remote.origin.url']).catch(() => '');
      const fromRemote = ownerFromRemote(remote);
      owners = [fromRemote ?? '@platform-team'];
      if (!fromRemote) ownerNote = `note: no GitHub remote 'origin': .github/CODEOWNERS names @platform-team; edit it or pass --owner\n`;
    }
    const files = governedLayout(root, { actionRef: values.action ?? defaultActionRef(version), owners });
    const outcomes = planInit(files, (p) => {
      try {
        return readFileSync(join(repo.root, p), 'utf8');
      } catch {
        return undefined;
      }
    });
    const dry = values['dry-run'] === true;
    for (const o of outcomes) {
      if (o.status === 'create' && !dry) writeFileDurable(join(repo.root, o.path), o.content);
      io.stdout(`${dry && o.status === 'create' ? 'would create' : WORDS[o.status]}  ${o.path}${o.status === 'kept' ? '  (differs from the template; left alone)' : ''}\n`);
    }
    const created = outcomes.filter((o) => o.status === 'create').length;
    const kept = outcomes.filter((o) => o.status === 'kept');
    io.stdout(
      `\n${dry ? `${created} file(s) would be written` : `${created} file(s) written`}, ${outcomes.length - created - kept.length} already up to date, ${kept.length} left alone.\n`,
    );
    io.stdout(ownerNote);
    if (!dry && created > 0)
      io.stdout('Next: `npx gitops policy test`, then commit; on GitHub make the job `gitops check` a required status check (docs/adopt.md).\n');
    return 0;
  },
};
