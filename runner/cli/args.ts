import { parseArgs, type ParseArgsConfig } from 'node:util';
import { GitopsError, diag } from '../core/diagnostics.ts';

/**
 * node:util parseArgs, with its errors turned into a usage diagnostic (exit 2)
 * instead of a thrown TypeError with a stack.
 */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new GitopsError(diag('usage_error', `gitops ${command}: ${message} (see gitops ${command} --help)`), 2);
  }
}

export function usageError(command: string, message: string): GitopsError {
  return new GitopsError(diag('usage_error', `gitops ${command}: ${message} (see gitops ${command} --help)`), 2);
}
