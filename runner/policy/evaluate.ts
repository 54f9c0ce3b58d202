/**
 * Evaluate the intent policies for one policy input and turn their findings
 * into PolicyResults: one `passed` result per policy without findings, one
 * `failed` result per `deny` finding, one `warned` result per `warn` finding,
 * each mapped to the line of the field path the finding names.
 */
import type { PolicyResult } from '../check/types.ts';
import { EvalError } from '../rego/api.ts';
import type { IntentDoc, YamlPath } from '../intent/types.ts';
import { fieldPath } from '../intent/load.ts';
import { INTENT_POLICY_ROOT, type PolicyMeta, type PolicySet } from './load.ts';
import type { PolicyInput } from './input.ts';

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
  let tree: unknown;
  try {
    // Either engine yields the same document shape; the mapping below is shared.
    tree = set.evaluate ? set.evaluate(input) : set.prepared.evalRef(INTENT_POLICY_ROOT, { input });
  } catch (err) {
    // Fail closed: an evaluation error must never let an intent through.
    const message = err instanceof EvalError ? `${err.diagnostic.file ?? ''}:${err.diagnostic.line ?? ''}: ${err.message}` : err instanceof Error ? err.message : String(err);
    return set.policies.map((p) => ({ policy: p.id, title: p.title, status: 'failed', severity: 'deny', message: `policy evaluation error: ${message}`, ...at(undefined) }));
  }
  const results: PolicyResult[] = [];
  for (const p of set.policies) results.push(...resultsOf(p, pick(tree, p.pkg), at));
  return results;
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
