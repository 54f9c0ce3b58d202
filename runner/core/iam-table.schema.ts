/**
 * The JSON Schema of agents/iam-permissions.yaml, on its own so the build can
 * compile it ahead of time (scripts/validators.ts →
 * runner/generated/iam-table.validator.js).
 */
export const RESOURCE_REFS = ['asg', 'ssm_document', 'instances', 'audit_log_group', 'target_group', '*'] as const;

export const TABLE_SCHEMA = {
  type: 'object',
  required: ['permissions'],
  additionalProperties: false,
  properties: {
    permissions: {
      type: 'object',
      propertyNames: { pattern: '^(read|write|execute):[a-z][a-z0-9_]*$' },
      additionalProperties: {
        type: 'object',
        required: ['scope', 'statements'],
        additionalProperties: false,
        properties: {
          scope: { enum: ['aws', 'repository'] },
          statements: {
            type: 'array',
            items: {
              type: 'object',
              required: ['sid', 'actions', 'resources'],
              additionalProperties: false,
              properties: {
                sid: { type: 'string', pattern: '^[A-Za-z0-9]+$' },
                // service:Action, no wildcard anywhere: least privilege is a list of named actions.
                actions: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^[a-z0-9-]+:[A-Za-z0-9]+$' } },
                resources: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...RESOURCE_REFS] } },
                condition: { type: 'object', additionalProperties: { type: 'object', additionalProperties: { type: ['string', 'array'], items: { type: 'string' } } } },
                wildcard_reason: { type: 'string', minLength: 10 },
              },
            },
          },
        },
      },
    },
  },
} as const;
