/**
 * The packaged `gitops` command: the entry esbuild compiles to dist/cli/gitops.js
 * (scripts/build.ts). Subcommands stay separate chunks (the dispatch registry
 * imports them lazily), so `gitops check` never loads Pulumi or Octokit.
 */
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
