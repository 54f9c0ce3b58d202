/**
 * The action's inputs, read once from the environment the Actions runner
 * gives a JavaScript action (INPUT_<NAME>, the name upper-cased, dashes kept),
 * and the environment the gitops command then gets. Pure: runner/action/main.ts
 * is the edge that passes process.env in.
 */
import { isAbsolute, resolve } from 'node:path';
import type { Result } from '../core/diagnostics.ts';
import { ok } from '../core/diagnostics.ts';
import { splitCommandLine } from './command-line.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface ActionInputs {
  argv: string[];
  /** The working directory, absolute (relative inputs resolve against GITHUB_WORKSPACE). */
  cwd: string;
  token: string;
  installPulumi: boolean;
}

/** Commands that call the GitHub API get the `token` input as GITHUB_TOKEN; no other command sees it (the Pulumi program never does). */
export const TOKEN_COMMANDS: ReadonlySet<string> = new Set(['publish', 'feedback']);

function input(env: Env, name: string): string {
  return (env[`INPUT_${name.toUpperCase()}`] ?? '').trim();
}

export function readInputs(env: Env, cwd: string): Result<ActionInputs> {
  const argv = splitCommandLine(input(env, 'command'));
  if (!argv.ok) return argv;
  const wd = input(env, 'working-directory') || '.';
  return ok({
    argv: argv.value,
    cwd: isAbsolute(wd) ? wd : resolve(env.GITHUB_WORKSPACE ?? cwd, wd),
    token: input(env, 'token'),
    installPulumi: input(env, 'install-pulumi') !== 'false',
  });
}

/** The command's environment: no INPUT_* variable (the token among them); GITHUB_TOKEN only for the commands that call GitHub. */
export function commandEnvironment(env: Env, inputs: ActionInputs): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) if (!k.startsWith('INPUT_')) out[k] = v;
  if (inputs.token && TOKEN_COMMANDS.has(inputs.argv[0]!)) out.GITHUB_TOKEN = inputs.token;
  return out;
}
