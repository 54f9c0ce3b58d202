import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeAtomically, writeFileDurable } from '../../runner/core/write-file.ts';

const dir = await mkdtemp(join(tmpdir(), 'gitops-write-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('writeAtomically', () => {
  it('writes every piece, in order, across batch boundaries (and the last partial batch)', async () => {
    const pieces = Array.from({ length: 257 }, (_, i) => `piece ${i} ${'é'.repeat(i % 7)}\n`);
    for (const batch of [1, 64, 1000, 1 << 20]) {
      const path = join(dir, `out-${batch}.txt`);
      await writeAtomically(path, pieces, batch);
      expect(await readFile(path, 'utf8')).toBe(pieces.join(''));
    }
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a failure part-way leaves the previous file as it was and no temporary file', async () => {
    const path = join(dir, 'kept.txt');
    await writeFile(path, 'previous report\n');
    function* failing(): Generator<string> {
      yield 'x'.repeat(100);
      yield 'y'.repeat(100);
      throw new Error('render failed');
    }
    await expect(writeAtomically(path, failing(), 50)).rejects.toThrow('render failed');
    expect(await readFile(path, 'utf8')).toBe('previous report\n');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('an unwritable place is an error, and nothing is left behind', async () => {
    await expect(writeAtomically(join(dir, 'no-such-dir', 'r.json'), ['{}'])).rejects.toThrow(/ENOENT/);
  });

  it('writeFileDurable creates the folder, replaces the content whole, and leaves no temporary file', async () => {
    const path = join(dir, 'nested', 'deeper', 'anchor.json');
    writeFileDurable(path, 'one\n');
    writeFileDurable(path, 'two\n');
    expect(await readFile(path, 'utf8')).toBe('two\n');
    expect(await readdir(join(dir, 'nested', 'deeper'))).toEqual(['anchor.json']);
    expect(() => writeFileDurable(join(path, 'not-a-dir', 'x'), 'x')).toThrow();
  });
});
