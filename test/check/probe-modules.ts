/**
 * Spawned by check.e2e.test.ts (node --import tsx): runs `gitops check` in
 * this process, then reports whether any Pulumi module was loaded. Pulumi is
 * CommonJS, so once imported (even from ESM) it sits in the require cache;
 * the probe imports it afterwards as a positive control of the detection.
 */
import { createRequire } from 'node:module';
import { main } from '../../runner/cli/main.ts';

const require = createRequire(import.meta.url);
const pulumiLoaded = () => Object.keys(require.cache).filter((k) => k.includes('/@pulumi/')).length;

const args = process.argv.slice(2);
let out = '';
const code = await main(args, { stdout: (t) => (out += t), stderr: (t) => (out += t), cwd: process.cwd(), env: {} });
const during = pulumiLoaded();
await import('@pulumi/pulumi');
const control = pulumiLoaded();
process.stdout.write(JSON.stringify({ code, during, control, allowed: out.includes('ALLOW') }) + '\n');
