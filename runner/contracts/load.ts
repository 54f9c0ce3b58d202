/**
 * Loads the contract set of one tree (the PR's base or head): every
 * `contracts/*.yaml|yml|json` file except `requirements.yaml`, plus the
 * intent-type requirements. Reading goes through injected functions so the
 * check can load contracts AS AT a git ref (no working-tree access here).
 *
 * Problems are diagnostics with file:line (positions from eemeli/yaml, which
 * also parses the JSON files, so a JSON contract gets lines too); a contract
 * with a problem is left out of the set, so verification reports it missing.
 */
import { Ajv2020, type CodeOptions, type ValidateFunction } from 'ajv/dist/2020.js';
import { PRECOMPILED } from '../generated/contracts.validators.js';
import validateMetaSchema from '../generated/json-schema-2020-12.validator.js';
import { parseYaml, positionOf, type ParsedYaml, type PathSeg, type Position } from '../core/yaml.ts';
import { type Diagnostic, diag } from '../core/diagnostics.ts';
import { digestOf, sha256 } from '../core/hash.ts';
import type { Tree } from '../git/tree.ts';
import { parseRange, parseVersion, type Range, type SemVer } from './semver.ts';
import { decodeRepoText } from '../core/text.ts';

export const CONTRACTS_DIR = 'contracts';
export const REQUIREMENTS_FILE = 'contracts/requirements.yaml';


export interface ContractDoc {
  /** `contract.automation.v1` */
  id: string;
  /** `contract.automation`: what identifies the contract across major versions. */
  family: string;
  version: SemVer;
  file: string;
  owner?: string;
  description?: string;
  /** Files that must change in the same PR as a major bump (e.g. the translator). */
  consumers: string[];
  schema: Record<string, unknown>;
  /** Position of a path in the file (nearest existing ancestor when the path is absent). */
  locate(path: readonly PathSeg[]): Position;
}

export interface Requirement {
  intentType: string;
  contract: string;
  range: Range;
  line: number;
  col: number;
}

export interface LoadedContracts {
  contracts: Map<string, ContractDoc>;
  /** intent type → required contracts, in file order. */
  requirements: Map<string, Requirement[]>;
  diagnostics: Diagnostic[];
  /** Validator for `#` or a `#/$defs/…` pointer of a loaded contract; undefined if absent. */
  validator(contractId: string, pointer?: string): ValidateFunction | undefined;
}

export type ReadFile = (path: string) => string | undefined;
/** Files under a directory, repo-relative (`contracts/x.yaml`) or bare names (`x.yaml`). */
export type ListFiles = (dir: string) => string[];

const ID_RE = /^(contract\.[a-z0-9][a-z0-9-]*)\.v(0|[1-9]\d*)$/;

/** Metadata keywords the contracts use; registered so ajv's strict mode still catches typos. */
export const CONTRACT_KEYWORDS = ['x-unit', 'x-metric'] as const;

/**
 * The contracts' ajv. Schemas are checked against the 2020-12 meta-schema by the validator the
 * build precompiled (scripts/validators.ts), not by ajv, which would compile the meta-schema on
 * every run; `checkSchema` throws ajv's own error for an invalid one.
 */
