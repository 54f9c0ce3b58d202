/**
 * Contract verification (docs/contracts.md, "What the check does"): for one intent, every contract its type
 * requires (contracts/requirements.yaml) must exist in a version the range
 * accepts, and what crosses that boundary (the translated actions and their
 * configuration) must validate against the contract's schema.
 *
 * What crosses which contract is an explicit registry (SUBJECTS), keyed by
 * contract family so it survives a major bump. A contract with no entry (a
 * team's own contract) is checked for presence and version only, and says so.
 */
import type { ErrorObject } from 'ajv';
import type { Action, ContractResult } from '../model/report.ts';
import { type Diagnostic, diag } from '../core/diagnostics.ts';
import { metricCatalogue } from './metric-catalogue.ts';
import { parseTriggers, type TriggerAt, type TriggerExpr, type TriggerSpec } from './triggers.ts';
import type { ContractDoc, LoadedContracts } from './load.ts';
import { compareVersions, satisfies } from './semver.ts';

export interface VerifyInput {
  intentType: string;
  actions: Action[];
  contracts: LoadedContracts;
  /**
   * Position of trigger i of enable_self_healing in the intent file, for
   * diagnostics. Without it, trigger problems are reported without a line.
   */
  triggerLocation?: (index: number) => TriggerAt;
}

export interface VerifyOutput {
  results: ContractResult[];
  /** Trigger problems with file:line (the intent's), besides the per-contract messages. */
  diagnostics: Diagnostic[];
  /** Parsed triggers (for the self-healing configuration), when they parsed. */
  triggers: TriggerExpr[];
}

interface Subject {
  /** `#` or a `#/$defs/…` pointer into the contract schema. */
  pointer: string;
  value: unknown;
  /** How the value is named in messages: `actions`, `enable_self_healing.config`, … */
  label: string;
}

interface SubjectContext {
  actions: Action[];
  triggers: { exprs: TriggerExpr[]; diagnostics: Diagnostic[] } | undefined;
}

type SubjectsOf = (c: SubjectContext) => { subjects: Subject[]; problems: string[] };

function configOf(actions: Action[], name: string): Record<string, unknown> | undefined {
  return actions.find((a) => a.action === name)?.config;
}

export const SUBJECTS: Readonly<Record<string, SubjectsOf>> = {
  // The whole action list the translator emits (docs/intents.md, "Translation").
  'contract.automation': ({ actions }) => ({ subjects: [{ pointer: '#', value: actions, label: 'actions' }], problems: [] }),
  // The self-healing configuration: recovery policy and triggers (docs/contracts.md, "Triggers").
  'contract.self-healing': ({ actions }) => {
    const config = configOf(actions, 'enable_self_healing');
    // An intent may switch self-healing off (`self_healing.enabled: false`):
    // then nothing crosses this boundary, and whether that is allowed is a
    // policy question, not a contract one.
    if (!config) return { subjects: [], problems: [] };
    return { subjects: [{ pointer: '#', value: config, label: 'enable_self_healing.config' }], problems: [] };
  },
  // Health-check probes and each trigger condition as a threshold on a known metric.
  'contract.monitoring': ({ actions, triggers }) => {
    const subjects: Subject[] = [];
    const hc = configOf(actions, 'setup_health_checks');
    if (hc) subjects.push({ pointer: '#/$defs/health_check', value: hc, label: 'setup_health_checks.config' });
    triggers?.exprs.forEach((t, i) =>
      subjects.push({
        pointer: '#/$defs/threshold',
        value: { metric: t.metric, operator: t.operator, threshold: t.threshold },
        label: `trigger ${i + 1} (${t.source})`,
      }),
    );
    return { subjects, problems: (triggers?.diagnostics ?? []).map((d) => d.message) };
  },
};

export function familyOf(contractId: string): string {
  return contractId.replace(/\.v\d+$/, '');
}

