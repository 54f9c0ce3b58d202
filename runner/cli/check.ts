import { writeAtomically } from '../core/write-file.ts';
import { resolve } from 'node:path';
import type { Command } from './command.ts';
import { parse, usageError } from './args.ts';
import { createRunContext } from '../core/run-context.ts';
import { GitopsError, diag } from '../core/diagnostics.ts';
import { newTraceId } from '../core/events.ts';
import { exitCode } from '../model/report.ts';
import { FORMATS, isFormat, renderChunks } from '../report/index.ts';
import { headline } from '../report/format.ts';
import { checkPreviews, missingPulumiPackages } from '../infra/pulumi-packages.ts';
import { STAGES } from '../check/pipeline.ts';
import { runCheck } from '../check/run.ts';
import { openRepo, resolveRef } from '../git/repo.ts';
import type { EngineChoice } from '../policy/bundle.ts';
import { BUILTINS_OPTION, withBuiltinModules } from './builtins.ts';

export const command: Command = {
  name: 'check',
  summary: 'Check changed intents against schema, policies and contracts (the pull-request check)',
  usage: `Usage: gitops check [--base <ref> [--head <ref>] | --all [--head <ref>]] [options]

Checks intents (intents/<ID>.yaml): schema, translation into actions, cost
estimate, then the Rego policies under policies/ AS THEY ARE AT --base (a pull
request cannot weaken the policies it is judged by; policy edits are flagged
for policy-owner review).

What is checked:
  --base <ref> --head <ref>  intents added, changed or renamed from the merge base of
                             the two refs to --head (like a pull request); --head
                             defaults to HEAD
  --all                      every intent at --head, or in the working tree;
                             policies from --base when given, else the same tree
  (no ref option)            uncommitted intent changes in the working tree,
                             judged by the policies committed at HEAD

Options:
  --format <f>     text (default), json, markdown (the PR comment), sarif
  --output <file>  write the formatted report to <file> (stdout gets a one-line summary)
  --preview        also preview the infrastructure (Pulumi, mock runtime) and judge the
                   plan with the plan policies (PLAN-*); with a base, the plan diff
                   base → head (create/update/replace/delete). On by default with
                   --base (without --all): a pull request's plan is always judged
  --no-preview     skip the preview with --base (a quicker local look; CI never passes it)
  --engine <e>     interp: the in-process Rego engine (default without --bundle);
                   wasm: the decision comes from OPA-compiled wasm (default with --bundle)
  --bundle <file>  an OPA bundle (opa build -t wasm -e gitops/policies policies/) built
                   from exactly the policies used (checked, else exit 2). --engine wasm
                   without --bundle builds one with \`opa\` from PATH
  --v0-compatible  read the policies as Rego v0 (OPA's flag); a .manifest with
                   rego_version / file_rego_versions under policies/ decides per folder
  --record         append the audit events of this check to audit-log/ of the working
                   copy (as CI does; \`gitops audit push\` commits them back)
  --actor <login>  who submitted the intents (default: $GITHUB_ACTOR, else $USER)
  --builtins <m>   ES module exporting custom builtins the policies call (see
                   docs/rego.md, "Custom builtins"); repeatable
  --repo <dir>     the working copy (default: current directory)
  -h, --help       this help

Exit code: 0 every intent allowed (warnings allowed), 1 an intent denied or
invalid, 2 runner error (unknown ref, policies that do not compile, …).`,
  async run(argv, io) {
    const { values, positionals } = parse('check', argv, {
      base: { type: 'string' },
      head: { type: 'string' },
      all: { type: 'boolean' },
      format: { type: 'string', default: 'text' },
      output: { type: 'string' },
      preview: { type: 'boolean' },
      'no-preview': { type: 'boolean' },
      repo: { type: 'string' },
      engine: { type: 'string' },
      bundle: { type: 'string' },
      record: { type: 'boolean' },
      actor: { type: 'string' },
      'v0-compatible': { type: 'boolean' },
      ...BUILTINS_OPTION,
    });
    if (positionals.length) throw usageError('check', `unexpected argument '${positionals[0]}'`);
    const format = values.format ?? 'text';
    if (!isFormat(format)) throw usageError('check', `unknown format '${format}' (one of: ${Object.keys(FORMATS).join(', ')})`);
    if (values.head && !values.base && !values.all) throw usageError('check', '--head needs --base (or --all)');
    if (values.preview && values['no-preview']) throw usageError('check', '--preview and --no-preview contradict each other');
    // The PR path (--base, not --all) judges the plan: the plan policies see the
    // IAM roles, security groups and listeners of every changed intent before merge.
    const preview = checkPreviews({ preview: values.preview, noPreview: values['no-preview'], base: values.base, all: values.all });
    if (values.preview && !STAGES.some((s) => s.name === 'preview')) {
      throw new GitopsError(diag('preview_unavailable', 'the infrastructure preview stage is not installed in this runner'), 2);
    }
    const missing = preview ? missingPulumiPackages() : [];
    if (missing.length) {
      // Fail closed, before anything runs: a pull request's plan is never skipped silently.
      throw new GitopsError(
        diag(
          'pulumi_not_installed',
          `this check previews the infrastructure (the plan policies judge it), which needs ${missing.join(' and ')}: npm install -D @pulumi/pulumi @pulumi/aws (the action installs them itself), or pass --no-preview for a local look that does not judge the plan`,
        ),
        2,
      );
    }
    const engine = engineOf(values.engine, values.bundle === undefined ? undefined : resolve(io.cwd, values.bundle));
    const cwd = resolve(io.cwd, values.repo ?? '.');
    const repo = await openRepo(cwd);
    const head = values.head ?? values.base;
    const repoDir = repo?.root ?? cwd;
    // Without --record the events stay in memory: a local check must not dirty the working copy.
    const sink = values.record ? (await import('../audit/index.ts')).openAuditSink(repoDir) : undefined;
    const commit = repo ? await resolveRef(repo, head ?? 'HEAD').catch(() => undefined) : undefined;
    const ctx = createRunContext({
      repoDir,
      kind: 'check',
      human: values.actor ?? io.env.GITHUB_ACTOR ?? io.env.USER ?? 'local-user',
      traceId: newTraceId('check', head),
      ...(sink ? { sink } : {}),
      ...(commit ? { commit } : {}),
    });
    const report = await withBuiltinModules(values.builtins, io.cwd, () => runCheck({
      cwd,
      ctx,
      ...(repo ? { repo } : {}),
      ...(values.base ? { base: values.base } : {}),
      ...(values.head ? { head: values.head } : {}),
      ...(values.all ? { all: true } : {}),
      ...(preview ? { preview: true } : {}),
      ...(values['v0-compatible'] ? { v0Compatible: true } : {}),
      engine,
    }));
    if (values.output) {
      const path = resolve(io.cwd, values.output);
      // Never half a report at `path`: written beside it and renamed into place.
      try {
        await writeAtomically(path, renderChunks(format, report));
      } catch (err) {
        throw new GitopsError(diag('output_unwritable', `cannot write ${values.output}: ${(err as Error).message}`), 2);
      }
      io.stdout(`gitops check: ${headline(report)} (${format} report written to ${values.output})\n`);
    } else {
      for (const chunk of renderChunks(format, report)) io.stdout(chunk);
    }
    return exitCode(report);
  },
};

/** `--engine` defaults to wasm when a bundle is given, else interp; an interp run with a bundle is a contradiction, not a silent ignore. */
function engineOf(name: string | undefined, bundle: string | undefined): EngineChoice {
  const kind = name ?? (bundle === undefined ? 'interp' : 'wasm');
  if (kind === 'interp') {
    if (bundle !== undefined) throw usageError('check', '--bundle is evaluated by --engine wasm, not --engine interp');
    return { kind: 'interp' };
  }
  if (kind === 'wasm') return bundle === undefined ? { kind: 'wasm' } : { kind: 'wasm', bundle };
  throw usageError('check', `unknown engine '${kind}' (one of: interp, wasm)`);
}
