/**
 * The CLI bundle (scripts/build.ts, npm run bench / prepare) keeps graphql-js out of the chunks
 * every policy-compiling command loads: it is its own file, dist/cli/chunks/graphql.cjs, required
 * on the first graphql.* builtin call. Built here into a temporary folder with the build's own
 * options.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHQL_CHUNK, cliBuildOptions, graphqlChunkOptions } from '../../scripts/build.ts';
import { NODE, spawnProcess } from '../check/helpers.ts';

let dir: string;
const gitops = (...args: string[]) => spawnProcess(NODE, [join(dir, 'gitops.js'), ...args], dir);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitops-cli-bundle-'));
  await build({ ...cliBuildOptions(), outdir: dir });
  await build({ ...graphqlChunkOptions(), outfile: join(dir, GRAPHQL_CHUNK) });
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the CLI bundle', () => {
  it('has graphql-js only in its own chunk', async () => {
    const chunks = (await readdir(join(dir, 'chunks'))).filter((f) => f.endsWith('.js'));
    const withGraphql: string[] = [];
    for (const f of chunks) if ((await readFile(join(dir, 'chunks', f), 'utf8')).includes('node_modules/graphql/validation/')) withGraphql.push(f);
    expect(withGraphql).toEqual([]);
    expect(await readFile(join(dir, GRAPHQL_CHUNK), 'utf8')).toContain('node_modules/graphql/validation/');
  });

  it('compiles and evaluates policies without the graphql chunk, and loads it for graphql.* builtins', async () => {
    const query = 'graphql.is_valid("{ a }", "type Query { a: Int }")';
    const ok = await gitops('rego', 'eval', query);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).result[0].expressions[0].value).toBe(true);
    await rm(join(dir, GRAPHQL_CHUNK));
    const plain = await gitops('rego', 'eval', 'x := count([1, 2])');
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout).result[0].bindings).toEqual({ x: 2 });
    // The builtin needs the chunk: without it, the call fails (reported as the module not found).
    const gone = await gitops('rego', 'eval', '--strict-builtin-errors', 'x := graphql.parse_query("{ a }")');
    expect(gone.code).toBe(2);
    expect(gone.stdout + gone.stderr).toMatch(/graphql\.cjs/);
  }, 60_000);
});