export function newAjv(code: CodeOptions = { optimize: false }): Ajv2020 {
  // code.optimize off by default: a schema compiled at run time is compiled on every run, and the
  // optimiser pass costs more than it saves. The build (scripts/validators.ts) passes its own.
  const ajv = new Ajv2020({ allErrors: true, discriminator: true, strict: true, allowUnionTypes: true, validateSchema: false, code });
  ajv.addKeyword({ keyword: 'x-unit', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-metric', schemaType: 'boolean' });
  return ajv;
}

/** ajv's `schema is invalid: …` for a schema the 2020-12 meta-schema rejects. */
export function checkSchema(ajv: Ajv2020, schema: unknown): void {
  if (!validateMetaSchema(schema)) throw new Error(`schema is invalid: ${ajv.errorsText(validateMetaSchema.errors)}`);
}

export function schemaUri(id: string): string {
  return `urn:gitops:${id}`;
}

/**
 * What a precompiled validator is keyed by: the contract id and its schema
 * exactly as written (key order included: with allErrors it orders the
 * errors). The build precompiles the contracts this package ships
 * (scripts/validators.ts); a repository whose contract is byte-for-byte that
 * schema skips compiling it, any other schema compiles at run time.
 */
export function precompiledKey(id: string, schema: unknown): string {
  return sha256(JSON.stringify([id, schema]));
}

/** `#` and each top-level `#/$defs/<name>`: the pointers the build precompiles for a shipped contract. */
export function schemaPointers(schema: Record<string, unknown>): string[] {
  const defs = schema.$defs;
  return ['#', ...(typeof defs === 'object' && defs !== null && !Array.isArray(defs) ? Object.keys(defs).map((k) => `#/$defs/${k}`) : [])];
}

interface CompiledSet {
  /** The set's ajv, made on first need: a set of shipped contracts may never need one. */
  ajv(): Ajv2020;
  cache: Map<string, ValidateFunction>;
  failures: Map<string, string>;
}

const COMPILED = new Map<string, CompiledSet>();
const COMPILED_MAX = 16;

function compiledSet(candidates: readonly ContractDoc[]): CompiledSet {
  const key = digestOf(candidates.map((c) => [c.id, c.schema]));
  const hit = COMPILED.get(key);
  if (hit) return hit;
  const cache = new Map<string, ValidateFunction>();
  const failures = new Map<string, string>();
  const precompiled = new Set<string>();
  for (const c of candidates) {
    const pre = PRECOMPILED[precompiledKey(c.id, c.schema)];
    if (!pre) continue;
    precompiled.add(c.id);
    for (const [pointer, fn] of Object.entries(pre)) cache.set(`${c.id}${pointer}`, fn);
  }
  // In file order, as ajv resolves a $ref only to a schema added before it. A shipped
  // schema was checked and compiled by the build (it has no $ref outside itself): added, not compiled.
  let made: Ajv2020 | undefined;
  const ajv = (): Ajv2020 => {
    if (made) return made;
    made = newAjv();
    for (const c of candidates) {
      if (precompiled.has(c.id)) {
        made.addSchema({ ...c.schema, $id: schemaUri(c.id) });
        continue;
      }
      try {
        checkSchema(made, c.schema);
        made.addSchema({ ...c.schema, $id: schemaUri(c.id) });
        cache.set(`${c.id}#`, made.getSchema(schemaUri(c.id))!);
      } catch (err) {
        made.removeSchema(schemaUri(c.id));
        failures.set(c.id, (err as Error).message);
      }
    }
    return made;
  };
  // Every schema the build did not compile is compiled now, so a bad one is reported at its file.
  if (precompiled.size < candidates.length) ajv();
  const set = { ajv, cache, failures };
  // Bounded: drop the oldest set (Map iteration order is insertion order).
  if (COMPILED.size >= COMPILED_MAX) COMPILED.delete(COMPILED.keys().next().value!);
  COMPILED.set(key, set);
  return set;
}

function at(file: string, p: ParsedYaml, path: PathSeg[]): { file: string; line: number; col: number; path: string } {
  return { file, ...positionOf(p, path), path: path.join('.') };
}

function loadOne(file: string, text: string, diagnostics: Diagnostic[]): ContractDoc | undefined {
  const read = parseYaml(text, { file, code: 'contract_parse_error', maxAliasCount: 100 });
  if (!read.ok) {
    diagnostics.push(...read.diagnostics);
    return undefined;
  }
  const parsed = read.value;
  const raw = parsed.data;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    diagnostics.push(diag('contract_invalid', 'a contract file must be a mapping with contract, version and schema', { file, line: 1, col: 1 }));
    return undefined;
  }
  const o = raw as Record<string, unknown>;
  const before = diagnostics.length;
  const id = typeof o.contract === 'string' ? o.contract : undefined;
  const idMatch = id ? ID_RE.exec(id) : null;
  if (!id || !idMatch) {
    diagnostics.push(diag('contract_invalid', `'contract' must be an id like contract.<name>.v<major>, got ${JSON.stringify(o.contract ?? null)}`, at(file, parsed, ['contract'])));
  }
  const version = typeof o.version === 'string' ? parseVersion(o.version) : undefined;
  if (!version) {
    diagnostics.push(diag('contract_invalid', `'version' must be a semantic version string like 1.0.0, got ${JSON.stringify(o.version ?? null)}`, at(file, parsed, ['version'])));
  }
  if (idMatch && version && Number(idMatch[2]) !== version.major) {
    diagnostics.push(
      diag('contract_version_mismatch', `contract id ${id} says major version ${idMatch[2]} but version is ${version.raw}; a major bump renames the contract (…v${version.major})`, at(file, parsed, ['version'])),
    );
  }
  const consumers = o.consumers ?? [];
  if (!Array.isArray(consumers) || consumers.some((c) => typeof c !== 'string')) {
    diagnostics.push(diag('contract_invalid', `'consumers' must be a list of repository paths`, at(file, parsed, ['consumers'])));
  }
  const schema = o.schema;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    diagnostics.push(diag('contract_invalid', `'schema' must be a JSON Schema object`, at(file, parsed, ['schema'])));
  }
  if (diagnostics.length > before) return undefined;
  const doc: ContractDoc = {
    id: id!,
    family: idMatch![1]!,
    version: version!,
    file,
    consumers: consumers as string[],
    schema: schema as Record<string, unknown>,
    locate: (path) => positionOf(parsed, path),
  };
  if (typeof o.owner === 'string') doc.owner = o.owner;
  if (typeof o.description === 'string') doc.description = o.description;
  return doc;
}

