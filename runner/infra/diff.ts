/**
 * The plan diff: what a pull request changes in the infrastructure, resource
 * by resource. Both sides are resource plans of the mock runtime (base and
 * head of the PR); they are compared by URN, like the Pulumi engine compares
 * a program's registrations with the stack's state:
 *
 * - a URN only at head → `create`; only at base → `delete`;
 * - a URN on both sides with different inputs → `update`, or `replace` when a
 *   changed top-level input forces replacement for that type
 *   (REPLACE_ON_CHANGE, runner/infra/replace-on-change.ts);
 * - a replaced resource gets new outputs (id, ARN): inputs of other resources
 *   that refer to it become `(known after apply)`, and replace those too when
 *   the referring input forces replacement (propagated to a fixed point).
 *
 * Pure: no Pulumi import, so reporters and tests use it directly.
 */
import { APPLY_STEPS, type InputChange, type PlanDiff, type PlannedResource, type ResourceChange, type ResourceOp, type StackPlan } from '../model/plan.ts';
import { IGNORED_CHANGES, REPLACE_ON_CHANGE } from './replace-on-change.ts';

export const KNOWN_AFTER_APPLY = '(known after apply)';
/** Longest string kept in a change (user data scripts and policy documents are long); the rest is counted. */
const MAX_VALUE = 300;

type Leaves = Map<string, unknown>;

