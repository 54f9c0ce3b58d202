/**
 * Malformed intent files, as data: each must be rejected with its code at its
 * line, never a crash. Used by the loader's unit test and by the end-to-end
 * check test (exit 1 with file:line, no stack trace).
 */
import { SEED_INTENT, intentWith, lineOf } from '../check/helpers.ts';

export interface MalformedCase {
  name: string;
  /** Repository-relative path; defaults to intents/<id>.yaml for the case's id. */
  file: string;
  content: string | Uint8Array;
  code: string;
  line: number;
  /** Needs other intents in the repository (checked end to end only). */
  e2eOnly?: boolean;
  /** The message must say this (e.g. name `.nan` as such, not as `null`). */
  message?: RegExp;
}

const f = (id: string) => `intents/${id}.yaml`;

function c(name: string, id: string, content: string, code: string, needle: string | number): MalformedCase {
  return { name, file: f(id), content, code, line: typeof needle === 'number' ? needle : lineOf(content, needle) };
}

const big = intentWith('BIG-001', {}, `# ${'x'.repeat(70 * 1024)}\n`);
const latin1 = (() => {
  const t = new TextEncoder().encode(intentWith('LATIN-001', { "description: '部署高可用性 Web 服務，保證 99.9% 可用性'": "description: 'caf__'" }));
  const i = t.indexOf('_'.charCodeAt(0));
  t[i] = 0xe9; // é in Latin-1: not valid UTF-8
  t[i + 1] = 0x20;
  return t;
})();
const utf16 = (() => {
  const s = intentWith('UTF16-001');
  const out = new Uint8Array(2 + s.length * 2);
  out[0] = 0xff;
  out[1] = 0xfe;
  for (let i = 0; i < s.length; i++) out[2 + 2 * i] = s.charCodeAt(i) & 0xff;
  return out;
})();

/** The seed with `bytes` spliced into the description (line 5): ill-formed UTF-8 a lenient decoder turns into U+FFFD. */
function badUtf8(id: string, bytes: number[]): Uint8Array {
  const t = new TextEncoder().encode(intentWith(id));
  const i = t.indexOf(0xe9); // first byte of 部
  return new Uint8Array([...t.subarray(0, i), ...bytes, ...t.subarray(i)]);
}

const aliasBomb = `intent:
  id: 'BOMB-001'
  type: deployment
  description: &a "lol"
  requirements:
    scalability: {min_instances: 3, max_instances: 10}
  constraints:
    budget: '$500/month'
    region: [us-west]
x1: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
x2: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
x3: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
x4: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
`;

