import { afterAll, describe, expect, it } from 'vitest';
import { commitAndPush, type PushResult } from '../../runner/audit/push.ts';
import { openAuditSink } from '../../runner/audit/store.ts';
import { cleanup, cli, cloneOf, makeRemote } from './helpers.ts';
import { readAuditLog } from '../../runner/audit/store.ts';

afterAll(cleanup);

const WRITERS = 20;
const EVENTS = 50;
/** Each writer pushes after every BATCH events, so pushes from different writers overlap all the time. */
const BATCH = 10;

describe('many runners, one remote', () => {
  it(`${WRITERS} concurrent writers × ${EVENTS} events → ${WRITERS * EVENTS} records on the remote, chain verifies`, async () => {
    const bare = makeRemote();
    const clones = Array.from({ length: WRITERS }, (_, i) => cloneOf(bare, `w${i}`));
    const stats = { pushes: 0, retries: 0, gaveUp: 0 };
    const started = Date.now();

    async function push(dir: string): Promise<PushResult> {
      const r = await commitAndPush(dir, { onRetry: () => stats.retries++ });
      stats.pushes++;
      if (r.status === 'gave_up') stats.gaveUp++;
      expect(['pushed', 'up_to_date', 'gave_up']).toContain(r.status);
      return r;
    }

    await Promise.all(
      clones.map(async (dir, w) => {
        const sink = openAuditSink(dir);
        for (let i = 1; i <= EVENTS; i++) {
          sink.emit({ actor: 'audit-recorder', action: 'publish_results', resource: `w${w}-e${i}`, outcome: 'success', trace_id: `trace-writer-${w}` });
          if (i % BATCH === 0) await push(dir);
        }
        // A run that gave up leaves its records pending; the next run of that runner pushes them.
        while ((await push(dir)).status !== 'up_to_date');
      }),
    );
    const elapsed = Date.now() - started;

    const reader = cloneOf(bare, 'reader');
    const verify = await cli(['audit', 'verify', '--dir', reader], reader);
    expect(verify).toMatchObject({ code: 0 });
    expect(verify.stdout).toContain(`audit chain verified: ${WRITERS * EVENTS} records`);
    const records = readAuditLog(reader);
    expect(records).toHaveLength(WRITERS * EVENTS);
    expect(new Set(records.map((r) => r.event_id)).size).toBe(WRITERS * EVENTS);
    const expected = Array.from({ length: WRITERS }, (_, w) => Array.from({ length: EVENTS }, (_, i) => `w${w}-e${i + 1}`)).flat();
    expect(records.map((r) => r.resource).sort()).toEqual(expected.sort());
    // Each writer's own records stay in the order it wrote them.
    for (let w = 0; w < WRITERS; w++) {
      const mine = records.filter((r) => r.trace_id === `trace-writer-${w}`).map((r) => Number(r.resource.split('-e')[1]));
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
    // Measured, not asserted.
    console.log(`audit concurrency: ${WRITERS}×${EVENTS} in ${(elapsed / 1000).toFixed(1)} s; ${stats.pushes} push calls, ${stats.retries} retries, ${stats.gaveUp} gave up (completed by the next call)`);
  }, 600_000);
});
