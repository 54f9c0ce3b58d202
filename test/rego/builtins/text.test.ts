import { describe, it } from 'vitest';
import { expectRows, expectErrors, set } from './helpers.ts';

describe('regex (RE2 semantics)', () => {
  it('match, is_valid, split, replace, find', () => {
    expectRows([
      ['regex.match', ['^a+b$', 'aaab'], true],
      ['regex.match', ['b', 'abc'], true],
      ['regex.match', ['^\\p{Greek}+$', 'αβγ'], true],
      ['regex.is_valid', ['a(b'], false],
      ['regex.is_valid', ['(?<=a)b'], false],
      ['regex.is_valid', [1], false],
      ['regex.is_valid', ['[a-z]+'], true],
      ['regex.split', ['a', 'banana'], ['b', 'n', 'n', '']],
      ['regex.split', ['\\s*,\\s*', 'a , b,c'], ['a', 'b', 'c']],
      ['regex.split', ['x*', 'abc'], ['a', 'b', 'c']],
      ['regex.split', ['a', ''], ['']],
      ['regex.replace', ['-ab-axxb-', 'a(x*)b', '${1}W'], '-W-xxW-'],
      ['regex.replace', ['-ab-axxb-', 'a(x*)b', '$1W'], '---'],
      ['regex.replace', ['abc', '(?P<first>a)', '[$first]'], '[a]bc'],
      ['regex.replace', ['abc', 'z', 'y'], 'abc'],
      ['regex.find_n', ['a.', 'paranormal', -1], ['ar', 'an', 'al']],
      ['regex.find_n', ['a.', 'paranormal', 2], ['ar', 'an']],
      ['regex.find_all_string_submatch_n', ['a(x*)b(y)?', '-ab-axxby-', -1], [['ab', '', ''], ['axxby', 'xx', 'y']]],
      ['regex.template_match', ['urn:foo:{.*}', 'urn:foo:bar:baz', '{', '}'], true],
      ['regex.template_match', ['urn:foo.bar.com:{.*}', 'urn:foo.bar.com:bar:baz', '{', '}'], true],
      ['regex.template_match', ['urn:foo.bar.com:{.*}', 'urn:fooxbar.com:bar:baz', '{', '}'], false],
      ['regex.template_match', ['urn:foo:<[0-9]{2}>', 'urn:foo:42', '<', '>'], true],
    ]);
    expectErrors([
      ['regex.match', ['(', 'x'], 'eval_builtin_error', 'regex.match: error parsing regexp: missing closing ): `(`'],
      ['regex.match', [1, 'x'], 'eval_type_error', 'regex.match: operand 1 must be string but got number'],
    ]);
  });
});

describe('glob.match', () => {
  it('gobwas/glob semantics', () => {
    expectRows([
      ['glob.match', ['*.github.com', [], 'api.github.com'], true],
      // a literal `-` outside a class (it was an invalid regular expression: undefined for every hyphenated pattern)
      ['glob.match', ['us-west1-*', [], 'us-west1-a'], true],
      ['glob.match', ['//c.g.com/p/*/zones/us-west1-?/c/*', ['/'], '//c.g.com/p/s/zones/us-west1-a/c/r'], true],
      ['glob.match', ['*-prod', ['.'], 'db-staging'], false],
      ['glob.match', ['a\\-b', [], 'a-b'], true],
      ['glob.match', ['*.github.com', [], 'api.cdn.github.com'], false],
      ['glob.match', ['*:github:com', [':'], 'api:github:com'], true],
      ['glob.match', ['api.**.com', [], 'api.cdn.github.com'], true],
      ['glob.match', ['?at', [], 'cat'], true],
      ['glob.match', ['[abc]at', [], 'bat'], true],
      ['glob.match', ['[!abc]at', [], 'bat'], false],
      ['glob.match', ['[a-c]at', [], 'cat'], true],
      ['glob.match', ['{cat,bat,[fr]at}', [], 'rat'], true],
      ['glob.match', ['{cat,bat}', [], 'mat'], false],
      ['glob.match', ['*', null, 'a.b.c'], true],
      ['glob.match', ['*', ['.'], 'a.b'], false],
      ['glob.match', ['\\*x', [], '*x'], true],
      ['glob.quote_meta', ['*.github.com'], '\\*.github.com'],
    ]);
  });
});

