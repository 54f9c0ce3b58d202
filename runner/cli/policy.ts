import type { Command } from './command.ts';
import { parse, usageError } from './args.ts';
import { GitopsError, formatDiagnostic } from '../core/diagnostics.ts';
import { loadTestInputs, readRegoFiles, renderTestJSON, renderTestReport, runPolicyTests, type Explain } from '../policy/test.ts';
import { compilePolicies, isIntentPolicyFile } from '../policy/load.ts';
import { BUILTINS_OPTION, BUILTINS_USAGE, withBuiltinModules } from './builtins.ts';
import { resolve } from 'node:path';
import { readManifest, withRegoVersions } from '../policyset/manifest.ts';

const USAGE = `Usage: gitops policy <test|list> [path...] [options]

  test [path...]   run the *_test.rego unit tests (rules named test_*) of the
                   .rego files under the paths (default: policies), like opa test;
                   .json/.yaml/.yml files there are data, loaded at their folder's
                   path relative to the path argument (OPA's loader)
      -v, --verbose      list every test, not only failures, and print() output
      -r, --run <regex>  only tests whose name (data.pkg.test_x) matches (RE2)
      --v0-compatible    read the .rego files as Rego v0 (OPA's flag); a .manifest
                         with rego_version / file_rego_versions in a folder decides
                         for the files under it
      -d, --data <path>  more data (or .rego) files/folders; repeatable
      --ignore <glob>    skip files and folders whose base name matches; repeatable
                         (e.g. --ignore '*.yaml')
      --explain <mode>   fails (also full, notes): a FAILURES section with each
                         failing test's location and cause
      --format <f>       pretty (default) or json (opa test's JSON report)
${BUILTINS_USAGE}
  list [path...]   list the intent policies: id, severity, title, file
      --v0-compatible    as for test

Exit code (test): 0 all tests pass, 1 a test failed or errored, 2 the policies
do not compile (errors printed as file:line:col) or a data file/module is bad.`;

const EXPLAIN = new Set<Explain>(['fails', 'full', 'notes']);

export const command: Command = {
  name: 'policy',
  summary: 'Policy tools: `gitops policy test` runs the *_test.rego unit tests',
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'test') {
      const { values, positionals } = parse('policy test', rest, {
        verbose: { type: 'boolean', short: 'v' },
        run: { type: 'string', short: 'r' },
        data: { type: 'string', short: 'd', multiple: true },
        ignore: { type: 'string', multiple: true },
        explain: { type: 'string' },
        format: { type: 'string' },
        'v0-compatible': { type: 'boolean' },
        ...BUILTINS_OPTION,
      });
      const format = values.format ?? 'pretty';
      if (format !== 'pretty' && format !== 'json') throw usageError('policy test', `--format must be pretty or json, got ${format}`);
      const explain = values.explain as Explain | undefined;
      if (explain !== undefined && !EXPLAIN.has(explain)) throw usageError('policy test', `--explain must be fails, full or notes, got ${values.explain}`);
      return withBuiltinModules(values.builtins, io.cwd, async () => {
        const inputs = await loadTestInputs(io.cwd, positionals.length ? positionals : ['policies'], { ignore: values.ignore ?? [], data: values.data ?? [] });
        const versioned = await withRegoVersions(inputs.modules, readManifest(io.cwd), { v0: values['v0-compatible'] === true });
        if (!versioned.ok) {
          for (const d of versioned.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
          return 2;
        }
        const r = runPolicyTests(versioned.value, { ...(values.run ? { run: values.run } : {}), data: inputs.data });
        if (!r.ok) {
          for (const d of r.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
          return 2;
        }
        io.stdout(format === 'json' ? renderTestJSON(r.value) : renderTestReport(r.value, { verbose: values.verbose ?? false, ...(explain ? { explain } : {}) }));
        return r.value.some((c) => c.status === 'FAIL' || c.status === 'ERROR') ? 1 : 0;
      });
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
