import { describe, expect, it } from 'vitest';
import type { ErrorObject } from 'ajv';
import { fieldPath, MAX_ALIAS_COUNT, parseWithPositions, parseYaml, positionOf } from '../../runner/core/yaml.ts';
import { pointerPath, schemaErrorPath, shownPath } from '../../runner/core/schema-errors.ts';

const codes = (r: ReturnType<typeof parseYaml>) => (r.ok ? [] : r.diagnostics.map((d) => [d.code, d.line, d.col]));

describe('parseYaml', () => {
  it('returns data and positions: a map entry points at its key, a list item at the item', () => {
    const r = parseYaml('a:\n  b: 1\n  list:\n    - x\n    - y\n', { file: 'f.yaml' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.data).toEqual({ a: { b: 1, list: ['x', 'y'] } });
    expect(r.value.locate(['a', 'b'])).toEqual({ line: 2, col: 3 });
    expect(r.value.locate(['a', 'list', 1])).toEqual({ line: 5, col: 7 });
    // A path that stops existing points at the deepest part that does.
    expect(r.value.locate(['a', 'missing', 'x'])).toEqual({ line: 1, col: 1 });
    expect(positionOf(parseWithPositions('k: v\n'), ['k'])).toEqual({ line: 1, col: 1 });
  });

  it('reads JSON too, with lines', () => {
    const r = parseYaml('{\n  "a": [1, 2]\n}\n', { file: 'f.json' });
    expect(r.ok && r.value.data).toEqual({ a: [1, 2] });
    expect(r.ok && r.value.locate(['a'])).toEqual({ line: 2, col: 3 });
  });

  it('a syntax error is a diagnostic at file:line:col, not an exception', () => {
    const r = parseYaml('a: [1, 2\nb: 3\n', { file: 'f.yaml' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics[0]).toMatchObject({ code: 'yaml_syntax_error', file: 'f.yaml' });
    expect(r.diagnostics[0]!.line).toBeGreaterThan(0);
  });

  it('with `code`, every YAML problem carries that code and the parser message', () => {
    const r = parseYaml('a: 1\na: 2\n', { file: 'c.yaml', code: 'contract_parse_error' });
    expect(codes(r)).toEqual([['contract_parse_error', 2, 1]]);
  });

  it('duplicate keys are refused', () => {
    expect(codes(parseYaml('a: 1\nb: 2\na: 3\n', { file: 'f.yaml' }))).toEqual([['yaml_duplicate_key', 3, 1]]);
  });

  it('a second document is refused, in the words of the noun', () => {
    const r = parseYaml('a: 1\n---\nb: 2\n', { file: 'x.yaml', noun: 'intent' });
    expect(r.ok ? [] : r.diagnostics.map((d) => [d.code, d.message])).toEqual([['yaml_multiple_documents', 'a file holds one intent: found a second YAML document (---)']]);
  });

  it('an alias bomb is refused at the first alias', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]', ''].join('\n');
    const r = parseYaml(bomb, { file: 'bomb.yaml' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: 'yaml_alias_limit', file: 'bomb.yaml', line: 2, col: 8 });
    expect(r.diagnostics[0]!.message).toContain(`limit ${MAX_ALIAS_COUNT} per anchor; 3 anchors`);
    // A few aliases are fine.
    expect(parseYaml('a: &a {x: 1}\nb: *a\n', { file: 'ok.yaml' }).ok).toBe(true);
  });

  it('tags are refused only with noTags', () => {
    const text = 'a: !!binary aGVsbG8=\nb: !custom 1\n';
    expect(codes(parseYaml(text, { file: 't.yaml', noTags: true, noun: 'intent' }))).toEqual([
      ['yaml_custom_tag', 1, 13],
      ['yaml_custom_tag', 2, 12],
    ]);
    const r = parseYaml(text, { file: 't.yaml', noTags: true, noun: 'intent' });
    expect(!r.ok && r.diagnostics[0]!.message).toBe("YAML tag 'tag:yaml.org,2002:binary' is not allowed in intents; write the value plainly");
    expect(parseYaml('a: !!str 1\n', { file: 't.yaml' }).ok).toBe(true);
  });

  it('yaml12Only refuses a %YAML 1.1 directive (1:20 would read as 80)', () => {
    const text = '%YAML 1.1\n---\na: 1:20\n';
    expect(codes(parseYaml(text, { file: 'v.yaml', yaml12Only: true }))).toEqual([['yaml_version_not_supported', 1, 1]]);
    const r = parseYaml('a: 1:20\nb: yes\n', { file: 'v.yaml', yaml12Only: true });
    expect(r.ok && r.value.data).toEqual({ a: '1:20', b: 'yes' });
  });
});

describe('fieldPath', () => {
  it('prints keys with dots and indices in brackets', () => {
    expect(fieldPath(['intent', 'constraints', 'region', 0])).toBe('intent.constraints.region[0]');
    expect(fieldPath([0, 'a'])).toBe('[0].a');
    expect(fieldPath([])).toBe('(document)');
  });
});

describe('schema errors', () => {
  const err = (e: Partial<ErrorObject>): ErrorObject => ({ keyword: 'type', instancePath: '', schemaPath: '#', params: {}, ...e }) as ErrorObject;

  it('a JSON pointer becomes a path (escapes undone, indices numbers)', () => {
    expect(pointerPath('')).toEqual([]);
    expect(pointerPath('/agents/0/a~1b~0c')).toEqual(['agents', 0, 'a/b~c']);
  });

  it('an unknown or badly named key is reported at the key, anything else at the value', () => {
    expect(schemaErrorPath(err({ keyword: 'additionalProperties', instancePath: '/intent', params: { additionalProperty: 'extra' } }))).toEqual({ path: ['intent'], at: ['intent', 'extra'], key: 'extra' });
    expect(schemaErrorPath(err({ keyword: 'propertyNames', instancePath: '/permissions', params: { propertyName: 'Bad' } }))).toEqual({ path: ['permissions'], at: ['permissions', 'Bad'], key: 'Bad' });
    expect(schemaErrorPath(err({ keyword: 'type', instancePath: '/agents/1/id' }))).toEqual({ path: ['agents', 1, 'id'], at: ['agents', 1, 'id'] });
  });

  it('paths print with fieldPath, the document with the caller\'s word', () => {
    expect(shownPath(['agents', 1, 'id'], '(root)')).toBe('agents[1].id');
    expect(shownPath([], '(root)')).toBe('(root)');
  });
});
