/**
 * The shape of a subcommand. One file per subcommand under `runner/cli/`,
 * registered in `commands.ts`. A command returns its exit code; it never calls
 * `process.exit` and never reads `process.env` (the environment arrives
 * through `io.env`, read once at the edge).
 */
export interface CommandIO {
  /** Output. main() makes both terminal-safe (controls escaped, `::` line starts defused: runner/core/escape.ts). */
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * A GitHub Actions workflow command line of the runner's own (built by
   * runner/github/render.ts `workflowCommand`, which escapes its data),
   * written to stdout unfiltered. Absent: use stdout (and it is defused).
   */
  command?: (line: string) => void;
  /** Working directory the command acts on (the git working copy). */
  cwd: string;
  /** The process environment, for the GitHub/Actions edge only. */
  env: Readonly<Record<string, string | undefined>>;
}

export interface Command {
  name: string;
  /** One line for `gitops --help`. */
  summary: string;
  /** Full `--help` text. */
  usage: string;
  run(argv: string[], io: CommandIO): Promise<number>;
}
