/**
 * How a pull request's file changes bear on the intents: the ONE reading
 * `gitops check` (what it judges) and `gitops apply` / `affected` (what they
 * deploy or destroy) share, so the two can never disagree about a file.
 *
 *   - added, modified, renamed within intents/ → checked at head (a rename
 *     keeps its base path: its cost and plan are compared with it);
 *   - moved INTO intents/ from elsewhere → added: nothing was deployed from
 *     where it was, so there is no base copy to compare with (else the report
 *     would show a $0 delta and no creates for stacks apply creates);
 *   - deleted, or moved OUT of intents/ → its stacks at the base go.
 */
import type { FileChange } from '../git/repo.ts';
import { diag, type Diagnostic } from '../core/diagnostics.ts';
import { isIntentPath } from './paths.ts';

export interface IntentTarget {
  file: string;
  change: 'added' | 'modified' | 'renamed';
  /** The base path of a rename within intents/. */
  from?: string;
}

export function intentChanges(changes: readonly FileChange[]): { targets: IntentTarget[]; deleted: string[] } {
  const targets = new Map<string, IntentTarget>();
  const deleted = new Set<string>();
  for (const c of changes) {
    const fromIntent = c.from !== undefined && c.from !== c.path && isIntentPath(c.from);
    if (c.status === 'deleted') {
      if (isIntentPath(c.path)) deleted.add(c.path);
      continue;
    }
    if (c.status === 'renamed' && fromIntent && !isIntentPath(c.path)) deleted.add(c.from!);
    if (!isIntentPath(c.path)) continue;
    if (c.status === 'renamed' && !fromIntent) targets.set(c.path, { file: c.path, change: c.from === c.path ? 'modified' : 'added' });
    else targets.set(c.path, { file: c.path, change: c.status, ...(fromIntent ? { from: c.from! } : {}) });
  }
  return { targets: [...targets.values()].sort((a, b) => a.file.localeCompare(b.file)), deleted: [...deleted].sort() };
}

/** A changed intent path with no file behind it (a submodule's gitlink): the check and apply refuse it alike. */
export function notAFile(file: string): Diagnostic {
  return diag('intent_not_a_file', `${file} is not a file (a submodule or another git object): intents are YAML files`, { file, line: 1, col: 1 });
}
