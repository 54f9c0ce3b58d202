/**
 * Trivy's custom builtins, for running the trivy-checks suite (`opa test
 * lib/ checks/ examples/` through Trivy's build of OPA, which registers
 * them). Ported from aquasecurity/trivy-checks (MIT): `internal/rego/result.go`
 * (`result.new`, `isManaged`), `internal/cidr/cidr.go` (`cidr.count_addresses`,
 * `cidr.is_public`), `internal/rego/parse_commands.go`
 * (`sh.parse_commands`, approximated: see below) and
 * `internal/rego/squealer.go` (`squealer.scan_string`, with the default
 * rules of owenrumney/squealer, `pkg/config/default.go` at 468c3fa).
 *
 * Load with `gitops policy test --builtins test/suites/builtins/trivy.ts`.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { RE2JS } from 're2js';
import type { BuiltinDefinition, TypeSpec } from '../../../runner/rego/api.ts';

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** `term.Get(key)` of OPA's AST: an object's value at a key (arrays and scalars have none by string key). */
const get = (x: unknown, key: string): unknown => (isObject(x) && Object.hasOwn(x, key) ? x[key] : undefined);

/** Trivy's metadata keys, in the order its updateMetadata applies them (later ones win). */
const METADATA_FIELDS: ReadonlyArray<[from: string, to: string]> = [
  ['startline', 'startline'],
  ['StartLine', 'startline'],
  ['endline', 'endline'],
  ['EndLine', 'endline'],
  ['filepath', 'filepath'],
  ['sourceprefix', 'sourceprefix'],
  ['Path', 'filepath'],
  ['explicit', 'explicit'],
  ['managed', 'managed'],
  ['fskey', 'fskey'],
  ['resource', 'resource'],
];

/** result.new(msg, cause): a result object carrying the cause's location metadata (and its parent's, recursively). */
export function newResult(msg: unknown, cause: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {
    startline: 0,
    endline: 0,
    sourceprefix: '',
    filepath: '',
    explicit: false,
    managed: true,
    fskey: '',
    resource: '',
    parent: null,
  };
  if (msg !== undefined) out.msg = msg;
  // universal inputs carry it under __defsec_metadata; dockerfile inputs at the top
  const meta = get(cause, '__defsec_metadata') ?? cause;
  for (const [from, to] of METADATA_FIELDS) {
    const v = get(meta, from);
    if (v !== undefined) out[to] = v;
  }
  const parent = get(meta, 'parent');
  if (parent !== undefined) out.parent = newResult(undefined, parent);
  return out;
}

// --- IP addresses, as Go's net package reads them --------------------------

/** 4 bytes for an IPv4 address (also IPv4-mapped IPv6, as Go's To4), else 16; undefined when not an IP. */
function parseIP(s: string): number[] | undefined {
  if (isIPv4(s)) return s.split('.').map(Number);
  if (!isIPv6(s)) return undefined;
  let text = s;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    tail = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
    text = text.slice(0, -v4[1]!.length) + '0:0';
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const groups = (p: string) => (p === '' ? [] : p.split(':').map((g) => parseInt(g, 16)));
  const h = groups(head);
  const t = rest === undefined ? [] : groups(rest);
  const words = rest === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  if (tail.length) words.splice(6, 2, ...tail);
  const bytes = words.flatMap((w) => [w >> 8, w & 255]);
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255;
  return mapped ? bytes.slice(12) : bytes;
}

interface Network {
  ip: number[];
  prefix: number;
}

/** Go's net.ParseCIDR: the address as written and its network (host bits cleared). */
function parseCIDR(s: string): { addr: number[]; net: Network } | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = parseIP(s.slice(0, slash));
  const bitsText = s.slice(slash + 1);
  if (!addr || !/^\d+$/.test(bitsText)) return undefined;
  const v4 = isIPv4(s.slice(0, slash));
  const ip = v4 ? addr : addr.length === 4 ? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, ...addr] : addr;
  const prefix = Number(bitsText);
  if (prefix > ip.length * 8) return undefined;
  const masked = ip.map((b, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return { addr, net: { ip: masked, prefix } };
}

const PRIVATE: Network[] = ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '::1/128', 'fe80::/10', 'fc00::/7', '100.64.0.0/10'].map((c) => parseCIDR(c)!.net);

/** Go's IPNet.Contains: same family only (an IPv4 address never matches an IPv6 block, nor the reverse). */
function contains(n: Network, ip: number[]): boolean {
  if (ip.length !== n.ip.length) return false;
  for (let bit = 0; bit < n.prefix; bit++) {
    const i = bit >> 3;
    const m = 0x80 >> (bit & 7);
    if ((ip[i]! & m) !== (n.ip[i]! & m)) return false;
  }
  return true;
}

