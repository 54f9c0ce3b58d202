/** The local GitHub stand-in for tests (see server.ts). */
export { startStandIn, type StandIn, type StandInOptions, type FaultPlan, type FaultKind, type ScriptedFault, type TokenGrant, type RepoSpec, type RecordedRequest, type Violation } from './server.ts';
export type { StoredAnnotation, StoredCheckRun, StoredComment, StoredIssue, StoredLabel, StoredRepo, StoredUser, StandInState } from './state.ts';
export { MAX_COMMENT_BODY } from './handlers.ts';
export { OPERATION_IDS, type OperationId } from './operations.ts';
export { seedRepository, type SeededRepository } from './seed.ts';
