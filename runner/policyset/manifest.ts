/**
 * Which Rego syntax each policy file is written in, as OPA decides it for a
 * bundle: the `.manifest` at the bundle's root (here: the nearest folder
 * above the file that holds one) gives `rego_version` (0 or 1) for all its
 * files and `file_rego_versions` for some (glob patterns over the path
 * relative to that folder, `/x.rego` or `x.rego`; `*` also matches `/`, as
 * OPA's globs without separators do). Without a manifest saying otherwise a
 * file has the command's default: v1, or v0 with `--v0-compatible`.
 */
import { dirname, posix, resolve } from 'node:path';
import { GitopsError, diag, fail, ok, type Diagnostic, type Result } from '../core/diagnostics.ts';
import { readNoFollow, symlinkRefused } from '../core/files.ts';
import { decodeRepoText } from '../core/text.ts';
import type { ModuleSource } from '../rego/api.ts';

export const MANIFEST = '.manifest';

interface Manifest {
  regoVersion?: 0 | 1;
  files: Array<{ pattern: RegExp; version: 0 | 1 }>;
}

/** A gobwas-style glob (`*`, `?`, `[…]`, `[!…]`, `{a,b}`) without separators, as a RegExp. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const j = glob.indexOf(']', i + 1);
      if (j < 0) throw new Error(`unclosed [ in ${glob}`);
      const body = glob.slice(i + 1, j);
      out += '[' + (body.startsWith('!') ? '^' + body.slice(1) : body).replace(/\\/g, '\\\\') + ']';
      i = j;
    } else if (c === '{') {
      depth++;
      out += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      out += ')';
    } else if (c === ',' && depth > 0) out += '|';
    else if (c === '\\' && i + 1 < glob.length) out += '\\' + glob[++i];
    else out += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  if (depth > 0) throw new Error(`unclosed { in ${glob}`);
  return new RegExp('^' + out + '$');
}

function parseManifest(path: string, text: string): Result<Manifest> {
  const bad = (msg: string): Result<Manifest> => fail(diag('rego_manifest_error', `${path}: ${msg}`, { file: path, line: 1, col: 1 }));
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return bad(`not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return bad('must be a JSON object');
  const o = doc as Record<string, unknown>;
  const m: Manifest = { files: [] };
  if (o.rego_version !== undefined) {
    if (o.rego_version !== 0 && o.rego_version !== 1) return bad(`rego_version must be 0 or 1, got ${JSON.stringify(o.rego_version)}`);
    m.regoVersion = o.rego_version;
  }
  if (o.file_rego_versions !== undefined) {
    const f = o.file_rego_versions;
    if (typeof f !== 'object' || f === null || Array.isArray(f)) return bad('file_rego_versions must be an object of glob → 0 or 1');
    for (const [pattern, v] of Object.entries(f)) {
      if (v !== 0 && v !== 1) return bad(`file_rego_versions[${JSON.stringify(pattern)}] must be 0 or 1, got ${JSON.stringify(v)}`);
      try {
        m.files.push({ pattern: globToRegExp(pattern), version: v });
      } catch (e) {
        return bad(`file_rego_versions: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  return ok(m);
}

/**
 * Set `regoVersion` on each module from the manifests above it. `read(path)`
 * returns a manifest's text (paths like `policies/.manifest`, in the same
 * space as the modules' `file`), or undefined when there is none.
 */
export async function withRegoVersions(
  modules: ModuleSource[],
  read: (path: string) => Promise<string | undefined>,
  opts: { v0?: boolean } = {},
): Promise<Result<ModuleSource[]>> {
  const manifests = new Map<string, Promise<Result<Manifest> | undefined>>();
  const manifestIn = (dir: string): Promise<Result<Manifest> | undefined> => {
    let p = manifests.get(dir);
    if (!p) {
      const path = dir === '.' ? MANIFEST : `${dir}/${MANIFEST}`;
      p = read(path).then((t) => (t === undefined ? undefined : parseManifest(path, t)));
      manifests.set(dir, p);
    }
    return p;
  };
  const problems: Diagnostic[] = [];
  const out: ModuleSource[] = [];
  for (const m of modules) {
    let version: 0 | 1 = opts.v0 ? 0 : 1;
    for (let dir = dirname(m.file); ; dir = dirname(dir)) {
      const r = await manifestIn(dir);
      if (r) {
        if (!r.ok) {
          if (!problems.some((p) => p.file === r.diagnostics[0]!.file)) problems.push(...r.diagnostics);
          break;
        }
        const rel = dir === '.' ? m.file : posix.relative(dir, m.file);
        const hit = r.value.files.find((f) => f.pattern.test(rel) || f.pattern.test('/' + rel));
        version = hit ? hit.version : (r.value.regoVersion ?? version);
        break;
      }
      if (dir === '.' || dir === '/' || dir === dirname(dir) || posix.basename(dir) === '..') break;
    }
    out.push({ ...m, regoVersion: version });
  }
  return problems.length ? fail(problems) : ok(out);
}

/** Reads manifests from the file system, paths relative to `cwd` (a missing one is undefined). */
export function readManifest(cwd: string): (path: string) => Promise<string | undefined> {
  return async (path) => {
    let bytes: Buffer;
    try {
      // O_NOFOLLOW: a symlinked manifest is refused (ELOOP below), never read through.
      bytes = await readNoFollow(resolve(cwd, path));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      if (code === 'ELOOP') throw new GitopsError(symlinkRefused(path), 2);
      throw e;
    }
    return decodeRepoText(bytes, path);
  };
}
