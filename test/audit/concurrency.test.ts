/**
 * Acceptance: many runners appending and pushing to one remote at once lose
 * nothing, duplicate nothing, and the chain verifies. Each writer is a
 * separate process with its own clone of one bare remote, pushing after every
 * BATCH events, so pushes from different runners overlap all the time.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAuditLog } from '../../runner/audit/store.ts';
import { cleanup, cli, cloneOf, makeRemote } from './helpers.ts';

afterAll(cleanup);

const WRITERS = 20;
const EVENTS = 50;
const BATCH = 10;
const ROOT = join(import.meta.dirname, '../..');

function writer(dir: string, tag: string): Promise<{ code: number | null; lines: Array<Record<string, unknown>> }> {
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/node'), ['--import', 'tsx', join(import.meta.dirname, 'fixtures/writer.ts'), dir, String(EVENTS), 'push', tag, String(BATCH)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => resolve({ code, lines: out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>) }));
  });
}

describe('many runners, one remote', () => {
  it(`${WRITERS} concurrent writer processes × ${EVENTS} events → ${WRITERS * EVENTS} records on the remote, chain verifies`, async () => {
    const bare = makeRemote();
    const clones = Array.from({ length: WRITERS }, (_, i) => cloneOf(bare, `w${i}`));
    const started = Date.now();
    const results = await Promise.all(clones.map((dir, w) => writer(dir, `w${w}`)));
    const elapsed = Date.now() - started;
    expect(results.map((r) => r.code)).toEqual(results.map(() => 0));
    for (const r of results) expect(r.lines.at(-1)).toMatchObject({ status: 'up_to_date' });

    const reader = cloneOf(bare, 'reader');
    const verify = await cli(['audit', 'verify', '--dir', reader], reader);
    expect(verify).toMatchObject({ code: 0 });
    expect(verify.stdout).toContain(`audit chain verified: ${WRITERS * EVENTS} records`);
    const records = readAuditLog(reader);
    expect(records).toHaveLength(WRITERS * EVENTS);
    expect(new Set(records.map((r) => r.event_id)).size).toBe(WRITERS * EVENTS);
    const expected = Array.from({ length: WRITERS }, (_, w) => Array.from({ length: EVENTS }, (_, i) => `w${w}-${i + 1}`)).flat();
    expect(records.map((r) => r.resource).sort()).toEqual(expected.sort());
    // Each writer's records stay in the order it wrote them.
    for (let w = 0; w < WRITERS; w++) {
      const mine = records.filter((r) => r.trace_id === `trace-w${w}`).map((r) => Number(r.resource.split('-')[1]));
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
    const pushes = results.flatMap((r) => r.lines).filter((l) => l.status === 'pushed').length;
    const retries = results.reduce((n, r) => n + Number(r.lines.at(-1)?.retries ?? 0), 0);
    const gaveUp = results.flatMap((r) => r.lines).filter((l) => l.status === 'gave_up').length;
    // Measured, not asserted.
    console.log(`audit concurrency: ${WRITERS} processes × ${EVENTS} events in ${(elapsed / 1000).toFixed(1)} s; ${pushes} pushes, ${retries} retries, ${gaveUp} gave up (completed by the next call)`);
  }, 600_000);
});
