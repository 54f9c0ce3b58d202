/**
 * Cuts the stand-in's OpenAPI subset out of GitHub's published description
 * (@octokit/openapi's api.github.com.json, 13 MB) so the stand-in loads a
 * small, reviewable file and a diff shows exactly when GitHub's contract for
 * an operation we serve changed. Run after upgrading @octokit/openapi:
 *
 *   npx tsx test/support/github-standin/cut-openapi.ts
 *
 * Keeps the listed operations and every component they reach through $ref;
 * drops prose (description, examples) that validation does not use. The
 * schemas themselves are copied verbatim.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPERATION_IDS } from './operations.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkgJson = require.resolve('@octokit/openapi/package.json');
const pkgVersion = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
const sourceFile = join(dirname(pkgJson), 'generated', 'api.github.com.json');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };
const spec = JSON.parse(readFileSync(sourceFile, 'utf8')) as Obj;

const DROP = new Set(['description', 'summary', 'examples', 'example', 'externalDocs', 'tags', 'x-github', 'x-octokit']);

const wantedComponents = new Map<string, Set<string>>();
function strip(node: Json): Json {
  if (Array.isArray(node)) return node.map(strip);
  if (node === null || typeof node !== 'object') return node;
  const out: Obj = {};
  for (const [k, v] of Object.entries(node)) {
    // Property NAMES like `summary` or `description` are kept: `properties` goes through stripProps.
    if (DROP.has(k)) continue;
    if (k === '$ref' && typeof v === 'string') {
      const m = /^#\/components\/([^/]+)\/(.+)$/.exec(v);
      if (!m) throw new Error(`unexpected $ref ${v}`);
      const kind = m[1]!;
      const set = wantedComponents.get(kind) ?? new Set<string>();
      wantedComponents.set(kind, set);
      set.add(m[2]!);
    }
    out[k] = k === 'properties' ? stripProps(v) : strip(v);
  }
  return out;
}
function stripProps(props: Json): Json {
  if (props === null || typeof props !== 'object' || Array.isArray(props)) return props;
  const out: Obj = {};
  for (const [name, schema] of Object.entries(props)) out[name] = strip(schema);
  return out;
}

const paths = spec.paths as Obj;
const outPaths: Obj = {};
const found = new Set<string>();
for (const [path, item] of Object.entries(paths)) {
  for (const [method, op] of Object.entries(item as Obj)) {
    const id = (op as Obj).operationId;
    if (typeof id === 'string' && (OPERATION_IDS as readonly string[]).includes(id)) {
      found.add(id);
      const p = (outPaths[path] ?? {}) as Obj;
      p[method] = strip(op);
      outPaths[path] = p;
    }
  }
}
const missing = OPERATION_IDS.filter((id) => !found.has(id));
if (missing.length) throw new Error(`operations not in the description: ${missing.join(', ')}`);

// Close over components reachable through $ref (components reference each other).
const components = spec.components as Record<string, Obj>;
const outComponents: Record<string, Obj> = {};
let changed = true;
while (changed) {
  changed = false;
  for (const [kind, names] of wantedComponents) {
    for (const name of [...names]) {
      outComponents[kind] ??= {};
      if (outComponents[kind]![name] !== undefined) continue;
      const src = components[kind]?.[name];
      if (src === undefined) throw new Error(`dangling $ref #/components/${kind}/${name}`);
      outComponents[kind]![name] = strip(src);
      changed = true;
    }
  }
}
for (const kind of Object.keys(outComponents)) {
  outComponents[kind] = Object.fromEntries(Object.entries(outComponents[kind]!).sort(([a], [b]) => a.localeCompare(b)));
}
// The stand-in validates injected error responses (5xx, rate limits) that the
// description does not list for an operation against GitHub's generic error body.
for (const extra of ['basic-error', 'validation-error']) {
  if (!outComponents.schemas![extra]) outComponents.schemas![extra] = strip((components.schemas as Obj)[extra]!);
}

const out = {
  openapi: spec.openapi,
  info: {
    title: 'Subset of GitHub REST API description served by the test stand-in',
    version: (spec.info as Obj).version,
    'x-source': '@octokit/openapi/generated/api.github.com.json',
    'x-source-package-version': pkgVersion,
    'x-github-plan': (spec.info as Obj)['x-github-plan'] ?? null,
    'x-operations': [...OPERATION_IDS],
  },
  paths: outPaths,
  components: outComponents,
};
const target = join(here, 'openapi-subset.json');
writeFileSync(target, JSON.stringify(out, null, 1) + '\n');
console.log(`wrote ${target}: ${OPERATION_IDS.length} operations, ${Object.keys(outComponents.schemas ?? {}).length} schemas, from @octokit/openapi ${pkgVersion}`);
