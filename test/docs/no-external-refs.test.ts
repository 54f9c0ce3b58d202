/**
 * The repository stands alone: its code and docs never cite a document a
 * maintainer does not have. The design lives in docs/; a comment that points
 * at it names a docs/ file (and, in quotes, a section heading) that exists.
 *
 * Scanned: runner/, docs/, README.md and the governed sample the package ships
 * (intents/, policies/, contracts/, agents/, metrics/, audit-log/README.md).
 * test/ is not scanned: test names may call the sample "the seed" as data.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');

const SCANNED = ['runner', 'docs', 'README.md', 'intents', 'policies', 'contracts', 'agents', 'metrics', 'audit-log/README.md'];
const TEXT = /\.(ts|mts|mjs|cjs|js|json|md|ya?ml|rego|csv)$/;

/** Forbidden citations, by code: each names what it catches. */
const FORBIDDEN: ReadonlyArray<{ code: string; re: RegExp }> = [
  { code: 'external_section_ref', re: /\bseed\s*§/i },
  { code: 'external_document_ref', re: /seed-example/i },
  { code: 'external_sample_ref', re: /\bseed[- ]like\b/i },
  // "layer 70", "layers 30", "(layer 60)", "automation layer (39)": name the concept and its docs page instead.
  { code: 'layer_number_ref', re: /\blayers?\s+\(?\d{2}\b|\blayer\s*\(\d{2}\)/i },
];

/** A section sign is fine after a named standard (`RFC 6902 §4.4`, `semver §11.4.3`), never bare. */
const NAMED_STANDARD = /(?:\bRFC\s?\d+|\bsemver|\bSemVer)[\s,]*$/;

interface Finding {
  file: string;
  line: number;
  code: string;
  text: string;
}

function scanText(file: string, text: string): Finding[] {
  const out: Finding[] = [];
  text.split('\n').forEach((line, i) => {
    for (const { code, re } of FORBIDDEN) if (re.test(line)) out.push({ file, line: i + 1, code, text: line.trim() });
    for (const m of line.matchAll(/§\s?\d/g)) {
      if (!NAMED_STANDARD.test(line.slice(Math.max(0, m.index - 24), m.index))) out.push({ file, line: i + 1, code: 'bare_section_ref', text: line.trim() });
    }
  });
  return out;
}

/** `docs/<name>.md` paths a text cites, each with the section it quotes right after it, if any. */
function docsCitations(text: string): Array<{ path: string; heading?: string; line: number }> {
  const out: Array<{ path: string; heading?: string; line: number }> = [];
  // The heading may follow on the next comment line: `(docs/audit.md,\n * \`gitops audit show\`)`.
  for (const m of text.matchAll(/\bdocs\/([A-Za-z0-9_.-]+?\.md)(?:#[\w-]+)?(?:,[\s*/]*(?:"([^"\n]+)"|`([^`\n]+)`))?/g)) {
    out.push({ path: `docs/${m[1]}`, heading: m[2] ?? m[3], line: text.slice(0, m.index).split('\n').length });
  }
  return out;
}

/** Headings of a markdown file, with code spans unwrapped, lower-cased. */
function headings(markdown: string): string[] {
  return markdown
    .split('\n')
    .filter((l) => /^#{1,6}\s/.test(l))
    .map((l) => l.replace(/^#+\s*/, '').replace(/`/g, '').trim().toLowerCase());
}

function files(rel: string): string[] {
  const abs = join(REPO, rel);
  if (!existsSync(abs)) return [];
  if (statSync(abs).isFile()) return [rel];
  return (readdirSync(abs, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile() && TEXT.test(d.name))
    .map((d) => relative(REPO, join(d.parentPath, d.name)))
    .sort();
}

const show = (fs: Finding[]) => fs.map((f) => `${f.file}:${f.line}: ${f.code}: ${f.text}`).join('\n');

describe('the scanner', () => {
  it('catches citations of the external example and bare layer numbers, at their line', () => {
    const text = [
      '// fine: the apply steps (docs/infra.md, "The apply steps")',
      ' * The agents stage of the check (seed §5), performed as',
      '# Interface contract (layer 60): the action list',
      '# and the automation layer (39) executes',
      'see ../shared/seed-example.md',
      'a seed-like sample',
      'the trail of §7',
    ].join('\n');
    expect(scanText('x.ts', text).map((f) => `${f.line}:${f.code}`)).toEqual([
      '2:external_section_ref',
      '2:bare_section_ref',
      '3:layer_number_ref',
      '4:layer_number_ref',
      '5:external_document_ref',
      '6:external_sample_ref',
      '7:bare_section_ref',
    ]);
  });

  it('lets named standards keep their section numbers', () => {
    expect(scanText('x.ts', '// invalid (RFC 6902 §4.4); precedence (semver §11.4.3)')).toEqual([]);
  });

  it('reads the docs path and the quoted heading, also across a comment line break', () => {
    const text = ['/** Apply on merge (docs/infra.md, "Apply on merge"): the orchestration.', ' * trails (docs/audit.md,', ' * `gitops audit show`). See docs/rego.md. */'].join('\n');
    expect(docsCitations(text)).toEqual([
      { path: 'docs/infra.md', heading: 'Apply on merge', line: 1 },
      { path: 'docs/audit.md', heading: 'gitops audit show', line: 2 },
      { path: 'docs/rego.md', heading: undefined, line: 3 },
    ]);
  });
});

describe('the repository cites no document it does not hold', () => {
  const scanned = SCANNED.flatMap(files);

  it('scans the runner, the docs and the governed sample', () => {
    for (const f of ['README.md', 'docs/audit.md', 'runner/core/events.ts', 'agents/agents.yaml', 'intents/DEPLOY-WEB-001.yaml']) expect(scanned).toContain(f);
  });

  it('no file cites the external example (seed §N, seed-example), a bare §N or a layer by number', () => {
    const findings = scanned.flatMap((f) => scanText(f, readFileSync(join(REPO, f), 'utf8')));
    expect(show(findings)).toBe('');
  });

  it('every docs/<name>.md the runner cites exists, and every section it quotes is a heading there', () => {
    const runnerFiles = files('runner');
    const cited = runnerFiles.flatMap((f) => docsCitations(readFileSync(join(REPO, f), 'utf8')).map((c) => ({ ...c, file: f })));
    // The runner does point at its design: a regression to zero citations would make this test vacuous.
    expect(cited.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const c of cited) {
      const doc = join(REPO, c.path);
      if (!existsSync(doc)) {
        problems.push(`${c.file}:${c.line}: docs_file_missing: ${c.path}`);
        continue;
      }
      if (c.heading && !headings(readFileSync(doc, 'utf8')).some((h) => h.includes(c.heading!.toLowerCase()))) {
        problems.push(`${c.file}:${c.line}: docs_heading_missing: ${c.path} has no heading "${c.heading}"`);
      }
    }
    expect(problems.join('\n')).toBe('');
  });
});
