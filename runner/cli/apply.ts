/**
 * `gitops apply`: apply the Pulumi program for the stacks a merge changed
 * (or `--preview` them under the mock runtime, no cloud and no CLI needed).
 *
 * The real apply goes through the Automation API engine; without the `pulumi`
 * CLI, credentials or backend settings it stops before selecting or touching
 * anything, says what is missing and how to get it, and exits 2.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command, CommandIO } from './command.ts';
import { parse, usageError } from './args.ts';
import { createRunContext } from '../core/run-context.ts';
import { GitopsError } from '../core/diagnostics.ts';
import { MemorySink, newTraceId } from '../core/events.ts';
import { selectStacks, type Selection } from '../apply/select.ts';
import { type StackTarget } from '../model/apply.ts';
import { applyStacks } from '../apply/run.ts';
import { renderApplyMarkdown, renderApplyText } from '../report/apply.ts';
import { applyExitCode, type ApplyEngine, type ApplyReport } from '../model/apply.ts';
import type { BackendSettings } from '../apply/preflight.ts';
import type { StackSpec } from '../model/plan.ts';

const FORMATS = ['text', 'json', 'markdown'] as const;
type Format = (typeof FORMATS)[number];
const ENGINES = ['automation', 'mock'] as const;

/** Default state backend: a local file backend inside the working copy (git-ignored by the caller's choice). */
export const DEFAULT_BACKEND_DIR = '.gitops/pulumi-state';

const usage = `Usage: gitops apply (--base <ref> --head <ref> | --intent <id> | --all) [options]

Applies the Pulumi program (@pulumi/aws) for each changed stack (<intent>-<region>),
in four steps (provision_infrastructure, deploy_application,
configure_monitoring, enable_self_healing), each recorded in the audit trail as
the infra-provisioner agent. One apply per stack at a time.

Selection:
  --base <ref> --head <ref>  the stacks of intents changed between the refs (and all
                             stacks when runner/infra/ or agents/agents.yaml changed)
  --intent <id>              the stacks of one intent (working tree)
  --all                      every intent's stacks (working tree)
  --stack <name>             only this stack of the selection (one job of a matrix)

Options:
  --preview                  the resource plan under Pulumi's mock runtime: no cloud,
                             no pulumi CLI; plan policies and cost included
  --format text|json|markdown   output (default text)
  --destroy-removed          destroy the stacks of removed intents / removed regions
                             (without it they are listed and skipped)
  --backend <url>            state backend: file://<dir> (default: $PULUMI_BACKEND_URL,
                             else file://<repo>/${DEFAULT_BACKEND_DIR}), s3://<bucket>[/prefix],
                             https://api.pulumi.com
  --secrets-provider <p>     e.g. awskms://alias/gitops (default: passphrase, or the
                             service's for Pulumi Cloud)
  --summary-file <path>      also write the markdown summary there (for the PR comment)
  --engine automation|mock   automation (default): Pulumi Automation API;
                             mock: the same orchestration against an in-memory state
                             (dry run; nothing is written to the audit log)
  --record                   with --engine mock: record the steps in the audit log anyway,
                             each with engine mock (a scratch repository, e.g. gitops demo)

Exit: 0 applied (or nothing to apply), 1 a stack failed / a plan policy denies
(--preview), 2 cannot start (missing pulumi CLI, credentials, bad arguments).`;

function selectionOf(values: { base?: string; head?: string; intent?: string; all?: boolean }): Selection {
  const modes = [values.base !== undefined || values.head !== undefined, values.intent !== undefined, !!values.all].filter(Boolean).length;
  if (modes !== 1) throw usageError('apply', 'choose exactly one of --base/--head, --intent, --all');
  if (values.intent !== undefined) return { intent: values.intent };
  if (values.all) return { all: true };
  if (!values.base || !values.head) throw usageError('apply', '--base and --head go together');
  return { base: values.base, head: values.head };
}

async function targetsOf(dir: string, sel: Selection, stack: string | undefined): Promise<StackTarget[]> {
  const r = await selectStacks(dir, sel);
  if (!r.ok) throw new GitopsError(r.diagnostics, 2);
  if (stack === undefined) return r.value;
  const only = r.value.filter((t) => t.stack === stack);
  if (!only.length) throw new GitopsError({ code: 'apply_unknown_stack', message: `stack ${stack} is not in the selection (${r.value.map((t) => t.stack).join(', ') || 'empty'})` }, 2);
  return only;
}

