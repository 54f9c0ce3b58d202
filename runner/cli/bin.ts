/**
 * The packaged `gitops` command: the entry esbuild compiles to dist/cli/gitops.js
 * (scripts/build.ts). Subcommands stay separate chunks (the dispatch registry
 * imports them lazily), so `gitops check` loads Pulumi only for its plan preview and never loads Octokit.
 *
 * Node's on-disk compile cache first (before the runner's modules load, hence
 * the dynamic import): parsing and compiling the bundled chunks is most of a
 * short command's start-up, and the cache makes every run after the first
 * skip it.
 */
import module from 'node:module';

module.enableCompileCache?.();
const { main, quietOnClosedPipe } = await import('./main.ts');
quietOnClosedPipe();
process.exitCode = await main(process.argv.slice(2));
