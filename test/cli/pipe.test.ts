/** `gitops … | head`: a reader that closes the pipe early ends the command quietly, never with a stack trace. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GITOPS, NODE, REPO_ROOT } from '../check/helpers.ts';

describe('a closed stdout pipe', () => {
  it('policy list into a reader that stops after the first chunk: exit 0, nothing on stderr', async () => {
    const child = spawn(NODE, [GITOPS, 'policy', 'list'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    // Like `head -1`: read one chunk, then close our end before the command has finished writing.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
