/**
 * The folders of runner/ import in one direction: down the layers of
 * docs/architecture.md. Read from the real import graph (scripts/import-graph.ts),
 * so a new import that runs up or sideways fails here with the file that makes it.
 */
import { describe, expect, it } from 'vitest';
import { folderCycles, folderGraph, folderOf, importEdges } from '../../scripts/import-graph.ts';

/** docs/architecture.md's table: a folder may import only folders of a lower layer. */
const LAYER: Record<string, number> = {
  generated: 0,
  core: 1,
  git: 2,
  rego: 2,
  model: 3,
  intent: 4,
  policyset: 4,
  audit: 4,
  translate: 5,
  policy: 5,
  agents: 5,
  contracts: 5,
  infra: 5,
  report: 5,
  github: 6,
  check: 7,
  apply: 7,
  init: 7,
  feedback: 8,
  cli: 9,
  action: 10,
  bin: 10,
};

/** The stages see only the model and the plumbing, never each other. */
const STAGES = new Set(['translate', 'policy', 'agents', 'contracts', 'infra', 'report']);
const STAGE_MAY_IMPORT = new Set(['generated', 'core', 'git', 'rego', 'model', 'policyset']);

const edges = importEdges();
const crossFolder = edges.filter((e) => folderOf(e.from) !== folderOf(e.to));
const show = (list: typeof edges): string[] => list.map((e) => `${e.from} → ${e.to}`);

describe('runner/ layers (docs/architecture.md)', () => {
  it('reads a real graph', () => {
    // Guards the test itself: an empty graph would make every rule below pass.
    expect(edges.length).toBeGreaterThan(300);
    expect(crossFolder.length).toBeGreaterThan(100);
  });

  it('places every folder of runner/ in a layer', () => {
    const folders = new Set(edges.flatMap((e) => [folderOf(e.from), folderOf(e.to)]));
    expect([...folders].filter((f) => !(f in LAYER) && !f.includes('.'))).toEqual([]);
  });

  it('has no cycle between folders', () => {
    expect(folderCycles(folderGraph(edges))).toEqual([]);
  });

  it('imports only downwards', () => {
    const up = crossFolder.filter((e) => {
      const a = LAYER[folderOf(e.from)];
      const b = LAYER[folderOf(e.to)];
      return a !== undefined && b !== undefined && b >= a;
    });
    expect(show(up)).toEqual([]);
  });

  it('keeps stages apart: a stage imports only model, core, generated, git, rego and policyset', () => {
    const sideways = crossFolder.filter((e) => STAGES.has(folderOf(e.from)) && !STAGE_MAY_IMPORT.has(folderOf(e.to)));
    expect(show(sideways)).toEqual([]);
  });

  it('lets nothing but the entry points import cli/', () => {
    const intoCli = crossFolder.filter((e) => folderOf(e.to) === 'cli' && !['action', 'bin'].includes(folderOf(e.from)));
    expect(show(intoCli)).toEqual([]);
  });
});
