/**
 * The JSON Schema of agents/agents.yaml, on its own so the build can compile
 * it ahead of time (scripts/validators.ts → runner/generated/agents.validator.js)
 * without loading the registry that uses the compiled validator.
 */
/** `verb:resource`; `*` allowed in either place so the policies can name it. */
export const PERMISSION_RE = /^(\*|(read|write|execute|\*):([a-z][a-z0-9_]*|\*))$/;

export const AGENTS_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['agents'],
  additionalProperties: false,
  properties: {
    agents: {
      type: 'array',
      items: {
        type: 'object',
        required: ['agent_id', 'type', 'version', 'permissions'],
        additionalProperties: false,
        properties: {
          agent_id: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
          type: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
          version: { type: 'string', pattern: '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?$' },
          owner: { type: 'string', minLength: 1 },
          description: { type: 'string' },
          permissions: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: PERMISSION_RE.source } },
        },
      },
    },
  },
} as const;
