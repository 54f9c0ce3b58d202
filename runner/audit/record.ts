/**
 * The audit record (docs/audit.md, "Files"): what one line of `audit-log/*.jsonl` holds.
 *
 * A record is an `AuditEventInput` (runner/core/events.ts) plus what the store
 * adds: `event_id`, `timestamp`, its position in the chain (`seq`), the hash
 * of the record before it (`prev_hash`) and its own hash (`hash`). Both hashes
 * are sha256 over canonical JSON (runner/core/hash.ts), so formatting never
 * matters and content always does.
 *
 * Every record is validated against `RECORD_SCHEMA` when it is written and
 * when it is read: the schema is the contract auditors and the feedback stage
 * read the log by.
 */
import { randomBytes } from 'node:crypto';
import type { ErrorObject } from 'ajv';
import type { AuditAction, Evidence, Outcome } from '../core/events.ts';
import validateRecord from '../generated/audit-record.validator.js';
import { OUTCOMES, RECORD_SCHEMA } from './record.schema.ts';
import { canonicalJSON, sha256 } from '../core/hash.ts';

export interface AuditRecord {
  /** Position in the whole chain, 1-based, across all files. */
  seq: number;
  event_id: string;
  timestamp: string;
  actor: string;
  action: AuditAction;
  resource: string;
  outcome: Outcome;
  trace_id: string;
  evidence: Evidence;
  details: Record<string, unknown>;
  /** `sha256:<hex>` of the previous record; GENESIS_HASH for the first. */
  prev_hash: string;
  /** `sha256:<hex>` of this record's canonical JSON without `hash`. */
  hash: string;
}

/** A record before it is placed in the chain (what pending/exported records are re-linked from). */
export type UnlinkedRecord = Omit<AuditRecord, 'seq' | 'prev_hash' | 'hash'>;

export const GENESIS_HASH = 'sha256:' + '0'.repeat(64);

export { OUTCOMES, RECORD_SCHEMA };

// Compiled at build time (ajv standalone; scripts/validators.ts): no schema compilation at start-up.
const validate = () => validateRecord;

function describeAjvError(e: ErrorObject): string {
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'record';
  if (e.keyword === 'additionalProperties') return `${where}: unknown field '${String(e.params.additionalProperty)}'`;
  if (e.keyword === 'enum') return `${where}: must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
  return `${where}: ${e.message ?? 'invalid'}`;
}

/** Schema check; returns the first problem in words, or undefined when valid. */
export function schemaProblem(value: unknown): string | undefined {
  const v = validate();
  if (v(value)) return undefined;
  return describeAjvError(v.errors![0]!);
}

/** `sha256:` of the record's canonical JSON without its own `hash` field. */
export function recordHash(record: Omit<AuditRecord, 'hash'> | AuditRecord): string {
  const { hash: _ignored, ...rest } = record as AuditRecord;
  return 'sha256:' + sha256(canonicalJSON(rest));
}

/**
 * Time-ordered, collision-safe across concurrent runners: base-36 milliseconds
 * (sorts by creation time) then 48 random bits.
 */
export function newEventId(now: Date = new Date()): string {
  return `evt-${now.getTime().toString(36).padStart(9, '0')}-${randomBytes(6).toString('hex')}`;
}

/** Place an unlinked record after `prev` in the chain. */
export function link(rec: UnlinkedRecord, prev: { seq: number; hash: string }): AuditRecord {
  // Field order is the order a human reads a line in; the hash does not depend on it.
  const body: Omit<AuditRecord, 'hash'> = {
    seq: prev.seq + 1,
    event_id: rec.event_id,
    timestamp: rec.timestamp,
    actor: rec.actor,
    action: rec.action,
    resource: rec.resource,
    outcome: rec.outcome,
    trace_id: rec.trace_id,
    evidence: rec.evidence,
    details: rec.details,
    prev_hash: prev.hash,
  };
  return { ...body, hash: recordHash(body) };
}

export function unlink(rec: AuditRecord): UnlinkedRecord {
  const { seq: _s, prev_hash: _p, hash: _h, ...rest } = rec;
  return rest;
}

/**
 * JSON round trip: the record as it will be read back (Dates become strings,
 * undefined fields disappear), so the hash computed now is the hash a reader
 * computes later.
 */
export function normalise<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function serialise(record: AuditRecord): string {
  return JSON.stringify(record);
}
