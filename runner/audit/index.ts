/**
 * The audit stage (docs/audit.md): chained, append-only records under audit-log/,
 * committed back to the repository. Re-exports only.
 */
export { FileAuditSink, openAuditSink, readAuditLog, loadAuditLog, appendLocal, readLocalFiles, recordsToJsonl, type LoadedLog } from './store.ts';
export { commitAndPush, findPending, backoffDelay, BOT_IDENTITY, type PushOptions, type PushResult } from './push.ts';
export { verifyLog, verifyAgainstBase, type VerifyResult, type VerifyProblem, type VerifyCode } from './verify.ts';
export { queryAudit, trails, type AuditQuery, type AuditTrail } from './query.ts';
export { ingestRecoveries, RECOVERY_AGENT, type RecoveryReport, type IngestResult } from './ingest.ts';
export { TRAIL_FORMATS, renderVerify, type TrailFormat } from './render.ts';
export { RECORD_SCHEMA, GENESIS_HASH, recordHash, type AuditRecord } from './record.ts';
export { LOG_DIR, HEAD_FILE } from './layout.ts';
