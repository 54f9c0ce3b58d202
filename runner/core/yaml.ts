/**
 * YAML documents with source positions (eemeli/yaml, which also parses JSON,
 * so a JSON file gets lines too): every loader that reports a problem at
 * file:line:col reads its file through here.
 */
import { parsedOnce } from './parsed.ts';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
import { diag, fail, ok, type Diagnostic, type Location, type Result } from './diagnostics.ts';

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

export interface ParseOptions {
  /** Repository-relative path, put on every diagnostic. */
  file: string;
  /**
   * Code for every YAML problem (message: the parser's first line). Without it
   * each problem gets its own yaml_* code (yaml_syntax_error, yaml_duplicate_key, …).
   */
  code?: string;
  /** What the file holds, for messages: 'intent' → "a file holds one intent", "not allowed in intents". */
  noun?: string;
  /** Cap on nodes an alias may expand to (billion-laughs); default MAX_ALIAS_COUNT. */
  maxAliasCount?: number;
  /** Refuse explicit tags (`!foo`, `!!binary`, even `!!str`): the file is plain data. */
  noTags?: boolean;
  /** Parse as YAML 1.2 and refuse a `%YAML 1.1` directive (1:20 = 80, 012 octal, yes = true). */
  yaml12Only?: boolean;
}

export interface YamlDocument extends ParsedYaml {
  /** The document as plain data (aliases expanded within the limit). */
  data: unknown;
  locate(path: readonly PathSeg[]): Position;
}

/** Aliases are legal YAML, but each one may expand a whole subtree: cap them. */
export const MAX_ALIAS_COUNT = 50;

/**
 * The one way a file is read as YAML: never throws for bad input. Syntax
 * errors, duplicate keys, a second document, alias bombs and (optionally)
 * tags and YAML 1.1 directives are diagnostics at file:line:col.
 */
export function parseYaml(text: string, opts: ParseOptions): Result<YamlDocument> {
  const { file, code, noun } = opts;
  const maxAliasCount = opts.maxAliasCount ?? MAX_ALIAS_COUNT;
  const parsed = parsedOnce(text, opts.yaml12Only);
  const { doc, lc } = parsed;
  const at = (offset: number | undefined) => {
    const { line, col } = lc.linePos(offset ?? 0);
    return { file, line, col };
  };
  const top = { file, line: 1, col: 1 };
  const plural = noun ? `${noun}s` : 'these files';

  const yamlErrors: Diagnostic[] = doc.errors.map((e) => {
    const p = at(e.pos[0]);
    if (code) return diag(code, e.message.split('\n')[0]!, p);
    switch (e.code) {
      case 'DUPLICATE_KEY':
        return diag('yaml_duplicate_key', `duplicate key: ${e.message.replace(/^Map keys must be unique.*$/, 'a key appears twice in the same mapping')}`, p);
      case 'MULTIPLE_DOCS':
        return diag('yaml_multiple_documents', `a file holds one ${noun ?? 'YAML document'}: found a second YAML document (---)`, p);
      default:
        return diag('yaml_syntax_error', `${e.message.split('\n')[0]} (${e.code})`, p);
    }
  });
  if (yamlErrors.length) return fail(yamlErrors);
  // A `%YAML 1.1` directive would switch the parser to 1.1: the value judged and
  // applied would not be the text a reviewer reads.
  const yamlVersion = doc.directives?.yaml;
  if (opts.yaml12Only && yamlVersion?.explicit && yamlVersion.version !== '1.2') {
    return fail(diag(code ?? 'yaml_version_not_supported', `${plural} are YAML 1.2; remove the %YAML ${yamlVersion.version} directive (YAML 1.1 reads 1:20 as 80, 012 as octal, yes as true)`, top));
  }

  const tagErrors: Diagnostic[] = [];
  let anchors = 0;
  // Tags start with `!` and anchors with `&`: without either there is nothing to look for (saves a tree walk).
  if (opts.noTags && (text.includes('!') || text.includes('&'))) {
    visit(doc, {
      Node(_, node) {
        if ((isScalar(node) || isMap(node) || isSeq(node)) && node.tag) {
          tagErrors.push(diag(code ?? 'yaml_custom_tag', `YAML tag '${node.tag}' is not allowed in ${plural}; write the value plainly`, at(node.range?.[0])));
        }
        if (!isAlias(node) && (node as { anchor?: string }).anchor) anchors++;
      },
    });
  }
  if (tagErrors.length) return fail(tagErrors);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (!/alias/i.test(msg)) return fail(diag(code ?? 'yaml_syntax_error', msg, top));
    let aliasPos: Location = top;
    if (!opts.noTags) {
      anchors = 0;
      visit(doc, {
        Node(_, node) {
          if (!isAlias(node) && (node as { anchor?: string }).anchor) anchors++;
        },
      });
    }
    visit(doc, {
      Alias(_, node) {
        aliasPos = at(node.range?.[0]);
        return visit.BREAK;
      },
    });
    return fail(diag(code ?? 'yaml_alias_limit', `YAML aliases expand to too many nodes (limit ${maxAliasCount} per anchor; ${anchors} anchors): refusing a possible alias bomb`, aliasPos));
  }
  return ok({ doc, lc, data, locate: (path) => positionOf(parsed, path) });
}
