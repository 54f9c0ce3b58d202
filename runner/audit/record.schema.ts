/**
 * The JSON Schema of one audit record, on its own so the build can compile it
 * ahead of time (scripts/validators.ts → runner/generated/audit-record.validator.js).
 */
import { AUDIT_ACTIONS, type Outcome } from '../core/events.ts';

const DIGEST = '^sha256:[0-9a-f]{64}$';

export const OUTCOMES: readonly Outcome[] = ['success', 'failure', 'denied', 'skipped'];

/** JSON Schema (draft-07) of one record. `additionalProperties: false` at the top: an auditor reads exactly these fields. */
export const RECORD_SCHEMA = {
  $id: 'https://gitops.local/schemas/audit-record.v1.json',
  type: 'object',
  additionalProperties: false,
  required: ['seq', 'event_id', 'timestamp', 'actor', 'action', 'resource', 'outcome', 'trace_id', 'evidence', 'details', 'prev_hash', 'hash'],
  properties: {
    seq: { type: 'integer', minimum: 1 },
    event_id: { type: 'string', pattern: '^evt-[0-9a-z][0-9a-z-]{2,80}$' },
    timestamp: { type: 'string', format: 'date-time' },
    actor: { type: 'string', minLength: 1, maxLength: 200 },
    action: { type: 'string', enum: Object.keys(AUDIT_ACTIONS) },
    resource: { type: 'string', minLength: 1, maxLength: 500 },
    outcome: { type: 'string', enum: OUTCOMES },
    trace_id: { type: 'string', minLength: 1, maxLength: 200 },
    evidence: {
      type: 'object',
      properties: {
        // A full or abbreviated git object id (sha1 or sha256 repositories).
        commit: { type: 'string', pattern: '^[0-9a-f]{7,64}$' },
        policy_digest: { type: 'string', pattern: DIGEST },
        input_digest: { type: 'string', pattern: DIGEST },
      },
    },
    details: { type: 'object' },
    prev_hash: { type: 'string', pattern: DIGEST },
    hash: { type: 'string', pattern: DIGEST },
  },
} as const;
