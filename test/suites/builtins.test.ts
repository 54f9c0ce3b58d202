/**
 * The Trivy and Regal builtins ported for the real-suite runs, checked
 * against upstream's documented behaviour (trivy-checks internal/cidr and
 * internal/rego tests, Regal's regal.last) without ../shared.
 */
import { describe, expect, it } from 'vitest';
import { prepare } from '../../runner/rego/api.ts';
import { builtins as trivy, countAddresses, isPublic, newResult, parseCommands, scanString } from './builtins/trivy.ts';
import { builtins as regal } from './builtins/regal.ts';

describe('Trivy builtins', () => {
  it('cidr.is_public: private/loopback/link-local/shared ranges are not public; wildcards and ranges are', () => {
    for (const c of ['10.0.0.0/8', '10.1.2.3', '172.16.0.0/12', '192.168.1.0/24', '127.0.0.1', '169.254.1.1', '100.64.0.0/10', '::1', 'fe80::1', 'fd00::/8']) expect(isPublic(c), c).toBe(false);
    for (const c of ['0.0.0.0/0', '8.8.8.8', '10.0.0.0/7', '172.0.0.0/11', '2001:db8::/32', '*', 'internet', 'any', '10.0.0.1-10.0.0.2']) expect(isPublic(c), c).toBe(true);
    // the address as written is checked, then the network's last one: 172.16.0.0/11 ends at 172.31.255.255
    expect(isPublic('172.16.0.0/11')).toBe(false);
    // not an address: not public; a range with more than two sides neither (upstream)
    expect(isPublic('garbage')).toBe(false);
    expect(isPublic('1.1.1.1-2.2.2.2-3.3.3.3')).toBe(false);
  });

  it('cidr.count_addresses: 2^(bits-prefix), 1 for an address, 0 for garbage, uint64 max for wildcards and ≥ 2^63', () => {
    expect(countAddresses('10.0.0.0/24')).toBe(256n);
    expect(countAddresses('10.0.0.1')).toBe(1n);
    expect(countAddresses('0.0.0.0/0')).toBe(4294967296n);
    expect(countAddresses('::/64')).toBe(18446744073709551615n);
    expect(countAddresses('*')).toBe(18446744073709551615n);
    expect(countAddresses('nope/8')).toBe(0n);
  });

  it('result.new: defaults, metadata from __defsec_metadata (or the object itself), parent recursively', () => {
    expect(newResult('m', { __defsec_metadata: { startline: 3, EndLine: 5, Path: 'a.tf', managed: false, parent: { startline: 1 } } })).toEqual({
      msg: 'm',
      startline: 3,
      endline: 5,
      sourceprefix: '',
      filepath: 'a.tf',
      explicit: false,
      managed: false,
      fskey: '',
      resource: '',
      parent: { startline: 1, endline: 0, sourceprefix: '', filepath: '', explicit: false, managed: true, fskey: '', resource: '', parent: null },
    });
    expect(newResult('m', 'not an object')).toMatchObject({ msg: 'm', startline: 0, managed: true });
  });

  it('sh.parse_commands: simple commands split at operators, words as written', () => {
    expect(parseCommands('apt-get update && apt-get install -y "curl wget" ; rm -rf /var/lib/apt/lists/*')).toEqual([
      ['apt-get', 'update'],
      ['apt-get', 'install', '-y', '"curl wget"'],
      ['rm', '-rf', '/var/lib/apt/lists/*'],
    ]);
    expect(parseCommands('a \\\n  b | c 2>&1 || (d)')).toEqual([['a', 'b'], ['c'], ['d']]);
    // assignments and redirections are not arguments; commands inside $(…) follow their command
    expect(parseCommands('DEBIAN_FRONTEND=noninteractive apt-get install -y x > /dev/null 2>/tmp/err')).toEqual([['apt-get', 'install', '-y', 'x']]);
    expect(parseCommands('echo "$(uname -m)" $(cat /etc/os-release | head -1)')).toEqual([
      ['echo', '"$(uname -m)"', '$(cat /etc/os-release | head -1)'],
      ['uname', '-m'],
      ['cat', '/etc/os-release'],
      ['head', '-1'],
    ]);
    expect(() => parseCommands('echo "open')).toThrow(/closing quote/);
  });

  it('squealer.scan_string: the first of squealer’s string rules that matches (RE2 syntax, `(?-i)` included)', () => {
    expect(scanString('export GREETING="Hello there"')).toEqual({ transgressionFound: false, description: '' });
    expect(scanString('export DATABASE_PASSWORD=\\"SomeSortOfPassword\\"')).toEqual({ transgressionFound: true, description: 'Password literal text' });
    expect(scanString('export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE')).toEqual({ transgressionFound: true, description: 'Check for AWS Access Key Id' });
    expect(scanString('-----BEGIN RSA PRIVATE KEY-----')).toEqual({ transgressionFound: true, description: 'Private Asymetric Key' });
    // `(?-i)` switches case-insensitivity off for the token itself: lower-case hex after "GITHUB_TOKEN=" still matches [0-9a-zA-Z]
    expect(scanString('GITHUB_TOKEN="abcdefghijabcdefghijabcdefghijabcdefghij"').description).toBe('Check for Github Token');
  });

  it('all of them load as custom builtins and answer from Rego', () => {
    const p = prepare(
      [{ file: 't.rego', text: 'package t\n\nx := [cidr.is_public("8.8.8.8"), cidr.count_addresses("10.0.0.0/30"), isManaged({"managed": false}), result.new("m", {}).msg, sh.parse_commands("a b"), squealer.scan_string("x").transgressionFound]\n\ny := regal.last([1, 2, 3])\n\nz := regal.last([])\n' }],
      { builtins: [...trivy, ...regal] },
    );
    if (!p.ok) throw new Error(JSON.stringify(p.diagnostics));
    expect(p.value.evalRef(['t', 'x'])).toEqual([true, 4, false, 'm', [['a', 'b']], false]);
    expect(p.value.evalRef(['t', 'y'])).toBe(3);
    expect(() => p.value.evalRef(['t', 'z'], { strictBuiltinErrors: true })).toThrow(/regal\.last: out of bounds/);
  });
});
