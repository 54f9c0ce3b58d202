/**
 * Loading one intent file: bytes → UTF-8 text → YAML document (positions
 * kept) → JSON Schema → quantities and trigger conditions → IntentDoc.
 *
 * Every problem is a Diagnostic with file, line, column and field path, in
 * plain words. Nothing here throws for bad input: hostile files (alias bombs,
 * custom tags, huge or binary files) are data, and become errors.
 */
import { diag, fail, ok, type Diagnostic, type Result } from '../core/diagnostics.ts';
import { sha256 } from '../core/hash.ts';
import { decodeUtf8, lineColOfByte, stripBom } from '../core/text.ts';
import { parseQuantity, parseTriggerCondition, unsatisfiable, QUANTITY_FIELDS } from '../model/quantity.ts';
import { validateSchema } from './schema.ts';
import { fieldPath, parseYaml, MAX_ALIAS_COUNT, type Position } from '../core/yaml.ts';
import { INTENT_EXT, MAX_INTENT_BYTES, idFromPath } from './paths.ts';
import type { IntentDoc, IntentFile, QuantityTree, YamlPath } from '../model/intent.ts';

type Pos = Position;

function setIn(tree: QuantityTree, path: readonly string[], value: QuantityTree[string]): void {
  let t = tree;
  for (const p of path.slice(0, -1)) t = (t[p] ??= {}) as QuantityTree;
  t[path[path.length - 1]!] = value;
}

function getIn(obj: unknown, path: YamlPath): unknown {
  let v = obj;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[String(p)];
  }
  return v;
}

/**
 * Load one intent. `file` is the repository-relative path (used in every
 * diagnostic and checked against the id); `bytes` the file content.
 */
export function loadIntent(file: string, bytes: Uint8Array | string): Result<IntentDoc> {
  const raw = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const where = (p: Pos, path?: YamlPath) => ({ file, line: p.line, col: p.col, ...(path ? { path: fieldPath(path) } : {}) });
  const top = { file, line: 1, col: 1 };

  // A control character in a name (a newline, ESC) is never meant, and would garble every report line naming the file.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(file)) {
    return fail(diag('intent_bad_file_name', 'the file name contains a control character (newline, tab, escape, …); rename the file', top));
  }
  if (!file.endsWith(INTENT_EXT)) {
    return fail(diag('intent_bad_file_name', `intent files end in ${INTENT_EXT} (rename ${file})`, top));
  }
  if (raw.length > MAX_INTENT_BYTES) {
    return fail(diag('intent_too_large', `file is ${raw.length} bytes; intents are limited to ${MAX_INTENT_BYTES} bytes`, top));
  }
  // Strict: surrogates, overlong forms and code points above U+10FFFF are errors, not U+FFFD (a UTF-8 BOM is dropped).
  const decoded = decodeUtf8(raw, file, 'intent_not_utf8');
  if (!decoded.ok) return decoded;
  const text = decoded.value;
  const body = stripBom(raw);
  const nul = body.indexOf(0);
  if (nul >= 0) return fail(diag('intent_binary', 'file contains a NUL byte; intents are YAML text', { file, ...lineColOfByte(body, nul) }));

  const parsed = parseYaml(text, { file, noun: 'intent', maxAliasCount: MAX_ALIAS_COUNT, noTags: true, yaml12Only: true });
  if (!parsed.ok) return parsed;
  const { data, locate } = parsed.value;
  if (data === null || data === undefined) {
    return fail(diag('intent_empty', 'file is empty (or only comments); it must hold one `intent:` mapping', top));
  }

  const schemaErrors = validateSchema(data).map((e) => diag('intent_schema_error', e.message, where(locate(e.path), e.path)));
  if (schemaErrors.length) return fail(sortByLine(schemaErrors));

  const intentFile = data as IntentFile;
  const intent = intentFile.intent;
  const problems: Diagnostic[] = [];

  const expectedId = idFromPath(file);
  if (intent.id !== expectedId) {
    const p = ['intent', 'id'];
    problems.push(diag('intent_id_mismatch', `id '${intent.id}' does not match the file name: this file must be named ${intent.id}${INTENT_EXT} (one intent per file, named after its id)`, where(locate(p), p)));
  }

  const quantities: QuantityTree = {};
  for (const f of QUANTITY_FIELDS) {
    const v = getIn(intent, f.path);
    if (v === undefined) continue;
    const path = ['intent', ...f.path];
    const q = parseQuantity(String(v), f.kind);
    const never = q.ok ? unsatisfiable(q.quantity, f.kind) : undefined;
    if (q.ok && !never) setIn(quantities, f.path, q.quantity);
    else problems.push(diag('intent_bad_quantity', q.ok ? never! : q.message, where(locate(path), path)));
  }
  (intent.self_healing?.triggers ?? []).forEach((t, i) => {
    const c = parseTriggerCondition(t.condition);
    if (!c.ok) {
      const path = ['intent', 'self_healing', 'triggers', i, 'condition'];
      problems.push(diag('intent_bad_trigger', c.message, where(locate(path), path)));
    }
  });
  if (problems.length) return fail(sortByLine(problems));

  return ok({ file, id: intent.id, type: intent.type, intent, quantities, digest: 'sha256:' + sha256(raw), locate });
}

function sortByLine(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}
