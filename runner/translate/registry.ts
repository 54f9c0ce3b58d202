/**
 * Explicit registry: intent `type` → translator. Adding an intent type is one
 * entry here plus its `type` value in runner/intent/intent.schema.json (a test
 * keeps the two in step).
 */
import { diag, fail, type Result } from '../core/diagnostics.ts';
import type { IntentDoc } from '../model/intent.ts';
import type { Translation } from '../model/stage.ts';
import { translateDeployment } from './deployment.ts';

export type Translator = (doc: IntentDoc) => Result<Translation>;

export const TRANSLATORS: Record<string, Translator> = {
  deployment: translateDeployment,
};

export function translate(doc: IntentDoc): Result<Translation> {
  const t = TRANSLATORS[doc.type];
  if (!t) return fail(diag('translate_unknown_type', `no translator for intent type '${doc.type}'`, { file: doc.file, ...doc.locate(['intent', 'type']), path: 'intent.type' }));
  return t(doc);
}
