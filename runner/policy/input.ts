/**
 * The policy input: what every intent policy sees as `input`. Documented by
 * policies/input.schema.json (a test validates real inputs against it).
 *
 * Policies judge the TRANSLATED result (actions, cost), not only what the
 * user wrote: the sample intent (intents/DEPLOY-WEB-001.yaml) says nothing about TLS, yet SEC-ENC-001 passes
 * because the translation applies HTTPS + TLS 1.3, and an intent that opts
 * out is denied for what it would actually deploy.
 */
import type { CostEstimate } from '../model/report.ts';
import type { IntentDoc } from '../model/intent.ts';
import type { PolicyInput } from '../model/policy.ts';
import type { Translation } from '../model/stage.ts';

export function buildPolicyInput(doc: IntentDoc, translation: Translation, cost: CostEstimate): PolicyInput {
  return {
    file: doc.file,
    intent: doc.intent,
    quantities: doc.quantities,
    region: { deploy: translation.region, deploy_regions: translation.deploy_regions, requested: [...doc.intent.constraints.region], resolved: translation.regions },
    actions: translation.actions,
    cost,
  };
}