const isPrivate = (ip: number[]) => PRIVATE.some((n) => contains(n, ip));

const UINT64_MAX = 0xffffffffffffffffn;

export function countAddresses(cidr: string): bigint {
  if (cidr === '*' || cidr === 'internet' || cidr === 'any') return UINT64_MAX;
  if (!cidr.includes('/')) return parseIP(cidr) ? 1n : 0n;
  const c = parseCIDR(cidr);
  if (!c) return 0n;
  const power = c.net.ip.length * 8 - c.net.prefix;
  return power >= 63 ? UINT64_MAX : 1n << BigInt(power);
}

export function isPublic(cidr: string): boolean {
  if (cidr === '*' || cidr === 'internet' || cidr === 'any') return true;
  if (cidr.includes('-')) {
    // Upstream converts each side with net.IP(string) (the text's bytes, not a
    // parsed address), which no private block contains: a two-sided range is
    // always public, anything else is not. Kept as upstream behaves.
    return cidr.split('-').length === 2;
  }
  if (!cidr.includes('/')) {
    const ip = parseIP(cidr);
    return ip !== undefined && !isPrivate(ip);
  }
  const c = parseCIDR(cidr);
  if (!c) return false;
  if (!isPrivate(c.addr)) return true;
  const end = c.net.ip.map((b, i) => {
    const host = Math.max(0, Math.min(8, c.net.ip.length * 8 - c.net.prefix - (c.net.ip.length - 1 - i) * 8));
    return b | ((1 << host) - 1);
  });
  return !isPrivate(end);
}

// --- sh.parse_commands -------------------------------------------------------

/** A redirection word: `>`, `2>`, `>>`, `<`, `&>`, `2>&1`, `>/dev/null`, … (operator, then maybe its target). */
const REDIRECT = /^(\d*|&)(>>?|<<?|>&|<&)(.*)$/;
/** `NAME=value` before the command name is an assignment, not an argument. */
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;

/**
 * The simple commands of a shell script, each as its arguments written as in
 * the source (quotes kept): what upstream collects from mvdan.cc/sh's parse
 * tree (every CallExpr's Args, printed, in a pre-order walk). Approximated
 * with a tokenizer: commands end at `;`, `&`, `&&`, `||`, `|`, newlines and
 * `(`/`)`; `\`-newline continues a line; quotes, escapes and `$(…)` keep
 * their text; a word starting with `#` comments out the rest of the line.
 * As in mvdan's tree, leading `NAME=value` assignments and redirections
 * (`>file`, `2>&1`, `< in`) are not arguments, and the commands inside a
 * `$(…)` (also inside double quotes) follow the command that contains
 * them. Not handled: compound statements (`if`/`for`/`case`),
 * here-documents, backquotes.
 */
