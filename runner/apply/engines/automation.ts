/**
 * The production engine: the Pulumi Automation API (LocalWorkspace, inline
 * program) driving the `pulumi` CLI against the configured state backend.
 *
 * NOT EXERCISED on the machine this was written on (no `pulumi` CLI, no AWS):
 * its preflight is tested, its calls follow @pulumi/pulumi/automation's
 * typed API, and the orchestration around it is the one tested with the mock
 * engine.
 *
 * Targeted steps: the mock-runtime plan knows each resource's step by type
 * and logical name; real URNs carry the root stack resource in their type
 * chain, so the engine learns them from a real `preview` of the stack (one per
 * apply) instead of guessing, and passes them as `target` for steps 1–3. The
 * last step is an untargeted `up` (it also deletes resources the program no
 * longer declares). Providers are always targeted with the first step.
 */
import type { Diagnostic } from '../../core/diagnostics.ts';
import type { ApplyEngine, StepOutcome } from '../../model/apply.ts';
import { preflightProblems, type BackendSettings, type Env } from '../preflight.ts';
import type { StackTarget } from '../../model/apply.ts';
import { requiredStackConfig } from '../../infra/spec.ts';
import { PROJECT, type ApplyStep, type PlannedResource, type StackSpec } from '../../model/plan.ts';

import type { automation } from '@pulumi/pulumi';

type Stack = automation.Stack;
type EngineEvent = automation.EngineEvent;
/** The Automation API, loaded only when an apply really runs. */
const loadAutomation = async () => (await import('@pulumi/pulumi')).automation;

export interface AutomationEngineOptions {
  backend: BackendSettings;
  env: Env;
  /** Working directory for the workspace (project settings, plugins cache). */
  workDir: string;
}

const keyOf = (type: string, name: string) => `${type}::${name}`;

export class AutomationEngine implements ApplyEngine {
  readonly name = 'automation';
  private readonly opts: AutomationEngineOptions;
  private readonly stacks = new Map<string, Promise<Stack>>();
  private readonly urns = new Map<string, Map<string, string>>();

  constructor(opts: AutomationEngineOptions) {
    this.opts = opts;
  }

  async preflight(_targets: readonly StackTarget[]): Promise<Diagnostic[]> {
    return preflightProblems(this.opts.env, this.opts.backend);
  }

  private envVars(): Record<string, string> {
    const vars: Record<string, string> = { PULUMI_BACKEND_URL: this.opts.backend.url, PULUMI_SKIP_UPDATE_CHECK: 'true' };
    for (const k of ['PULUMI_CONFIG_PASSPHRASE', 'PULUMI_CONFIG_PASSPHRASE_FILE', 'PULUMI_ACCESS_TOKEN']) {
      const v = this.opts.env[k];
      if (v !== undefined) vars[k] = v;
    }
    return vars;
  }

  private stackFor(spec: StackSpec): Promise<Stack> {
    let s = this.stacks.get(spec.stack);
    if (!s) {
      s = (async () => {
        const auto = await loadAutomation();
        return auto.LocalWorkspace.createOrSelectStack(
          {
            stackName: spec.stack,
            projectName: spec.project,
            // The same program the preview ran, imported inside the Pulumi run.
            program: async () => (await import('../../infra/program.ts')).defineStack(spec).outputs,
          },
          {
            workDir: this.opts.workDir,
            envVars: this.envVars(),
            ...(this.opts.backend.secretsProvider ? { secretsProvider: this.opts.backend.secretsProvider } : {}),
            projectSettings: { name: spec.project, runtime: 'nodejs', backend: { url: this.opts.backend.url } },
          },
        );
      })();
      this.stacks.set(spec.stack, s);
    }
    return s;
  }

  /** type::name → real URN, from one real preview of the stack. */
  private async realUrns(spec: StackSpec, stack: Stack): Promise<Map<string, string>> {
    const known = this.urns.get(spec.stack);
    if (known) return known;
    const map = new Map<string, string>();
    await stack.preview({
      onEvent: (e: EngineEvent) => {
        const m = e.resourcePreEvent?.metadata;
        if (m) map.set(keyOf(m.type, m.urn.split('::').pop()!), m.urn);
      },
    });
    this.urns.set(spec.stack, map);
    return map;
  }

  async up(spec: StackSpec, step: ApplyStep, resources: readonly PlannedResource[], final: boolean): Promise<StepOutcome> {
    try {
      const stack = await this.stackFor(spec);
      if (step === 'provision_infrastructure') {
        const config = await stack.getAllConfig();
        const missing = requiredStackConfig(spec).filter((c) => !(c.key in config));
        if (missing.length) {
          return { status: 'failed', error: `stack ${spec.stack} lacks config ${missing.map((c) => `${c.key} (${c.what})`).join('; ')}: set it with \`pulumi config set <key> <value> --stack ${spec.stack}\` (--secret for secrets); nothing was changed` };
        }
      }
      let target: string[] | undefined;
      if (!final) {
        const urns = await this.realUrns(spec, stack);
        const wanted = step === 'provision_infrastructure' ? resources : resources.filter((r) => !r.type.startsWith('pulumi:providers:'));
        const missing = wanted.filter((r) => !urns.has(keyOf(r.type, r.name)));
        if (missing.length) return { status: 'failed', error: `the real preview does not declare ${missing.map((r) => r.name).join(', ')} (program and plan disagree)` };
        target = wanted.map((r) => urns.get(keyOf(r.type, r.name))!);
        if (target.length === 0) return { status: 'succeeded', changes: {} };
      }
      const res = await stack.up({ ...(target ? { target, targetDependents: false } : {}) });
      const changes = Object.fromEntries(Object.entries(res.summary.resourceChanges ?? {}).map(([k, v]) => [k, Number(v)]));
      return res.summary.result === 'succeeded' ? { status: 'succeeded', changes } : { status: 'failed', error: `pulumi up ${res.summary.result}`, changes };
    } catch (err) {
      return { status: 'failed', error: err instanceof Error ? err.message.split('\n').slice(0, 20).join('\n') : String(err) };
    }
  }

  async destroy(target: Extract<StackTarget, { kind: 'destroy' }>): Promise<StepOutcome> {
    try {
      const auto = await loadAutomation();
      // Destroy needs no program: select the stack from the backend by name.
      const ws = await auto.LocalWorkspace.create({
        workDir: this.opts.workDir,
        envVars: this.envVars(),
        projectSettings: { name: PROJECT, runtime: 'nodejs', backend: { url: this.opts.backend.url } },
      });
      const stack = await auto.Stack.select(target.stack, ws);
      const res = await stack.destroy();
      const changes = Object.fromEntries(Object.entries(res.summary.resourceChanges ?? {}).map(([k, v]) => [k, Number(v)]));
      return res.summary.result === 'succeeded' ? { status: 'succeeded', changes } : { status: 'failed', error: `pulumi destroy ${res.summary.result}`, changes };
    } catch (err) {
      return { status: 'failed', error: err instanceof Error ? err.message.split('\n').slice(0, 20).join('\n') : String(err) };
    }
  }
}