async function runPreview(io: CommandIO, targets: StackTarget[], format: Format): Promise<number> {
  const { assessPlan } = await import('../infra/preview.ts');
  const { preparePlanPolicies, readPlanPolicyModules } = await import('../infra/plan-policy.ts');
  const { workTree } = await import('../git/tree.ts');
  const { renderPlanText, renderPlanMarkdown } = await import('../report/plan.ts');
  const policies = preparePlanPolicies(await readPlanPolicyModules(workTree(io.cwd)));
  if (!policies.ok) throw new GitopsError(policies.diagnostics, 2);

  const byIntent = new Map<string, { file: string; specs: StackSpec[] }>();
  for (const t of targets) {
    if (t.kind !== 'up') continue;
    const e = byIntent.get(t.intentId) ?? { file: t.file, specs: [] };
    e.specs.push(t.spec);
    byIntent.set(t.intentId, e);
  }
  const destroys = targets.filter((t) => t.kind === 'destroy');
  const intents = [];
  let denied = false;
  for (const [intentId, e] of byIntent) {
    const r = await assessPlan({ intentId, file: e.file, specs: e.specs }, policies.value);
    if (!r.ok) throw new GitopsError(r.diagnostics, 2);
    denied ||= r.value.policy.denied;
    intents.push({ intentId, file: e.file, ...r.value });
  }
  if (format === 'json') {
    io.stdout(
      JSON.stringify(
        {
          version: 1,
          engine: 'mock-runtime',
          intents: intents.map((i) => ({
            intent: i.intentId,
            file: i.file,
            resources: i.plan.resources,
            by_type: i.plan.by_type,
            duration_ms: i.plan.duration_ms,
            stacks: i.plan.stacks,
            policies: { evaluated: i.policy.policies, findings: i.policy.findings, denied: i.policy.denied },
            cost: i.cost,
          })),
          destroy: destroys.map((t) => ({ stack: t.stack, intent: t.intentId, region: t.region, file: t.file, change: t.change })),
          denied,
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    for (const i of intents) {
      io.stdout(format === 'markdown' ? renderPlanMarkdown({ resources: i.plan.resources, by_type: i.plan.by_type, details: i.details }) : renderPlanText(i.intentId, i.file, i.plan.resources, i.details));
      io.stdout('\n');
    }
    for (const t of destroys) io.stdout(`- ${t.stack} (${t.change}, ${t.file}): would be destroyed with --destroy-removed\n`);
    if (!intents.length && !destroys.length) io.stdout('gitops apply --preview: nothing to apply (no intent or program change).\n');
  }
  return denied ? 1 : 0;
}

export const command: Command = {
  name: 'apply',
  summary: 'Apply (or --preview) the Pulumi program for changed intents (on merge)',
  usage,
  async run(argv, io) {
    const { values } = parse(
      'apply',
      argv,
      {
        base: { type: 'string' },
        head: { type: 'string' },
        intent: { type: 'string' },
        all: { type: 'boolean' },
        stack: { type: 'string' },
        preview: { type: 'boolean' },
        format: { type: 'string', default: 'text' },
        'destroy-removed': { type: 'boolean' },
        backend: { type: 'string' },
        'secrets-provider': { type: 'string' },
        'summary-file': { type: 'string' },
        engine: { type: 'string', default: 'automation' },
        record: { type: 'boolean' },
      },
      false,
    );
    const format = values.format as Format;
    if (!FORMATS.includes(format)) throw usageError('apply', `--format must be one of ${FORMATS.join(', ')}`);
    if (!(ENGINES as readonly string[]).includes(values.engine!)) throw usageError('apply', `--engine must be one of ${ENGINES.join(', ')}`);
    const sel = selectionOf(values);
    const dir = io.cwd;

    if (values.preview) return runPreview(io, await targetsOf(dir, sel, values.stack), format);

    const backend: BackendSettings = {
      url: values.backend ?? io.env.PULUMI_BACKEND_URL ?? `file://${resolve(dir, DEFAULT_BACKEND_DIR)}`,
      ...(values['secrets-provider'] ? { secretsProvider: values['secrets-provider'] } : {}),
    };
    let engine: ApplyEngine;
    if (values.engine === 'mock') {
      const { MockEngine } = await import('../apply/engines/mock.ts');
      engine = new MockEngine();
    } else {
      const { AutomationEngine } = await import('../apply/engines/automation.ts');
      engine = new AutomationEngine({ backend, env: io.env, workDir: dir });
    }
    const traceId = newTraceId('apply', 'base' in sel ? sel.head : undefined);
    const emitReport = (report: ApplyReport) => {
      io.stdout(format === 'json' ? JSON.stringify(report, null, 2) + '\n' : format === 'markdown' ? renderApplyMarkdown(report) : renderApplyText(report));
      const md = renderApplyMarkdown(report);
      if (values['summary-file']) writeFileSync(resolve(dir, values['summary-file']), md);
      // GitHub Actions edge: the job summary shows the apply's outcome.
      if (io.env.GITHUB_STEP_SUMMARY) appendFileSync(io.env.GITHUB_STEP_SUMMARY, md);
      return applyExitCode(report);
    };

    // Stop before anything else (selection included) when the engine cannot run.
    const problems = await engine.preflight([]);
    if (problems.length) {
      return emitReport({
        version: 1,
        trace_id: traceId,
        engine: engine.name,
        ...('base' in sel ? { base: sel.base, head: sel.head } : {}),
        status: 'preflight_failed',
        diagnostics: problems,
        stacks: [],
        summary: { stacks: 0, succeeded: 0, failed: 0, skipped: 0 },
        duration_ms: 0,
      });
    }
    const targets = await targetsOf(dir, sel, values.stack);
    // A dry run (mock engine) must not write audit records claiming infrastructure changed, unless
    // asked (--record: the demo's scratch clone); every step record then says `engine: mock`.
    const sink = values.engine === 'mock' && !values.record ? new MemorySink() : (await import('../audit/index.ts')).openAuditSink(dir);
    const ctx = createRunContext({ repoDir: dir, kind: 'apply', sink, traceId, ...(io.env.GITHUB_ACTOR ? { human: io.env.GITHUB_ACTOR } : {}), ...('base' in sel ? { commit: sel.head } : {}) });
    const report = await applyStacks(ctx, engine, targets, { destroyRemoved: !!values['destroy-removed'], ...('base' in sel ? { base: sel.base, head: sel.head } : {}) });
    if (report.status === 'failed' && format !== 'json') for (const s of report.stacks.filter((x) => x.status === 'failed')) io.stderr(`gitops apply: ${s.stack} failed: ${s.reason ?? 'see above'}\n`);
    return emitReport(report);
  },
};
