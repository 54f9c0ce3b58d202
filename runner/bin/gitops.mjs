#!/usr/bin/env node
// The `gitops` command. The runner is written in TypeScript and run from
// source through tsx's loader, so a checkout works with no build step (the
// repository is both the runner and the governed sample repo).
import { register } from 'tsx/esm/api';

register();
const { main, quietOnClosedPipe } = await import('../cli/main.ts');
quietOnClosedPipe();
process.exitCode = await main(process.argv.slice(2));
