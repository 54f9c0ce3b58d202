/**
 * Explicit registry: intent `type` → translator. Adding an intent type is one
 * entry here plus its `type` value in runner/intent/intent.schema.json (a test
 * keeps the two in step).
 */
import type { Action } from '../check/types.ts';
import { diag, fail, type Result } from '../core/diagnostics.ts';
import type { IntentDoc } from '../intent/types.ts';
import { translateDeployment } from './deployment.ts';

export interface Translation {
  actions: Action[];
  /** AWS region the actions deploy to (the first region the intent lists, resolved). */
  region: string;
  /** Every region the intent lists, resolved (`us-west` → `us-west-2`), in order: the ALLOWED regions. */
  regions: string[];
  /**
   * The regions the service is deployed to: the first `placement.regions`
   * (default 1) of `regions`. The rest of the list is where the service may
   * go (ARCH-REGION-001), not where it runs — the sample intent's
   * `region: ['us-west', 'us-east']` deploys to us-west-2 only, so the cost
   * the budget policy judges is the cost of what will really be built.
   */
  deploy_regions: string[];
}

export type Translator = (doc: IntentDoc) => Result<Translation>;

export const TRANSLATORS: Record<string, Translator> = {
  deployment: translateDeployment,
};

export function translate(doc: IntentDoc): Result<Translation> {
  const t = TRANSLATORS[doc.type];
  if (!t) return fail(diag('translate_unknown_type', `no translator for intent type '${doc.type}'`, { file: doc.file, ...doc.locate(['intent', 'type']), path: 'intent.type' }));
  return t(doc);
}
