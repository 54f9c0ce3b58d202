/**
 * The intent as it was at the PR's base: what the cost delta and the plan
 * diff compare the head with. Loading, translating and pricing the base copy
 * is cheap (no Pulumi), so the cost delta is part of every check that has a
 * base; the base's resource plan is only built by the preview stage.
 *
 * A base copy that no longer loads (the schema moved on since) gives no
 * delta rather than a failure: the head is what the PR is judged on.
 */
import { basePathOf, type BaseIntent, type CheckEnv, type IntentSource } from '../model/stage.ts';
import { loadIntent } from '../intent/load.ts';
import { translate } from '../translate/registry.ts';
import { estimateCostAcross } from '../translate/cost.ts';

const PREFETCH_KEY = 'base.blobs';

/**
 * Start reading every base copy the run will need in one request (a commit
 * tree reads blobs through one git process per call: one per intent would be
 * a process per changed intent).
 */
export function prefetchBase(env: CheckEnv, sources: ReadonlyArray<Pick<IntentSource, 'file' | 'change' | 'from'>>, deleted: readonly string[]): void {
  const base = env.trees?.base;
  if (!base) return;
  const paths = [...new Set([...sources.map(basePathOf).filter((p): p is string => p !== undefined), ...deleted])];
  // A failed prefetch is not an error here (nothing may await it): each file is then read on its own, and fails there.
  if (paths.length) env.memo.set(PREFETCH_KEY, base.read(paths).catch(() => undefined));
}

/** Load, translate and price one intent file of the base tree (memoised per run). */
export async function loadBaseIntent(env: CheckEnv, file: string): Promise<BaseIntent | undefined> {
  const base = env.trees?.base;
  if (!base) return undefined;
  const key = `base.intent:${file}`;
  if (env.memo.has(key)) return env.memo.get(key) as BaseIntent | undefined;
  let result: BaseIntent | undefined;
  // One read for the whole run when the runner prefetched the base copies (prefetchBase); else this file alone.
  const prefetched = env.memo.get(PREFETCH_KEY) as Promise<Map<string, Uint8Array> | undefined> | undefined;
  const blobs = prefetched ? await prefetched : undefined;
  const bytes = blobs?.has(file) ? blobs.get(file) : (await base.read([file])).get(file);
  const doc = bytes ? loadIntent(file, bytes) : undefined;
  if (doc?.ok) {
    const t = translate(doc.value);
    if (t.ok) {
      const c = estimateCostAcross(t.value.actions, t.value.deploy_regions);
      result = { file, doc: doc.value, translation: t.value, ...(c.ok ? { cost: c.value } : {}) };
    }
  }
  env.memo.set(key, result);
  return result;
}
