import { COMMANDS, SUMMARIES, type CommandName } from './commands.ts';
import type { CommandIO } from './command.ts';
import { GitopsError, formatDiagnostic } from '../core/diagnostics.ts';
import { terminalWriter } from '../core/escape.ts';

function topUsage(): string {
  const width = Math.max(...Object.keys(SUMMARIES).map((k) => k.length));
  const lines = Object.entries(SUMMARIES).map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  return ['Usage: gitops <command> [options]', '', 'Commands:', ...lines, '', 'Run `gitops <command> --help` for a command’s options.', ''].join('\n');
}

/**
 * `gitops … | head`: once the reader closes the pipe, a write fails with
 * EPIPE, emitted as an 'error' event that would crash the process with a
 * stack trace. The output is no longer wanted: stop quietly, keeping the
 * command's exit code (what a shell pipeline reports for the writer is its
 * own business). Called once by each entry (runner/bin/gitops.mjs, bin.ts).
 */
export function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
}

export function defaultIO(): CommandIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
  };
}

/**
 * Dispatch. The single top-level catch: whatever goes wrong below, the user
 * gets `file:line: code: message` and exit 2 — never a stack trace (set
 * GITOPS_DEBUG=1 to see one).
 */
export async function main(argv: string[], raw: CommandIO = defaultIO()): Promise<number> {
  // Every byte any command prints passes here: repository text (descriptions, file names, messages)
  // cannot send terminal escapes or GitHub workflow commands (runner/core/escape.ts).
  const io: CommandIO = { ...raw, stdout: terminalWriter(raw.stdout), stderr: terminalWriter(raw.stderr), command: raw.command ?? ((line) => raw.stdout(line)) };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(topUsage());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.stdout('0.1.0\n');
    return 0;
  }
  if (!(name in COMMANDS)) {
    io.stderr(`gitops: unknown command '${name}'\n\n${topUsage()}`);
    return 2;
  }
  try {
    const { command } = await COMMANDS[name as CommandName]();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(command.usage.endsWith('\n') ? command.usage : command.usage + '\n');
      return 0;
    }
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof GitopsError) {
      for (const d of err.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`gitops ${name}: internal_error: ${message}\n`);
    if (io.env.GITOPS_DEBUG && err instanceof Error) io.stderr(`${err.stack}\n`);
    return 2;
  }
}
