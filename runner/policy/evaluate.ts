/**
 * Evaluate the intent policies for one policy input and turn their findings
 * into PolicyResults: one `passed` result per policy without findings, one
 * `failed` result per `deny` finding, one `warned` result per `warn` finding,
 * each mapped to the line of the field path the finding names.
 */
import type { PolicyResult } from '../model/report.ts';
import { EvalError } from '../rego/api.ts';
import type { IntentDoc, YamlPath } from '../model/intent.ts';
import { fieldPath } from '../core/yaml.ts';
import { INTENT_POLICY_ROOT } from './load.ts';
import { type PolicyMeta, type PolicySet } from '../model/policy.ts';
import type { PolicyInput } from '../model/policy.ts';

interface Finding {
  msg: string;
  path?: YamlPath;
}

function normalise(raw: unknown): Finding {
  if (typeof raw === 'string') return { msg: raw };
  if (raw && typeof raw === 'object') {
    const o = raw as Record<string, unknown>;
    const msg = typeof o.msg === 'string' ? o.msg : JSON.stringify(raw);
    const path = Array.isArray(o.path) && o.path.every((p) => typeof p === 'string' || typeof p === 'number') ? (o.path as YamlPath) : undefined;
    return path ? { msg, path } : { msg };
  }
  return { msg: JSON.stringify(raw) };
}

function pick(tree: unknown, pkg: string[]): Record<string, unknown> | undefined {
  let v = tree;
  for (const p of pkg) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}

const ID_PATH = ['intent', 'id'];

export function evaluatePolicies(set: PolicySet, input: PolicyInput, doc: IntentDoc): PolicyResult[] {
  const at = (path: YamlPath | undefined) => {
    const p = path ?? ID_PATH;
    return { file: doc.file, line: doc.locate(p).line, ...(path ? { path: fieldPath(path) } : {}) };
  };
  let docs: Array<Record<string, unknown> | undefined>;
  try {
    docs = set.evaluate ? pickAll(set, set.evaluate(input)) : decisionsOf(set, input);
  } catch (err) {
    // Fail closed: an evaluation error must never let an intent through.
    const message = err instanceof EvalError ? `${err.diagnostic.file ?? ''}:${err.diagnostic.line ?? ''}: ${err.message}` : err instanceof Error ? err.message : String(err);
    return set.policies.map((p) => ({ policy: p.id, title: p.title, status: 'failed', severity: 'deny', message: `policy evaluation error: ${message}`, ...at(undefined) }));
  }
  const results: PolicyResult[] = [];
  set.policies.forEach((p, i) => results.push(...resultsOf(p, docs[i], at)));
  return results;
}

/** The wasm engine's decision is the whole `data.gitops.policies` document: each policy's package object out of it. */
function pickAll(set: PolicySet, tree: unknown): Array<Record<string, unknown> | undefined> {
  return set.policies.map((p) => pick(tree, p.pkg));
}

// The deny/warn paths of a policy list, built once per list (compilePolicies caches the PolicySet, so the list is reused).
const pathCache = new WeakMap<readonly PolicyMeta[], string[][]>();

/** The documents the check reads, in policy order: `[…pkg, 'deny']`, `[…pkg, 'warn']` of each policy (absolute, without `data`). */
export function decisionPaths(set: PolicySet): string[][] {
  let paths = pathCache.get(set.policies);
  if (!paths) {
    paths = set.policies.flatMap((p) => [
      [...INTENT_POLICY_ROOT, ...p.pkg, 'deny'],
      [...INTENT_POLICY_ROOT, ...p.pkg, 'warn'],
    ]);
    pathCache.set(set.policies, paths);
  }
  return paths;
}

/**
 * In-process engine: only what the mapping reads, `deny` and `warn` of each
 * policy package, in one evaluation (evalRefs). The helper rules those sets
 * use are evaluated on the way; other documents (helpers nobody reads,
 * packages without METADATA) are not evaluated and not turned into JSON —
 * building the whole tree's JSON was about a third of a decision.
 */
function decisionsOf(set: PolicySet, input: PolicyInput): Array<Record<string, unknown> | undefined> {
  const values = set.prepared.evalRefs(decisionPaths(set), { input });
  return set.policies.map((_, i) => ({ deny: values[2 * i], warn: values[2 * i + 1] }));
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function resultsOf(p: PolicyMeta, doc: Record<string, unknown> | undefined, at: (path: YamlPath | undefined) => { file: string; line: number; path?: string }): PolicyResult[] {
  const denies = asList(doc?.deny).map(normalise);
  const warns = asList(doc?.warn).map(normalise);
  if (denies.length === 0 && warns.length === 0) {
    return [{ policy: p.id, title: p.title, status: 'passed', severity: p.severity, message: p.passed, ...at(undefined) }];
  }
  return [
    ...denies.map((f): PolicyResult => ({ policy: p.id, title: p.title, status: 'failed', severity: 'deny', message: f.msg, ...at(f.path) })),
    ...warns.map((f): PolicyResult => ({ policy: p.id, title: p.title, status: 'warned', severity: 'warn', message: f.msg, ...at(f.path) })),
  ];
}
