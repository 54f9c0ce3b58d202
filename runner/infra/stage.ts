/**
 * The preview stage of the check (docs/check.md, docs/infra.md): with
 * --preview, which `gitops check --base` (the pull-request path) turns on by
 * default. Pulumi is imported inside `run` (runner/infra/preview-stage.ts) so
 * a check without the preview never loads it.
 */
import type { Stage } from '../model/stage.ts';

// It runs after
// the intent policies and appends the plan policies' results to theirs. An
// intent its own policies already deny cannot merge, and its translation may
// not even make a buildable program (min above max): its plan is not needed
// for the verdict, so it is not previewed (audit outcome `skipped`).
export const previewStage: Stage = {
  name: 'preview',
  audit: { agent: 'intent-orchestrator', permission: 'write:plans', action: 'preview_infrastructure' },
  enabled: (o) => !!o.preview,
  run: async (w, env) => {
    const denied = [...new Set(w.results.filter((r) => r.status === 'failed').map((r) => r.policy))];
    if (denied.length) return { outcome: 'skipped', details: { skipped: 'already denied', denied_by: denied } };
    return (await import('./preview-stage.ts')).previewIntent(w, env);
  },
};

