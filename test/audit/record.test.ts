import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, link, newEventId, recordHash, schemaProblem, type UnlinkedRecord } from '../../runner/audit/record.ts';
import { backoffDelay } from '../../runner/audit/push.ts';
import { targetFile } from '../../runner/audit/layout.ts';

const base: UnlinkedRecord = {
  event_id: 'evt-001',
  timestamp: '2025-12-11T14:00:00Z',
  actor: 'user@example.com',
  action: 'submit_intent',
  resource: 'DEPLOY-WEB-001',
  outcome: 'success',
  trace_id: 'trace-deploy-web-001',
  evidence: { commit: 'a1b2c3d' },
  details: { b: 1, a: [1, 2] },
};

describe('records', () => {
  it('hash the canonical JSON: key order and formatting do not matter, content does', () => {
    const r = link(base, { seq: 0, hash: GENESIS_HASH });
    expect(r).toMatchObject({ seq: 1, prev_hash: GENESIS_HASH });
    const reordered = Object.fromEntries(Object.entries({ ...r, details: { a: [1, 2], b: 1 } }).reverse()) as unknown as typeof r;
    expect(recordHash(reordered)).toBe(r.hash);
    expect(recordHash({ ...r, details: { a: [2, 1], b: 1 } })).not.toBe(r.hash);
    expect(schemaProblem(r)).toBeUndefined();
  });

  it('are validated by the schema, naming the field', () => {
    const r = link(base, { seq: 0, hash: GENESIS_HASH });
    expect(schemaProblem({ ...r, outcome: 'ok' })).toBe('outcome: must be one of success, failure, denied, skipped');
    expect(schemaProblem({ ...r, evidence: { policy_digest: 'md5:x' } })).toMatch(/^evidence\.policy_digest: must match pattern/);
    expect(schemaProblem({ ...r, timestamp: 'yesterday' })).toMatch(/^timestamp: must match format "date-time"/);
    const { trace_id: _t, ...missing } = r;
    expect(schemaProblem(missing)).toBe("record: must have required property 'trace_id'");
  });

  it('event ids are unique and sort by creation time', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => newEventId(new Date(1_700_000_000_000 + i)));
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('layout and backoff', () => {
  it('appends to the UTC day, never before the last file', () => {
    expect(targetFile(new Date('2025-12-11T23:30:00-02:00'), undefined)).toBe('audit-log/2025-12-12.jsonl');
    expect(targetFile(new Date('2025-12-10T10:00:00Z'), 'audit-log/2025-12-12.jsonl')).toBe('audit-log/2025-12-12.jsonl');
  });

  it('backoff is jittered within [0, min(cap, base·2^attempt))', () => {
    expect(backoffDelay(3, 50, 5000, () => 0)).toBe(0);
    expect(backoffDelay(3, 50, 5000, () => 0.999)).toBe(399);
    expect(backoffDelay(20, 50, 5000, () => 0.999)).toBe(4995);
  });
});
