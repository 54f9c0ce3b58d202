/**
 * YAML documents with source positions (eemeli/yaml, which also parses JSON,
 * so a JSON file gets lines too): every loader that reports a problem at
 * file:line:col reads its file through here.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';

/** A step of a path into a document: a mapping key or a sequence index. */
export type PathSeg = string | number;
export interface Position {
  line: number;
  col: number;
}

export interface ParsedYaml {
  doc: Document.Parsed;
  lc: LineCounter;
}

export function parseWithPositions(text: string): ParsedYaml {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  return { doc, lc };
}

/** Position of `path` in the document; walks down as far as the path exists. */
export function positionOf(p: ParsedYaml, path: readonly PathSeg[]): Position {
  let node: unknown = p.doc.contents;
  let best: unknown = node;
  // For a map entry, point at its key (what an editor highlights for "field x").
  let bestKey: unknown;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(seg));
      if (!pair) break;
      bestKey = pair.key;
      node = pair.value;
      best = node;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg];
      bestKey = undefined;
      best = node;
    } else {
      break;
    }
  }
  const target = (bestKey ?? best) as YamlNode | undefined;
  const offset = target?.range?.[0] ?? 0;
  const { line, col } = p.lc.linePos(offset);
  return { line, col };
}

/** Human field path: intent.constraints.region[0]. */
export function fieldPath(path: readonly PathSeg[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s || '(document)';
}
