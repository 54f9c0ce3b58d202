/**
 * `gitops affected`: the stacks a change affects, for a GitHub Actions matrix
 * (one apply job per stack, each in its own concurrency group). Same
 * selection as `gitops apply --base --head`; no Pulumi loaded.
 */
import { appendFileSync } from 'node:fs';
import type { Command } from './command.ts';
import { parse, usageError } from './args.ts';
import { GitopsError } from '../core/diagnostics.ts';
import { selectStacks } from '../apply/select.ts';

const usage = `Usage: gitops affected --base <ref> --head <ref> [--format json|text] [--github-output]

Lists the stacks (<intent>-<region>) changed between two refs: intents added,
modified, renamed or removed, regions dropped, and every stack when the program
(runner/infra/) or the agent registry changed.

  --format json     {version, base, head, count, stacks: [{stack, intent, region, file,
                    change, action}], matrix: {include: [...]}} (default)
  --format text     one line per stack
  --github-output   also write \`matrix=<json>\` and \`count=<n>\` to $GITHUB_OUTPUT

In a workflow: strategy.matrix: \${{ fromJSON(needs.affected.outputs.matrix) }},
guarded by \`if: needs.affected.outputs.count != '0'\` (an empty matrix is an error),
and concurrency: { group: apply-\${{ matrix.stack }}, cancel-in-progress: false }.`;

export const command: Command = {
  name: 'affected',
  summary: 'List the stacks changed between two refs (for a GitHub Actions matrix)',
  usage,
  async run(argv, io) {
    const { values } = parse('affected', argv, { base: { type: 'string' }, head: { type: 'string' }, format: { type: 'string', default: 'json' }, 'github-output': { type: 'boolean' } }, false);
    if (!values.base || !values.head) throw usageError('affected', '--base and --head are required');
    if (values.format !== 'json' && values.format !== 'text') throw usageError('affected', '--format must be json or text');
    const r = await selectStacks(io.cwd, { base: values.base, head: values.head });
    if (!r.ok) throw new GitopsError(r.diagnostics, 2);
    const stacks = r.value.map((t) => ({ stack: t.stack, intent: t.intentId, region: t.region, file: t.file, change: t.change, action: t.kind }));
    const matrix = { include: stacks };
    if (values.format === 'json') io.stdout(JSON.stringify({ version: 1, base: values.base, head: values.head, count: stacks.length, stacks, matrix }, null, 2) + '\n');
    else io.stdout(stacks.length ? stacks.map((s) => `${s.action === 'up' ? 'apply  ' : 'destroy'} ${s.stack}  (${s.change}, ${s.file})`).join('\n') + '\n' : 'no stacks affected\n');
    if (values['github-output']) {
      if (!io.env.GITHUB_OUTPUT) throw usageError('affected', '--github-output needs $GITHUB_OUTPUT (set by GitHub Actions)');
      appendFileSync(io.env.GITHUB_OUTPUT, `matrix=${JSON.stringify(matrix)}\ncount=${stacks.length}\n`);
    }
    return 0;
  },
};
