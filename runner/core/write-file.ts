/**
 * Writing a file that is either complete or absent: the text goes to a
 * temporary file beside it, renamed into place once whole (a reader never
 * sees half a file; a failure leaves the previous file, if any, as it was,
 * and no temporary file).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Pieces are joined into writes of about this many characters: bounded memory, and few waits on the file system. */
export const WRITE_BATCH_CHARS = 1 << 20;

export async function writeAtomically(path: string, chunks: Iterable<string>, batchChars = WRITE_BATCH_CHARS): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const fh = await open(tmp, 'w');
    try {
      let batch = '';
      for (const chunk of chunks) {
        batch += chunk;
        if (batch.length >= batchChars) await fh.write(batch), (batch = '');
      }
      if (batch) await fh.write(batch);
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Directory fsync makes a new file's name durable; some filesystems refuse it, which is harmless. */
export function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* unsupported here */
  }
}

/** Replace a file's content atomically and durably (temporary file, fsync, rename, fsync of the folder). */
export function writeFileDurable(abs: string, text: string): void {
  mkdirSync(dirname(abs), { recursive: true });
  const tmp = `${abs}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, abs);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dirname(abs));
}
