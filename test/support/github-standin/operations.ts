/**
 * The REST operations the stand-in serves (GitHub operationIds). The subset of
 * the OpenAPI description is cut for exactly these (cut-openapi.ts), and the
 * server's handler registry must cover every one (the compiler checks it).
 */
export const OPERATION_IDS = [
  'repos/get',
  'repos/list-pull-requests-associated-with-commit',
  'checks/create',
  'checks/update',
  'checks/get',
  'checks/list-for-ref',
  'checks/list-annotations',
  'issues/list-comments',
  'issues/create-comment',
  'issues/update-comment',
  'issues/get-comment',
  'issues/create',
  'issues/get',
  'issues/list-for-repo',
  'issues/update',
  'issues/add-labels',
  'pulls/list',
  'pulls/create',
  'pulls/get',
  'pulls/update',
  'pulls/merge',
  'git/get-ref',
  'git/create-ref',
  'git/update-ref',
] as const;

export type OperationId = (typeof OPERATION_IDS)[number];
