/**
 * `gitops init`: the files of a governed repository, and how they meet what a
 * repository already holds.
 *
 * The templates are this package's own governed sample (the default policies
 * with their tests, the example intent, the contracts, the agent registry) and
 * its own workflows with `uses: ./` pinned to the published action: one source
 * for the sample this repository checks itself with and the layout `init`
 * writes, so they cannot drift apart.
 *
 * Planning is pure (templates + what exists → one outcome per file); writing is
 * the command's job. A file that exists with other content is never
 * overwritten: the user may have changed it, and `init` says it left it alone.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GitopsError, diag } from '../core/diagnostics.ts';

/**
 * The package root: runner/init/ in a checkout, dist/cli/chunks/ (or
 * dist/action/) in the built package, whose files list carries the templates.
 */
export function packageRoot(moduleUrl: string = import.meta.url): string {
  let dir = fileURLToPath(new URL('.', moduleUrl));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === PACKAGE_NAME) return dir;
    } catch {
      // not here; one level up
    }
    dir = join(dir, '..');
  }
  throw new GitopsError(diag('init_templates_missing', `the package's own files (${PACKAGE_NAME}/package.json and its templates) are not beside the runner at ${fileURLToPath(moduleUrl)}`), 2);
}

export const PACKAGE_NAME = 'gitops-policy-runner';

/** Where the action is published; `init --action` overrides it (a fork, a pinned sha). */
export function defaultActionRef(version: string): string {
  return `gitops-policy-runner/gitops@v${version}`;
}

/** The governed paths: the check workflow's trigger and CODEOWNERS cover exactly these. */
export const GOVERNED_PATHS = ['intents', 'policies', 'contracts', 'agents', 'audit-log'] as const;

/** Template files copied as they are, by directory (relative to the package root). */
const COPIED = {
  policies: (f: string) => f.endsWith('.rego') || f === 'policies/input.schema.json',
  contracts: (f: string) => f.endsWith('.yaml'),
  agents: (f: string) => f.endsWith('.yaml'),
} as const;

/** Single files: the example intent and the audit log's README (never the sample's records). */
const SINGLE = ['intents/DEPLOY-WEB-001.yaml', 'audit-log/README.md'] as const;

/**
 * audit-log/.gitignore, written from here: npm never packs a `.gitignore`.
 * The same text as this repository's audit-log/.gitignore (a test compares them).
 */
export const AUDIT_LOG_GITIGNORE = `# Working files of the audit sink, never records: the append lock and
# half-written replacement files (renamed into place when complete).
.lock
*.tmp
`;

/** The workflows a governed repository runs; apply and feedback need their secrets/vars (docs/adopt.md). */
export const WORKFLOWS = ['check.yml', 'apply.yml', 'feedback.yml'] as const;

export interface PlannedFile {
  path: string;
  content: string;
}

export type FileOutcome =
  | { path: string; status: 'create'; content: string }
  | { path: string; status: 'unchanged' }
  | { path: string; status: 'kept' };

function walk(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir)).sort()) {
    const rel = `${dir}/${name}`;
    if (statSync(join(root, rel)).isDirectory()) out.push(...walk(root, rel));
    else out.push(rel);
  }
  return out;
}

/** `uses: ./` (this repository's own workflows run the action from the checkout) → the published action. */
export function pinWorkflow(text: string, actionRef: string): string {
  return text.replace(/^(\s*(?:-\s+)?uses:\s*)\.\/?\s*$/gm, `$1${actionRef}`);
}

export function codeowners(owners: readonly string[]): string {
  const who = owners.join(' ');
  return [
    '# gitops init: who must review a change to the governed paths. Make these reviews',
    '# required in branch protection; `gitops check` judges the content, people own it.',
    ...GOVERNED_PATHS.map((p) => `/${p}/ ${who}`),
    `/.github/workflows/ ${who}`,
    `/.github/CODEOWNERS ${who}`,
    '',
  ].join('\n');
}

export interface LayoutOptions {
  actionRef: string;
  owners: readonly string[];
}

/** Every file `init` lays out, in a stable order. */
export function governedLayout(root: string, opts: LayoutOptions): PlannedFile[] {
  const files: PlannedFile[] = [];
  const read = (rel: string) => readFileSync(join(root, rel), 'utf8');
  for (const path of SINGLE) files.push({ path, content: read(path) });
  files.push({ path: 'audit-log/.gitignore', content: AUDIT_LOG_GITIGNORE });
  for (const [dir, keep] of Object.entries(COPIED)) for (const path of walk(root, dir)) if (keep(path)) files.push({ path, content: read(path) });
  for (const w of WORKFLOWS) files.push({ path: `.github/workflows/${w}`, content: pinWorkflow(read(`.github/workflows/${w}`), opts.actionRef) });
  files.push({ path: '.github/CODEOWNERS', content: codeowners(opts.owners) });
  return files.map((f) => ({ ...f, path: f.path.split(sep).join('/') }));
}

/** What writing `files` into `target` would do, given what is there (`existing(path)`: its text, or undefined). */
export function planInit(files: readonly PlannedFile[], existing: (path: string) => string | undefined): FileOutcome[] {
  return files.map((f): FileOutcome => {
    const now = existing(f.path);
    if (now === undefined) return { path: f.path, status: 'create', content: f.content };
    return now === f.content ? { path: f.path, status: 'unchanged' } : { path: f.path, status: 'kept' };
  });
}

/** `git@github.com:acme/infra.git` / `https://github.com/acme/infra` → `@acme`. */
export function ownerFromRemote(url: string): string | undefined {
  const m = /github\.com[:/]([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/[^/]+?(?:\.git)?\/?$/.exec(url.trim());
  return m ? `@${m[1]}` : undefined;
}