describe('semver', () => {
  it('compare and is_valid', () => {
    expectRows([
      ['semver.compare', ['2.0.0', '1.0.0'], 1],
      ['semver.compare', ['1.0.0', '1.0.0+build'], 0],
      ['semver.compare', ['1.0.0-alpha', '1.0.0'], -1],
      ['semver.compare', ['1.0.0-alpha.1', '1.0.0-alpha.beta'], -1],
      ['semver.compare', ['1.0.0-rc.1', '1.0.0-beta.11'], 1],
      ['semver.compare', ['1.0.0-beta.2', '1.0.0-beta.11'], -1],
      ['semver.compare', ['1.10.0', '1.9.0'], 1],
      ['semver.is_valid', ['1.0.0-rc.1+build.5'], true],
      ['semver.is_valid', ['v1.0.0'], false],
      ['semver.is_valid', ['01.0.0'], false],
      ['semver.is_valid', [1], false],
    ]);
    expectErrors([['semver.compare', ['1.0', '1.0.0'], 'eval_builtin_error', 'semver.compare: operand 1: string "1.0" is not a valid SemVer']]);
  });
});

describe('units', () => {
  it('parse and parse_bytes', () => {
    expectRows([
      ['units.parse', ['500m'], 0.5],
      ['units.parse', ['0.0005K'], 0.5],
      ['units.parse', ['10Ki'], 10240],
      ['units.parse', ['1.1Ki'], 1126.4],
      ['units.parse', ['2M'], 2000000],
      ['units.parse', ['-3.5E2m'], -0.35],
      ['units.parse', ['"100TI"'], 109951162777600],
      ['units.parse_bytes', ['10KB'], 10000],
      ['units.parse_bytes', ['1.1KiB'], 1126],
      ['units.parse_bytes', ['10e'], 10000000000000000000n],
      ['units.parse_bytes', ['1e-2KB'], 10],
      ['units.parse_bytes', ['3.2E2MiB'], 335544320],
      ['units.parse_bytes', ['.5KB'], 500],
    ]);
    expectErrors([
      ['units.parse', [''], 'eval_builtin_error', 'units.parse: no amount provided'],
      ['units.parse', ['0.0.0'], 'eval_builtin_error', 'units.parse: could not parse amount to a number'],
      ['units.parse', ['100 k'], 'eval_builtin_error', 'units.parse: spaces not allowed in resource strings'],
      ['units.parse_bytes', ['GB'], 'eval_builtin_error', 'units.parse_bytes: no byte amount provided'],
      ['units.parse_bytes', ['10e10000000EiB'], 'eval_builtin_error', 'units.parse_bytes: exponent too large'],
    ]);
  });
});