function loadRequirements(text: string, diagnostics: Diagnostic[]): Map<string, Requirement[]> {
  const file = REQUIREMENTS_FILE;
  const out = new Map<string, Requirement[]>();
  const read = parseYaml(text, { file, code: 'contract_requirements_invalid', maxAliasCount: 100 });
  if (!read.ok) {
    diagnostics.push(...read.diagnostics);
    return out;
  }
  const parsed = read.value;
  const raw = parsed.data as { requirements?: unknown } | null;
  const reqs = raw?.requirements;
  if (typeof reqs !== 'object' || reqs === null || Array.isArray(reqs)) {
    diagnostics.push(diag('contract_requirements_invalid', `'requirements' must map intent types to {contract id: version range}`, at(file, parsed, ['requirements'])));
    return out;
  }
  for (const [intentType, entries] of Object.entries(reqs as Record<string, unknown>)) {
    const list: Requirement[] = [];
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
      diagnostics.push(diag('contract_requirements_invalid', `requirements for intent type ${intentType} must map contract ids to version ranges`, at(file, parsed, ['requirements', intentType])));
      continue;
    }
    for (const [contract, rangeText] of Object.entries(entries as Record<string, unknown>)) {
      const where = at(file, parsed, ['requirements', intentType, contract]);
      if (!ID_RE.test(contract)) {
        diagnostics.push(diag('contract_requirements_invalid', `'${contract}' is not a contract id (contract.<name>.v<major>)`, where));
        continue;
      }
      const range = typeof rangeText === 'string' ? parseRange(rangeText) : undefined;
      if (!range || !range.ok) {
        const why = range && !range.ok ? range.diagnostics[0]!.message : `expected a version range string, got ${JSON.stringify(rangeText)}`;
        diagnostics.push(diag('invalid_version_range', `${contract} for ${intentType}: ${why}`, where));
        continue;
      }
      list.push({ intentType, contract, range: range.value, line: where.line, col: where.col });
    }
    out.set(intentType, list);
  }
  return out;
}

export function loadContracts(readFile: ReadFile, listFiles: ListFiles): LoadedContracts {
  const diagnostics: Diagnostic[] = [];
  const contracts = new Map<string, ContractDoc>();
  const files = listFiles(CONTRACTS_DIR)
    .map((f) => (f.startsWith(CONTRACTS_DIR + '/') ? f : `${CONTRACTS_DIR}/${f}`))
    .filter((f) => /\.(ya?ml|json)$/.test(f) && f !== REQUIREMENTS_FILE)
    .sort();
  const candidates: ContractDoc[] = [];
  for (const file of files) {
    const text = readFile(file);
    if (text === undefined) continue;
    const c = loadOne(file, text, diagnostics);
    if (!c) continue;
    const dup = candidates.find((x) => x.id === c.id);
    if (dup) {
      diagnostics.push(diag('contract_duplicate', `contract ${c.id} is also defined in ${dup.file}`, { file, ...c.locate(['contract']), path: 'contract' }));
      continue;
    }
    candidates.push(c);
  }
  // One ajv per distinct set of schemas (base and head may share ids with
  // different schemas), reused when the same set is loaded again: compiling
  // is the expensive part, and a check loads the same contracts at base and
  // head, run after run. Each schema is compiled once, so a bad one is
  // reported at its own file and left out of the set.
  const { ajv, cache, failures } = compiledSet(candidates);
  for (const c of candidates) {
    const failure = failures.get(c.id);
    if (failure !== undefined) {
      diagnostics.push(diag('contract_schema_invalid', `schema does not compile: ${failure}`, { file: c.file, ...c.locate(['schema']), path: 'schema' }));
      continue;
    }
    contracts.set(c.id, c);
  }
  const reqText = readFile(REQUIREMENTS_FILE);
  const requirements = reqText === undefined ? new Map<string, Requirement[]>() : loadRequirements(reqText, diagnostics);

  const validator = (contractId: string, pointer = '#'): ValidateFunction | undefined => {
    if (!contracts.has(contractId)) return undefined;
    const key = `${contractId}${pointer}`;
    let fn = cache.get(key);
    if (!fn) {
      fn = pointer === '#' ? ajv().getSchema(schemaUri(contractId)) : ajv().compile({ $ref: schemaUri(contractId) + pointer });
      if (!fn) return undefined;
      cache.set(key, fn);
    }
    return fn;
  };
  diagnostics.sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0));
  return { contracts, requirements, diagnostics, validator };
}

/** Convenience for callers holding files in memory (tests, the working tree). */
export function loadContractsFromMap(files: Record<string, string>): LoadedContracts {
  return loadContracts(
    (p) => files[p],
    (dir) => Object.keys(files).filter((p) => p.startsWith(dir + '/')),
  );
}

/** The contract set as at a tree (a commit, or the working directory). */
export async function loadContractsFromTree(tree: Tree): Promise<LoadedContracts> {
  const files = (await tree.list([CONTRACTS_DIR])).filter((f) => /\.(ya?ml|json)$/.test(f));
  const blobs = await tree.read(files);
  const text = new Map([...blobs].map(([k, v]) => [k, decodeRepoText(v, k)]));
  return loadContracts(
    (p) => text.get(p),
    () => files,
  );
}
