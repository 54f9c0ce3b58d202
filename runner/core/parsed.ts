/**
 * Parse once per run: the same YAML text read by several stages — a contract
 * at the PR's base and at its head, the agent registry for the run context
 * and for the agents stage — shares one parse (core/yaml.ts), keyed by the
 * text itself. Callers read the parse (toJS, positions) and never change it.
 * Bounded: the oldest entry goes first.
 */
import { parseWithPositions, type ParsedYaml } from './yaml.ts';

const PARSED = new Map<string, ParsedYaml>();
const PARSED_MAX = 64;
/** Larger texts (an intent-heavy folder is never re-read) are parsed without caching. */
const CACHED_MAX_CHARS = 256 << 10;

let parses = 0;

export function parsedOnce(text: string): ParsedYaml {
  const hit = PARSED.get(text);
  if (hit) return hit;
  parses++;
  const parsed = parseWithPositions(text);
  if (text.length <= CACHED_MAX_CHARS) {
    if (PARSED.size >= PARSED_MAX) PARSED.delete(PARSED.keys().next().value!);
    PARSED.set(text, parsed);
  }
  return parsed;
}

/** Parses so far (not cache hits): for the tests. */
export function parseCount(): number {
  return parses;
}
