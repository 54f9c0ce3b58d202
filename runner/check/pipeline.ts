/**
 * The per-intent check pipeline: an explicit, ORDERED list of named stages
 * (OPA's compiler stages are the model). Each stage is one function from the
 * work so far to a patch of it, performed through `perform()` as a named
 * agent, so each emits exactly one audit event.
 *
 *   submit → schema → translate → cost → [contracts] → [agents] → [preview] → policies → decision
 *
 * Each stage lives with its area and imports only runner/model/ (the stage
 * contract) and what sits below it; this file only puts them in order.
 * Adding a stage is one entry in STAGES (see docs/check.md):
 *   { name: 'contracts', audit: { agent: 'intent-orchestrator', permission: 'read:contracts', action: 'verify_contracts' },
 *     run: (w, env) => … return { patch: { contracts: […] } } }
 * Stages that need heavy modules (the Pulumi preview) import them inside
 * `run` and declare `enabled`, so the default check never loads them.
 *
 * Once a stage reports diagnostics the intent is `invalid` and the remaining
 * stages are skipped (no events for them), except `decision`.
 */
import type { Stage } from '../model/stage.ts';
import { submit, decision } from './stages.ts';
import { schemaStage } from '../intent/stage.ts';
import { translateStage, costStage } from '../translate/stage.ts';
import { contractsStage } from '../contracts/stage.ts';
import { agentsStage } from '../agents/stage.ts';
import { policiesStage } from '../policy/stage.ts';
import { previewStage } from '../infra/stage.ts';

/**
 * THE ORDER OF THE CHECK. Contracts and agents add their results before the
 * intent policies run; the preview runs after them (enabled only with
 * --preview; Pulumi is loaded on demand) and appends the plan policies'.
 */
export const STAGES: readonly Stage[] = [
  submit,
  schemaStage,
  translateStage,
  costStage,
  contractsStage,
  agentsStage,
  policiesStage,
  previewStage,
  decision,
];

