import type { Command } from './command.ts';
import { parse, usageError } from './args.ts';
import { GitopsError, formatDiagnostic } from '../core/diagnostics.ts';
import { readRegoFiles, renderTestReport, runPolicyTests } from '../policy/test.ts';
import { compilePolicies, isIntentPolicyFile } from '../policy/load.ts';
import { resolve } from 'node:path';
import { readManifest, withRegoVersions } from '../policy/manifest.ts';

const USAGE = `Usage: gitops policy <test|list> [path...] [options]

  test [path...]   run the *_test.rego unit tests (rules named test_*) of the
                   .rego files under the paths (default: policies), like opa test
      -v, --verbose      list every test, not only failures, and print() output
      --run <regex>      only tests whose name (data.pkg.test_x) matches (RE2)
      --v0-compatible    read the .rego files as Rego v0 (OPA's flag); a .manifest
                         with rego_version / file_rego_versions in a folder decides
                         for the files under it
  list [path...]   list the intent policies: id, severity, title, file
      --v0-compatible    as for test

Exit code (test): 0 all tests pass, 1 a test failed or errored, 2 the policies
do not compile (errors printed as file:line:col).`;

export const command: Command = {
  name: 'policy',
  summary: 'Policy tools: `gitops policy test` runs the *_test.rego unit tests',
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'test') {
      const { values, positionals } = parse('policy test', rest, { verbose: { type: 'boolean', short: 'v' }, run: { type: 'string' }, 'v0-compatible': { type: 'boolean' } });
      const versioned = await withRegoVersions(await readRegoFiles(io.cwd, positionals.length ? positionals : ['policies']), readManifest(io.cwd), { v0: values['v0-compatible'] === true });
      if (!versioned.ok) {
        for (const d of versioned.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
        return 2;
      }
      const modules = versioned.value;
      const r = runPolicyTests(modules, values.run ? { run: values.run } : {});
      if (!r.ok) {
        for (const d of r.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
        return 2;
      }
      io.stdout(renderTestReport(r.value, values.verbose ?? false));
      return r.value.some((c) => c.status === 'FAIL' || c.status === 'ERROR') ? 1 : 0;
    }
    if (sub === 'list') {
      const { values, positionals } = parse('policy list', rest, { 'v0-compatible': { type: 'boolean' } });
      const files = (await readRegoFiles(io.cwd, positionals.length ? positionals : ['policies'])).filter((m) => isIntentPolicyFile(m.file));
      const versioned = await withRegoVersions(files, readManifest(io.cwd), { v0: values['v0-compatible'] === true });
      if (!versioned.ok) throw new GitopsError(versioned.diagnostics, 2);
      const r = compilePolicies(versioned.value, resolve(io.cwd));
      if (!r.ok) throw new GitopsError(r.diagnostics, 2);
      const w = Math.max(0, ...r.value.policies.map((p) => p.id.length));
      for (const p of r.value.policies) io.stdout(`${p.id.padEnd(w)}  ${p.severity.padEnd(4)}  ${p.title}  (${p.file}:${p.line})\n`);
      return 0;
    }
    throw usageError('policy', sub ? `unknown subcommand '${sub}'` : 'expected a subcommand: test or list');
  },
};