export const MALFORMED: MalformedCase[] = [
  c('unknown field', 'UNKNOWN-001', intentWith('UNKNOWN-001', {}, '  colour: blue\n'), 'intent_schema_error', 'colour:'),
  c('unknown top-level field', 'TOPLEVEL-001', intentWith('TOPLEVEL-001', {}, 'extra: 1\n'), 'intent_schema_error', 'extra:'),
  c('wrong type: quoted integer', 'TYPE-001', intentWith('TYPE-001', { 'min_instances: 3': "min_instances: '3'" }), 'intent_schema_error', 'min_instances'),
  c('wrong type: bare number quantity', 'TYPE-002', intentWith('TYPE-002', { "availability: '99.9%'": 'availability: 99.9' }), 'intent_schema_error', 'availability'),
  c('wrong type: region not a list', 'TYPE-003', intentWith('TYPE-003', { "region: ['us-west', 'us-east']": 'region: us-west' }), 'intent_schema_error', 'region:'),
  c('wrong type: document is a list', 'LIST-001', '- intent: 1\n', 'intent_schema_error', 1),
  c('missing required field', 'MISSING-001', intentWith('MISSING-001', { "  constraints:\n    budget: '$500/month'\n    region: ['us-west', 'us-east']\n": '' }), 'intent_schema_error', 'intent:'),
  c('unknown intent type', 'TYPE-004', intentWith('TYPE-004', { "type: 'deployment'": "type: 'database'" }), 'intent_schema_error', 'type:'),
  c('out of range: zero instances', 'RANGE-001', intentWith('RANGE-001', { 'min_instances: 3': 'min_instances: 0' }), 'intent_schema_error', 'min_instances'),
  c('empty region list', 'RANGE-002', intentWith('RANGE-002', { "region: ['us-west', 'us-east']": 'region: []' }), 'intent_schema_error', 'region:'),
  c('duplicate key', 'DUP-001', intentWith('DUP-001', {}, "    budget: '$900/month'\n"), 'yaml_duplicate_key', "budget: '$900/month'"),
  { ...c('unsafe id (path traversal)', 'SAFE-001', intentWith('SAFE-001', { "id: 'SAFE-001'": "id: '../../etc/passwd'" }), 'intent_schema_error', 'id:') },
  c('unsafe id (lower case, spaces)', 'SAFE-002', intentWith('SAFE-002', { "id: 'SAFE-002'": "id: 'my web app'" }), 'intent_schema_error', 'id:'),
  c('id does not match the file name', 'NAME-001', intentWith('OTHER-001'), 'intent_id_mismatch', 'id:'),
  c('alias bomb', 'BOMB-001', aliasBomb, 'yaml_alias_limit', 'x1:'),
  c('custom tag', 'TAG-001', intentWith('TAG-001', { "budget: '$500/month'": "budget: !env BUDGET" }), 'yaml_custom_tag', 'budget:'),
  c('standard-but-explicit tag', 'TAG-002', intentWith('TAG-002', { 'min_instances: 3': 'min_instances: !!binary aGVsbG8=' }), 'yaml_custom_tag', 'min_instances'),
  { name: 'not UTF-8 (Latin-1 byte)', file: f('LATIN-001'), content: latin1, code: 'intent_not_utf8', line: 5 },
  { name: 'UTF-16 file', file: f('UTF16-001'), content: utf16, code: 'intent_not_utf8', line: 1 },
  { name: 'NUL byte', file: f('NUL-001'), content: intentWith('NUL-001', { "type: 'deployment'": "type: 'deploy\u0000ment'" }), code: 'intent_binary', line: 4 },
  { name: 'UTF-8-encoded surrogate (ED A0 80)', file: f('SURR-001'), content: badUtf8('SURR-001', [0xed, 0xa0, 0x80]), code: 'intent_not_utf8', line: 5, message: /0xed/ },
  { name: 'overlong UTF-8 (E0 80 AF)', file: f('OVERLONG-001'), content: badUtf8('OVERLONG-001', [0xe0, 0x80, 0xaf]), code: 'intent_not_utf8', line: 5, message: /0xe0/ },
  { name: 'UTF-8 above U+10FFFF (F4 90 80 80)', file: f('BEYOND-001'), content: badUtf8('BEYOND-001', [0xf4, 0x90, 0x80, 0x80]), code: 'intent_not_utf8', line: 5, message: /0xf4/ },
  c('empty file', 'EMPTY-001', '', 'intent_empty', 1),
  c('only comments', 'EMPTY-002', '# nothing here yet\n\n', 'intent_empty', 1),
  c('file over the size limit', 'BIG-001', big, 'intent_too_large', 1),
  c('YAML syntax error (bad indentation)', 'SYNTAX-001', intentWith('SYNTAX-001', { 'min_instances: 3': 'min_instances: 3\n   bad_indent: 4' }), 'yaml_syntax_error', 'bad_indent'),
  c('two YAML documents', 'MULTI-001', intentWith('MULTI-001', {}, '---\nintent: {}\n'), 'yaml_multiple_documents', '---'),
  c('unknown unit', 'UNIT-001', intentWith('UNIT-001', { "latency_p95: '<100ms'": "latency_p95: '<100 parsecs'" }), 'intent_bad_quantity', 'latency_p95'),
  { ...c('latency bound below zero', 'NEGLAT-001', intentWith('NEGLAT-001', { "latency_p95: '<100ms'": "latency_p95: '<0ms'" }), 'intent_bad_quantity', 'latency_p95'), message: /can never be met/ },
  { ...c('YAML .nan as an instance count', 'NAN-001', intentWith('NAN-001', { 'min_instances: 3': 'min_instances: .nan' }), 'intent_schema_error', 'min_instances'), message: /not \.nan \(not a number\)/ },
  { ...c('YAML .inf as an instance count', 'INF-001', intentWith('INF-001', { 'max_instances: 10': 'max_instances: .inf' }), 'intent_schema_error', 'max_instances'), message: /not \.inf \(infinity\)/ },
  { ...c('YAML -.inf as a quantity', 'INF-002', intentWith('INF-002', { "availability: '99.9%'": 'availability: -.inf' }), 'intent_schema_error', 'availability'), message: /not -\.inf \(infinity\)/ },
  c('budget without currency', 'UNIT-002', intentWith('UNIT-002', { "budget: '$500/month'": "budget: '500/month'" }), 'intent_bad_quantity', 'budget:'),
  c(
    'bad self-healing trigger',
    'TRIG-001',
    intentWith('TRIG-001', {}, "  self_healing:\n    triggers:\n      - condition: 'moon_phase > 3%'\n        action: restart_service\n"),
    'intent_bad_trigger',
    'moon_phase',
  ),
  c('region unknown to the translator', 'REGION-001', intentWith('REGION-001', { "region: ['us-west', 'us-east']": "region: ['xx-north']" }), 'translate_unknown_region', 'region:'),
  { name: '.yml extension', file: 'intents/YML-001.yml', content: intentWith('YML-001'), code: 'intent_bad_file_name', line: 1 },
  { name: 'same id in two files', file: 'intents/team-b/DEPLOY-WEB-001.yaml', content: SEED_INTENT, code: 'intent_duplicate_id', line: 3, e2eOnly: true },
];
