/**
 * Parse once per run: the same YAML text read by several stages — a contract
 * at the PR's base and at its head, the agent registry for the run context
 * and for the agents stage — shares one parse, keyed by the text itself (and
 * the YAML version asked for). core/yaml.ts's parseYaml reads through it, so
 * every loader shares it; callers read the document (toJS, positions) and
 * never change it. Bounded: the oldest entry goes first.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { ParsedYaml } from './yaml.ts';

const PARSED = new Map<string, ParsedYaml>();
const PARSED_MAX = 64;
/** Larger texts (an intent-heavy folder is never re-read) are parsed without caching. */
const CACHED_MAX_CHARS = 256 << 10;

let parses = 0;

export function parsedOnce(text: string, yaml12Only = false): ParsedYaml {
  const key = `${yaml12Only ? '1.2' : '*'}\0${text}`;
  const hit = PARSED.get(key);
  if (hit) return hit;
  parses++;
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, strict: true, ...(yaml12Only ? { version: '1.2' as const } : {}) });
  const parsed: ParsedYaml = { doc, lc };
  if (text.length <= CACHED_MAX_CHARS) {
    if (PARSED.size >= PARSED_MAX) PARSED.delete(PARSED.keys().next().value!);
    PARSED.set(key, parsed);
  }
  return parsed;
}

/** Parses so far (not cache hits): for the tests. */
export function parseCount(): number {
  return parses;
}