describe('net', () => {
  it('cidr builtins', () => {
    expectRows([
      ['net.cidr_contains', ['10.0.0.0/8', '10.1.2.3'], true],
      ['net.cidr_contains', ['10.0.0.0/8', '11.1.2.3'], false],
      ['net.cidr_contains', ['10.0.0.0/8', '10.1.0.0/16'], true],
      ['net.cidr_contains', ['10.1.0.0/16', '10.0.0.0/8'], false],
      ['net.cidr_contains', ['2001:db8::/32', '2001:db8:1::1'], true],
      ['net.cidr_contains', ['2001:db8::/32', '10.0.0.1'], false],
      ['net.cidr_intersects', ['192.168.0.0/16', '192.168.1.0/24'], true],
      ['net.cidr_intersects', ['192.168.0.0/24', '192.168.1.0/24'], false],
      ['net.cidr_is_valid', ['10.0.0.0/33'], false],
      ['net.cidr_is_valid', ['::/0'], true],
      ['net.cidr_is_valid', ['10.0.0.1'], false],
      ['net.cidr_expand', ['192.168.1.0/31'], set('192.168.1.0', '192.168.1.1')],
      ['net.cidr_expand', ['2001:db8::/127'], set('2001:db8::', '2001:db8::1')],
      ['net.cidr_merge', [['192.0.128.0/24', '192.0.129.0/24']], set('192.0.128.0/23')],
      // A bare IPv4 address takes Go's classful default mask and, unmerged, prints as given (OPA's generateIPNet).
      ['net.cidr_merge', [set('10.0.0.0/8', '10.1.0.0/16', '192.168.1.1')], set('10.0.0.0/8', '192.168.1.1/24')],
      ['net.cidr_merge', [['10.0.0.1']], set('10.0.0.1/8')],
      ['net.cidr_merge', [['172.16.3.4', '8.8.8.8']], set('172.16.3.4/16', '8.8.8.8/8')],
      // …and once its range overlaps or touches another, the merged range prints canonically.
      ['net.cidr_merge', [['10.0.0.1', '10.0.0.1']], set('10.0.0.0/8')],
      ['net.cidr_merge', [['10.0.0.1', '11.0.0.0/16']], set('10.0.0.0/8', '11.0.0.0/16')],
      ['net.cidr_merge', [['10.0.0.1', '11.0.0.0/8']], set('10.0.0.0/7')],
      ['net.cidr_contains_matches', [1, '10.0.0.1'], set()], // an operand of another kind matches nothing
      ['net.cidr_merge', [['2001:db8::/33', '2001:db8:8000::/33']], set('2001:db8::/32')],
      ['net.cidr_contains_matches', [['1.1.1.0/24', '1.1.2.0/24'], '1.1.1.128'], set([0, '1.1.1.128'])],
      ['net.cidr_contains_matches', [{ k: '1.1.0.0/16' }, set('1.1.1.1', '2.2.2.2')], set(['k', '1.1.1.1'])],
    ]);
    expectErrors([
      ['net.cidr_contains', ['not-a-cidr', '10.0.0.1'], 'eval_builtin_error', 'net.cidr_contains: invalid CIDR address: not-a-cidr'],
      ['net.cidr_contains', ['10.0.0.0/8', 'x'], 'eval_builtin_error', 'net.cidr_contains: not a valid textual representation of an IP address or CIDR: x'],
      ['net.cidr_merge', [['2601:600::1']], 'eval_builtin_error', 'net.cidr_merge: IPv6 invalid: needs prefix length'],
      ['net.cidr_merge', [['10.0.0.0/8', 7]], 'eval_builtin_error', 'net.cidr_merge: element must be string'],
      ['net.cidr_contains_matches', [['10.0.0.0/8'], set(1)], 'eval_builtin_error', 'net.cidr_contains_matches: operand 2: element must be string or non-empty array'],
      ['net.cidr_contains_matches', [[[]], '10.0.0.1'], 'eval_builtin_error', 'net.cidr_contains_matches: operand 1: element must be string or non-empty array'],
    ]);
  });
});

describe('crypto', () => {
  it('hashes and hmacs', () => {
    expectRows([
      ['crypto.md5', ['hello'], '5d41402abc4b2a76b9719d911017c592'],
      ['crypto.sha1', ['hello'], 'aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d'],
      ['crypto.sha256', ['hello'], '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'],
      ['crypto.hmac.sha256', ['hello', 'key'], '9307b3b915efb5171ff14d8cb55fbcc798c6c0ef1456d66ded1a6aa723a58b7b'],
      ['crypto.hmac.equal', ['abc', 'abc'], true],
      ['crypto.hmac.equal', ['abc', 'abd'], false],
    ]);
  });
});