export function parseCommands(script: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let nested: string[] = [];
  let word = '';
  let inWord = false;
  let skipTarget = false;
  const endWord = () => {
    if (!inWord) return;
    const w = word;
    word = '';
    inWord = false;
    if (skipTarget) {
      skipTarget = false;
      return;
    }
    const redirect = REDIRECT.exec(w);
    if (redirect) {
      skipTarget = redirect[3] === '';
      return;
    }
    if (words.length === 0 && ASSIGNMENT.test(w)) return;
    words.push(w);
  };
  const endCommand = () => {
    endWord();
    skipTarget = false;
    if (words.length) commands.push(words);
    words = [];
    for (const inner of nested) commands.push(...parseCommands(inner));
    nested = [];
  };
  /** `$(…)` starting at `at`: records its script (walked after the command) and returns the index of its `)`. */
  const substitution = (at: number): number => {
    let depth = 0;
    let j = at + 1;
    for (; j < script.length; j++) {
      if (script[j] === '(') depth++;
      else if (script[j] === ')' && --depth === 0) break;
    }
    if (j >= script.length) throw new Error('parse command sequence error: reached EOF without matching ( with )');
    nested.push(script.slice(at + 2, j));
    return j;
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (c === '\\') {
      if (script[i + 1] === '\n') {
        i++;
        continue;
      }
      word += c + (script[i + 1] ?? '');
      inWord = true;
      i++;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < script.length && script[j] !== c) {
        if (c === '"' && script[j] === '$' && script[j + 1] === '(') j = substitution(j) + 1;
        else j += c === '"' && script[j] === '\\' ? 2 : 1;
      }
      if (j >= script.length) throw new Error(`parse command sequence error: reached EOF without closing quote ${c}`);
      word += script.slice(i, j + 1);
      inWord = true;
      i = j;
    } else if (c === '$' && script[i + 1] === '(') {
      const j = substitution(i);
      word += script.slice(i, j + 1);
      inWord = true;
      i = j;
    } else if (c === '#' && !inWord) {
      while (i + 1 < script.length && script[i + 1] !== '\n') i++;
    } else if (c === ' ' || c === '\t') endWord();
    else if ((c === '&' || c === '|') && (script[i + 1] === '>' || script[i - 1] === '>' || script[i - 1] === '<')) {
      word += c; // &>, >&, <& redirections
      inWord = true;
    } else if (c === '\n' || c === ';' || c === '&' || c === '|' || c === '(' || c === ')') endCommand();
    else {
      word += c;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}

// --- squealer.scan_string ------------------------------------------------------

/**
 * squealer's default rules that apply to a string (its `EvaluateString`
 * skips the rules with a file filter), in its order: the first that matches
 * is the finding. Go RE2 syntax, so they run on re2js (`(?-i)` and friends).
 * The rules with a file filter, and the entropy bounds (only checked when
 * scanning files), are left out as `EvaluateString` leaves them out.
 */
const SQUEALER_RULES: ReadonlyArray<[pattern: string, description: string]> = [
  [String.raw`(A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}`, 'Check for AWS Access Key Id'],
  [String.raw`(?i)aws_secre.+[=:]\s{0,}[A-Za-z0-9\/+=]{40}.?`, 'Check for AWS Secret Access Key'],
  [String.raw`(?i)github[_\-\.]?token[\s:,="\]']+?(?-i)[0-9a-zA-Z]{35,40}`, 'Check for Github Token'],
  [String.raw`gh[opusr]_[A-Za-z0-9_]{30,255}`, 'Check for new Github Token'],
  [String.raw`xox[baprs]-([0-9a-zA-Z]{10,48})?`, ''],
  [String.raw`-----BEGIN ((EC|PGP|DSA|RSA|OPENSSH) )?PRIVATE KEY( BLOCK)?-----`, 'Private Asymetric Key'],
  [String.raw`xox.-[0-9]{12}-[0-9]{12}-[0-9]{12}-[a-zA-Z0-9]{32}`, 'Slack API Token'],
  [String.raw`xox.-[0-9]{12}-[0-9]{12}-[r0-9a-zA-Z]{24}`, 'Slack OAuth Token'],
  [String.raw`(?im)password\s?[:=]\s?"?[^\s?\$\{].+"?`, 'Password literal text'],
  [String.raw`(?i)aws(.{0,20})?(?-i)['\"][0-9a-zA-Z\/+]{40}['\"]`, 'AWS Secret Key'],
  [String.raw`amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`, 'AWS MWS key'],
  [String.raw`(?i)(facebook|fb)(.{0,20})?(?-i)['\"][0-9a-f]{32}['\"]`, 'Facebook Secret Key'],
  [String.raw`(?i)(facebook|fb)(.{0,20})?['\"][0-9]{13,17}['\"]`, 'Facebook Client ID'],
  [String.raw`(?i)twitter(.{0,20})?['\"][0-9a-z]{35,44}['\"]`, 'Twitter Secret Key'],
  [String.raw`(?i)twitter(.{0,20})?['\"][0-9a-z]{18,25}['\"]`, 'Twitter Client ID'],
  [String.raw`(?i)github.{0,3}((?i)token|api|key).{0,10}?(?-i)([0-9a-zA-Z]{35,40})`, 'GitHub Token'],
  [String.raw`(?i)linkedin(.{0,20})?(?-i)['\"][0-9a-z]{12}['\"]`, 'LinkedIn Client ID'],
  [String.raw`(?i)linkedin(.{0,20})?['\"][0-9a-z]{16}['\"]`, 'LinkedIn Secret Key'],
  [String.raw`//registry.npmjs.org/:_authToken=[0-9a-f-]+`, 'NPM Token'],
  [String.raw`-----BEGIN EC PRIVATE KEY-----`, 'EC'],
  [String.raw`-----BEGIN DSA PRIVATE KEY-----`, 'DSA'],
  [String.raw`-----BEGIN OPENSSH PRIVATE KEY-----`, 'OPENSSH'],
  [String.raw`-----BEGIN RSA PRIVATE KEY-----`, 'RSA'],
  [String.raw`-----BEGIN PGP PRIVATE KEY BLOCK-----`, 'PGP'],
  [String.raw`AIza[0-9A-Za-z\\-_]{35}`, 'Google API key'],
  [String.raw`(?i)heroku(.{0,20})?['"][0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}['"]`, 'Heroku API key'],
  [String.raw`(?i)(mailchimp|mc)(.{0,20})?['"][0-9a-f]{32}-us[0-9]{1,2}['"]`, 'MailChimp API key'],
  [String.raw`(?i)(mailgun|mg)(.{0,20})?['"][0-9a-z]{32}['"]`, 'Mailgun API key'],
  [String.raw`access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32}`, 'PayPal Braintree access token'],
  [String.raw`sk_live_[0-9a-z]{32}`, 'Picatic API key'],
  [String.raw`https://hooks.slack.com/services/T[a-zA-Z0-9_]{8}/B[a-zA-Z0-9_]{8}/[a-zA-Z0-9_]{24}`, 'Slack Webhook'],
  [String.raw`(?i)stripe(.{0,20})?['\"][sk|rk]_live_[0-9a-zA-Z]{24}`, 'Stripe API key'],
  [String.raw`sq0atp-[0-9A-Za-z\-_]{22}`, 'Square access token'],
  [String.raw`sq0csp-[0-9A-Za-z\\-_]{43}`, 'Square OAuth secret'],
  [String.raw`(?i)twilio(.{0,20})?['\"][0-9a-f]{32}['\"]`, 'Twilio API key'],
  [String.raw`dt0[a-zA-Z]{1}[0-9]{2}\.[A-Z0-9]{24}\.[A-Z0-9]{64}`, 'Dynatrace token'],
  [String.raw`shpss_[a-fA-F0-9]{32}`, 'Shopify shared secret'],
  [String.raw`shpat_[a-fA-F0-9]{32}`, 'Shopify access token'],
  [String.raw`shpca_[a-fA-F0-9]{32}`, 'Shopify custom app access token'],
  [String.raw`shppa_[a-fA-F0-9]{32}`, 'Shopify private app access token'],
  [
    String.raw`(?i)(apikey|secret|password|certificate_osx_p12|certificate_password|codacy_project_token|coveralls_api_token|coveralls_repo_token|coveralls_token|coverity_scan_token|cypress_record_key|database_password|db_password|deploy_password|deploy_token|digitalocean_access_token|docker_hub_password|docker_password|dockerhub_password|sonatype_password|firebase_api_token|firebase_token|firefox_secret|flask_secret_key|fossa_api_key|gcloud_service_key|gcr_password|gh_api_key|gh_next_oauth_client_secret|gh_next_unstable_oauth_client_secret|gh_oauth_client_secret|gpg_private_key|gpg_passphrase|gpg_secret_keys|heroku_api_key|okta_client_token|pypi_password|sonatype_nexus_password|travis_token|refresh_token|client_id|client_secret)(.*)?[(:=](\s)?['\"][0-9a-zA-Z-_!$^%=]{10,120}['\")]`,
    'Env Var',
  ],
  [String.raw`define(.{0,20})?(DB_CHARSET|NONCE_SALT|LOGGED_IN_SALT|AUTH_SALT|NONCE_KEY|DB_HOST|DB_PASSWORD|AUTH_KEY|SECURE_AUTH_KEY|LOGGED_IN_KEY|DB_NAME|DB_USER)(.{0,20})?['|"].{10,120}['|"]`, 'WP-Config'],
  [String.raw`xoxp-[a-z0-9]+-[a-z0-9]+-[a-z0-9]+-[a-z0-9]+`, 'SlackToken 1'],
  [String.raw`xoxb-[a-z0-9]+-[a-z0-9]+`, 'SlackToken 2'],
  [String.raw`sk-[a-zA-Z0-9]+`, 'OpenAI Secret Key'],
];

let squealerRules: Array<[RE2JS, string]> | undefined;

/** squealer.scan_string(s): `{transgressionFound, description}` of the first default rule matching `s`. */
export function scanString(content: string): { transgressionFound: boolean; description: string } {
  squealerRules ??= SQUEALER_RULES.map(([p, d]) => [RE2JS.compile(p), d]);
  for (const [re, description] of squealerRules) if (re.matcher(content).find()) return { transgressionFound: true, description };
  return { transgressionFound: false, description: '' };
}

export const builtins: BuiltinDefinition[] = [
  { name: 'result.new', decl: { args: ['string', 'any'], result: 'any' }, impl: (msg: unknown, cause: unknown) => newResult(msg, cause) },
  { name: 'isManaged', decl: { args: ['any'], result: 'boolean' }, impl: (resource: unknown) => newResult('', resource).managed },
  { name: 'cidr.count_addresses', decl: { args: ['string'], result: 'number' }, impl: (c: string) => countAddresses(c) },
  { name: 'cidr.is_public', decl: { args: ['string'], result: 'boolean' }, impl: (c: string) => isPublic(c) },
  { name: 'sh.parse_commands', decl: { args: ['string'], result: { array: { array: 'string' } } }, impl: (s: string) => parseCommands(s) },
  { name: 'squealer.scan_string', decl: { args: ['string'], result: { object: ['string', 'any'] } }, impl: (s: string) => scanString(s) },
];

/** Trivy's builtins this module does not provide (none: all six are ported). */
export const unported: Array<{ name: string; args: TypeSpec[]; result: TypeSpec }> = [];