const SECRET_PATH = /secret|password/i;
const isJsonText = (s: string) => /^\s*[[{]/.test(s);

/** Flatten inputs to leaf paths. JSON documents held in strings (IAM policies, event patterns) are compared parsed, field by field. */
function flatten(value: unknown, path: string, out: Leaves): Leaves {
  if (typeof value === 'string' && isJsonText(value)) {
    try {
      return flatten(JSON.parse(value) as unknown, path, out);
    } catch {
      // not JSON after all: a plain string leaf
    }
  }
  if (value === null || typeof value !== 'object') {
    out.set(path, value);
    return out;
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v] as const) : Object.entries(value as Record<string, unknown>).map(([k, v]) => [path ? `.${k}` : k, v] as const);
  if (entries.length === 0) out.set(path, Array.isArray(value) ? [] : {});
  for (const [k, v] of entries) flatten(v, path + k, out);
  return out;
}

const topKey = (path: string) => path.split(/[.[]/)[0]!;

function clipValue(v: unknown): unknown {
  if (typeof v !== 'string' || v.length <= MAX_VALUE) return v;
  return `${v.slice(0, MAX_VALUE)}… (${v.length} characters)`;
}

/** The strings by which other resources refer to `r` (its mock id and ARN). */
function handles(r: PlannedResource): string[] {
  return [r.id, r.arn].filter((h) => h.length > 0);
}

/** Whether `text` mentions `handle` as a whole token (an ARN ending in `…:web-alb` must not match `…:web-alb-sg`). */
function mentions(text: string, handle: string): boolean {
  for (let at = text.indexOf(handle); at >= 0; at = text.indexOf(handle, at + 1)) {
    const next = text[at + handle.length];
    if (next === undefined || !/[A-Za-z0-9_-]/.test(next)) return true;
  }
  return false;
}

function inputChanges(type: string, base: PlannedResource, head: PlannedResource): InputChange[] {
  const ignored = new Set(IGNORED_CHANGES[type] ?? []);
  const [a, b] = [flatten(base.inputs, '', new Map()), flatten(head.inputs, '', new Map())];
  const out: InputChange[] = [];
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    if (ignored.has(topKey(path))) continue;
    const [x, y] = [a.get(path), b.get(path)];
    if (a.has(path) && b.has(path) && JSON.stringify(x) === JSON.stringify(y)) continue;
    // Secrets are redacted when captured (preview.ts); a secret-named field inside a JSON document is masked here.
    const shown = (v: unknown) => (SECRET_PATH.test(path) ? '[secret]' : clipValue(v));
    out.push({ path, ...(a.has(path) ? { old: shown(x) } : {}), ...(b.has(path) ? { new: shown(y) } : {}) });
  }
  return out;
}

const OP_ORDER: Record<ResourceOp, number> = { replace: 0, delete: 1, update: 2, create: 3 };
const STEP_ORDER = new Map<string, number>(APPLY_STEPS.map((s, i) => [s, i]));

/**
 * Diff the plans of one intent at base and at head (either side absent:
 * the intent is added, or deleted). Stacks are matched by name.
 */
export function diffPlans(base: readonly StackPlan[] | undefined, head: readonly StackPlan[] | undefined): PlanDiff {
  const kind: PlanDiff['kind'] = !base ? 'added' : !head ? 'deleted' : 'modified';
  const baseStacks = new Map((base ?? []).map((s) => [s.stack, s]));
  const headStacks = new Map((head ?? []).map((s) => [s.stack, s]));
  const changes: ResourceChange[] = [];
  const stacks: PlanDiff['stacks'] = { created: [], deleted: [], changed: [], unchanged: [] };
  let same = 0;
  const notes: string[] = [];

  for (const name of [...new Set([...baseStacks.keys(), ...headStacks.keys()])].sort()) {
    const [b, h] = [baseStacks.get(name), headStacks.get(name)];
    const before = new Map((b?.resources ?? []).map((r) => [r.urn, r]));
    const after = new Map((h?.resources ?? []).map((r) => [r.urn, r]));
    const local: ResourceChange[] = [];
    const order = (r: PlannedResource) => STEP_ORDER.get(r.step) ?? 99;
    for (const r of h?.resources ?? []) {
      const old = before.get(r.urn);
      if (!old) {
        local.push({ op: 'create', stack: name, urn: r.urn, type: r.type, name: r.name, changes: [] });
        continue;
      }
      const changed = inputChanges(r.type, old, r);
      const table = REPLACE_ON_CHANGE[r.type];
      for (const c of changed) if (table?.includes(topKey(c.path))) c.replaces = true;
      if (changed.length === 0) continue;
      local.push({
        op: changed.some((c) => c.replaces) ? 'replace' : 'update',
        stack: name,
        urn: r.urn,
        type: r.type,
        name: r.name,
        changes: changed,
        ...(table ? {} : { note: `replacement behaviour of ${r.type} is not in the table (runner/infra/replace-on-change.ts): shown as an update` }),
      });
    }
    for (const r of b?.resources ?? []) {
      if (!after.has(r.urn)) local.push({ op: 'delete', stack: name, urn: r.urn, type: r.type, name: r.name, changes: [], ...(h ? {} : { note: kind === 'deleted' ? 'intent removed' : 'stack no longer deployed by the intent (a region removed, or the intent renamed)' }) });
    }
    propagateReplacements(local, h, name);
    const unchanged = (h?.resources ?? []).filter((r) => !local.some((c) => c.urn === r.urn)).length;
    same += unchanged;
    if (!b) stacks.created.push(name);
    else if (!h) stacks.deleted.push(name);
    else if (local.length) stacks.changed.push(name);
    else stacks.unchanged.push(name);
    const stepOf = new Map([...(b?.resources ?? []), ...(h?.resources ?? [])].map((r) => [r.urn, order(r)]));
    local.sort((x, y) => OP_ORDER[x.op] - OP_ORDER[y.op] || (stepOf.get(x.urn) ?? 99) - (stepOf.get(y.urn) ?? 99) || x.name.localeCompare(y.name));
    changes.push(...local);
  }
  if (stacks.deleted.length) {
    // The apply's semantics (runner/apply/run.ts): removed stacks are destroyed only when asked.
    notes.push(`${stacks.deleted.join(', ')}: destroyed on merge only by gitops apply --destroy-removed; without it the stack keeps running and the apply reports it as skipped`);
  }
  const counts: PlanDiff['counts'] = { create: 0, update: 0, replace: 0, delete: 0, same };
  for (const c of changes) counts[c.op]++;
  return { kind, counts, changes, stacks, notes };
}

/**
 * A replaced resource's id and ARN are new: every input elsewhere in the
 * stack that mentions them changes to `(known after apply)`, which replaces
 * that resource too when the input forces replacement. Repeats to a fixed
 * point (a replaced VPC replaces its subnets, which replace their NAT gateway…).
 */
function propagateReplacements(local: ResourceChange[], head: StackPlan | undefined, stack: string): void {
  if (!head) return;
  const byUrn = new Map(local.map((c) => [c.urn, c]));
  const done = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    const replaced = head.resources.filter((r) => byUrn.get(r.urn)?.op === 'replace' && !done.has(r.urn));
    for (const gone of replaced) {
      done.add(gone.urn);
      const hs = handles(gone);
      for (const r of head.resources) {
        if (r.urn === gone.urn || byUrn.get(r.urn)?.op === 'create') continue;
        for (const [path, value] of flatten(r.inputs, '', new Map())) {
          if (typeof value !== 'string' || !hs.some((x) => mentions(value, x))) continue;
          let entry = byUrn.get(r.urn);
          if (!entry) {
            entry = { op: 'update', stack, urn: r.urn, type: r.type, name: r.name, changes: [] };
            byUrn.set(r.urn, entry);
            local.push(entry);
          }
          if (entry.changes.some((c) => c.path === path)) continue;
          const replaces = REPLACE_ON_CHANGE[r.type]?.includes(topKey(path)) ?? false;
          entry.changes.push({ path, old: clipValue(value), new: KNOWN_AFTER_APPLY, ...(replaces ? { replaces: true } : {}) });
          if (replaces && entry.op !== 'replace') {
            entry.op = 'replace';
            grew = true;
          }
        }
      }
    }
  }
}
