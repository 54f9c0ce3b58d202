/**
 * The schema stage of the check (docs/check.md): the intent file is loaded
 * and validated (runner/intent/load.ts); its id must be unique across
 * intents/ (ids are file names, so names are compared repository-wide).
 */
import type { CheckEnv, Stage } from '../model/stage.ts';
import { diag } from '../core/diagnostics.ts';
import { fieldPath } from '../core/yaml.ts';
import { loadIntent } from './load.ts';
import { idFromPath } from './paths.ts';

/** id → intent files claiming it, built once per run (comparing every file with every file is quadratic at 1,000 intents). */
function idIndex(env: CheckEnv): Map<string, string[]> {
  let index = env.memo.get('intent.ids') as Map<string, string[]> | undefined;
  if (!index) {
    index = new Map();
    for (const f of env.intentFiles) {
      const id = idFromPath(f);
      const list = index.get(id);
      if (list) list.push(f);
      else index.set(id, [f]);
    }
    env.memo.set('intent.ids', index);
  }
  return index;
}

export const schemaStage: Stage = {
  name: 'schema',
  audit: { agent: 'policy-engine', permission: 'read:intents', action: 'validate_schema' },
  run(w, env) {
    const r = w.source.refused ? { ok: false as const, diagnostics: [w.source.refused] } : loadIntent(w.source.file, w.source.bytes);
    if (!r.ok) return { patch: { diagnostics: r.diagnostics }, outcome: 'failure', details: { errors: r.diagnostics.length } };
    const doc = r.value;
    // The same id in two files: ids are file names, so compare names repository-wide.
    const others = (idIndex(env).get(doc.id) ?? []).filter((f) => f !== doc.file);
    if (others.length) {
      const path = ['intent', 'id'];
      const d = diag('intent_duplicate_id', `intent id ${doc.id} is also used by ${others.join(', ')}; ids must be unique across intents/`, {
        file: doc.file,
        ...doc.locate(path),
        path: fieldPath(path),
      });
      return { patch: { id: doc.id, diagnostics: [d] }, outcome: 'failure' };
    }
    return { patch: { id: doc.id, doc }, details: { digest: doc.digest } };
  },
};