function formatErrors(errors: ErrorObject[] | null | undefined, label: string): string {
  const shown = (errors ?? []).slice(0, 3).map((e) => {
    const where = `${label}${e.instancePath.replace(/\//g, '.').replace(/\.(\d+)(?=\.|$)/g, '[$1]')}`;
    const extra = e.keyword === 'additionalProperties' ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty)}'` : e.keyword === 'enum' ? ` ${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)}` : '';
    return `${where}: ${e.message ?? e.keyword}${extra}`;
  });
  const more = (errors?.length ?? 0) > 3 ? ` (+${errors!.length - 3} more)` : '';
  return shown.join('; ') + more;
}

/** The monitoring contract triggers are checked against: the one the intent requires, else the newest present. */
function monitoringContract(input: VerifyInput): ContractDoc | undefined {
  const reqs = input.contracts.requirements.get(input.intentType) ?? [];
  const required = reqs.find((r) => familyOf(r.contract) === 'contract.monitoring');
  if (required) return input.contracts.contracts.get(required.contract);
  return [...input.contracts.contracts.values()]
    .filter((c) => c.family === 'contract.monitoring')
    .sort((a, b) => compareVersions(b.version, a.version))[0];
}

export function verifyIntentContracts(input: VerifyInput): VerifyOutput {
  const { contracts } = input;
  const diagnostics: Diagnostic[] = [];
  let triggers: SubjectContext['triggers'];
  const triggerList = configOf(input.actions, 'enable_self_healing')?.triggers;
  if (Array.isArray(triggerList)) {
    const monitoring = monitoringContract(input);
    const locate = input.triggerLocation ?? (() => ({ file: '', line: 0, col: 0 }));
    if (monitoring) {
      triggers = parseTriggers(triggerList as TriggerSpec[], locate, metricCatalogue(monitoring));
    } else {
      triggers = { exprs: [], diagnostics: [diag('trigger_no_monitoring_contract', 'trigger conditions cannot be checked: no contract.monitoring is defined', locate(0))] };
    }
    // Without a real location the line is meaningless: drop it rather than print `:0`.
    diagnostics.push(
      ...triggers.diagnostics.map((d) => {
        if (input.triggerLocation) return d;
        const { file: _f, line: _l, col: _c, ...rest } = d;
        return rest;
      }),
    );
  }

  const results: ContractResult[] = [];
  for (const req of contracts.requirements.get(input.intentType) ?? []) {
    const c = contracts.contracts.get(req.contract);
    if (!c) {
      results.push({ contract: req.contract, status: 'missing', version: null, compatible: false, message: `${req.contract} is required by intent type ${input.intentType} but not defined under contracts/` });
      continue;
    }
    if (!satisfies(c.version, req.range)) {
      results.push({ contract: c.id, status: 'failed', version: c.version.raw, compatible: false, message: `version ${c.version.raw} does not satisfy the required range ${req.range.raw}` });
      continue;
    }
    const subjectsOf = SUBJECTS[c.family];
    if (!subjectsOf) {
      results.push({ contract: c.id, status: 'verified', version: c.version.raw, compatible: true, message: 'present in a compatible version (no translated data crosses this contract)' });
      continue;
    }
    const { subjects, problems } = subjectsOf({ actions: input.actions, triggers });
    for (const s of subjects) {
      const validate = contracts.validator(c.id, s.pointer);
      if (!validate) {
        problems.push(`the contract schema has no ${s.pointer}`);
        continue;
      }
      if (!validate(s.value)) problems.push(formatErrors(validate.errors, s.label));
    }
    results.push(
      problems.length === 0
        ? { contract: c.id, status: 'verified', version: c.version.raw, compatible: true }
        : { contract: c.id, status: 'failed', version: c.version.raw, compatible: true, message: problems.join('; ') },
    );
  }
  return { results, diagnostics, triggers: triggers?.exprs ?? [] };
}

/** One verification result per required contract, for one intent type's translated actions. */
export function verifyContracts(input: { intentType: string; actions: Action[]; contracts: LoadedContracts }): ContractResult[] {
  return verifyIntentContracts(input).results;
}
