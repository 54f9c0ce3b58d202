/**
 * Rego parser: tokens → Module / Query. A hand-written recursive-descent
 * parser following OPA's grammar and operator precedence (`in` binds loosest,
 * then relations `== != < <= > >=`, then `|`, `&`, `+ -`, `* / %`).
 *
 * Both syntaxes OPA 1.x reads are parsed to the same AST: v1 (the default)
 * and v0 (`regoVersion: 0`, OPA's `--v0-compatible`), where `p { … }` needs
 * no `if`, `p[x] { … }` is a partial set rule, and `in`, `every`, `contains`
 * and `if` are keywords only after `import future.keywords…` or
 * `import rego.v1` (which also requires v1's `if`/`contains`, as OPA's
 * v0-compat-v1 mode does). Keywords turn on at the import, as in OPA's scanner.
 *
 * Errors are `ParseError`s carrying OPA's `rego_parse_error` code and the
 * file:line:col of the offending token.
 */
import { parse as parseYAML } from 'yaml';
import { lex, LexError, type Comment, type Token } from './lexer.ts';
import type { AnnotationBlock, Body, Expr, Import, Loc, Module, Query, Rule, RuleHead, Term, WithMod } from './nodes.ts';
import { namePath } from './nodes.ts';
import { INFIX_LEVELS } from './operators.ts';

export class ParseError extends Error {
  readonly code = 'rego_parse_error';
  readonly loc: Loc;
  constructor(message: string, loc: Loc) {
    super(message);
    this.loc = loc;
  }
}

/** Keywords of Rego v0; the future keywords join them in v1 or when imported. */
const BASE_KEYWORDS = ['some', 'not', 'with', 'as', 'else', 'default', 'import', 'package'];
export const FUTURE_KEYWORDS = ['in', 'every', 'contains', 'if'];
const KEYWORDS = new Set([...BASE_KEYWORDS, ...FUTURE_KEYWORDS]);

/** Names the template-string lowering gives its generated variables (unique per process). */
let templateVars = 0;

/** Which Rego syntax a module is written in (OPA's rego_version: 0 or 1). */
export type RegoVersion = 0 | 1;

export interface ParseOptions {
  /** 1 (default): OPA 1.x syntax; 0: OPA's v0 syntax (`--v0-compatible`). */
  regoVersion?: RegoVersion;
}

const NONE: Readonly<Record<string, string>> = {};

class Parser {
  private pos = 0;
  /** Bracket nesting inside the current body: newlines are whitespace when > 0. */
  private depth = 0;
  private readonly tokens: Token[];
  private readonly file: string;
  private readonly v0: boolean;
  /** Keywords in force at the current token (v0: grows with future-keyword imports). */
  private keywords: Set<string>;
  /** v0 module that imports rego.v1: v1's `if`/`contains` are required (OPA's RegoV0CompatV1). */
  private requireV1Heads: boolean;
  /** `import future.keywords.not` was read (see importKeywords). */
  futureNot = false;

  constructor(file: string, tokens: Token[], opts: ParseOptions = {}) {
    this.file = file;
    this.tokens = tokens;
    this.v0 = opts.regoVersion === 0;
    this.keywords = new Set(this.v0 ? BASE_KEYWORDS : KEYWORDS);
    // OPA checks a v0 module importing rego.v1 against v1's rules as a whole, also the rules above the import.
    this.requireV1Heads = !this.v0 || tokens.some((t, i) => t.kind === 'ident' && t.text === 'import' && !isOpToken(tokens[i - 1], '.') && importsRegoV1(tokens, i + 1));
  }

  // -- token helpers --------------------------------------------------------
  private get tok(): Token {
    return this.tokens[this.pos]!;
  }
  private peek(k = 1): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const t = this.tok;
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  loc(t: Token = this.tok): Loc {
    return { file: this.file, line: t.line, col: t.col };
  }
  private isOp(text: string, t: Token = this.tok): boolean {
    return t.kind === 'op' && t.text === text;
  }
  /** The token is the keyword `text`, and `text` is a keyword here (v0: future keywords only once imported). */
  private isKw(text: string, t: Token = this.tok): boolean {
    return t.kind === 'ident' && t.text === text && this.keywords.has(text);
  }
  private describe(t: Token): string {
    if (t.kind === 'eof') return 'unexpected eof token';
    if (t.kind === 'op') return `unexpected ${t.text} token`;
    if (t.kind === 'ident') return this.keywords.has(t.text) ? `unexpected ${t.text} keyword` : `unexpected ident token`;
    if (t.kind === 'number') return 'unexpected number token';
    return 'unexpected string token';
  }
  fail(message: string, t: Token = this.tok): never {
    throw new ParseError(message, this.loc(t));
  }
  private expectOp(text: string): Token {
    if (!this.isOp(text)) this.fail(`${this.describe(this.tok)}: expected ${text}`);
    return this.next();
  }
  private expectIdent(): Token {
    if (this.tok.kind !== 'ident' || this.keywords.has(this.tok.text)) this.fail(`${this.describe(this.tok)}: expected ident`);
    return this.next();
  }
  atEOF(): boolean {
    return this.tok.kind === 'eof';
  }
  /** Continuation allowed: same line, or inside brackets. */
  private cont(t: Token = this.tok): boolean {
    return !t.nl || this.depth > 0;
  }

  // -- module ---------------------------------------------------------------
  parseModule(comments: Comment[]): Module {
    if (!this.isKw('package')) this.fail(this.atEOF() ? 'empty module' : `${this.describe(this.tok)}: expected package`);
    const pkgTok = this.next();
    const pkgRef = this.parseRefPath(false);
    const pkg = pkgRef.map((t) => {
      if (t.type === 'var') return t.name;
      if (t.type === 'scalar' && typeof t.value === 'string') return t.value;
      return this.fail('package path must contain only strings', pkgTok);
    });
    if (pkg[0] === 'data') pkg.shift();
    const mod: Module = { file: this.file, package: pkg, packageLoc: this.loc(pkgTok), imports: [], rules: [], annotations: [], regoVersion: this.v0 ? 0 : 1 };
    // OPA reads imports and rules in any order after the package, and needs no line break
    // between them (`package p a := 1 b := 2`, as a YAML plain scalar folds a module); only a
    // body's expressions are separated by newlines.
    while (!this.atEOF()) {
      if (this.isKw('import')) {
        mod.imports.push(this.parseImport());
        continue;
      }
      if (this.isKw('package')) this.fail('unexpected package keyword');
      mod.rules.push(...this.parseRules());
    }
    attachAnnotations(this.file, comments, mod);
    if (this.futureNot) mod.futureNot = true;
    return mod;
  }

  /** v0: the keywords an import turns on from here on (`future.keywords[.kw]`, `rego.v1`). */
  private importKeywords(imp: Import): void {
    const parts = namePath(imp.path) ?? [];
    // OPA 1.17's `import future.keywords.not` (only by name: `import future.keywords` keeps the old
    // meaning): a negation keeps every part of its expression inside, and `not { body }` negates a body.
    if (parts.length === 3 && parts[0] === 'future' && parts[1] === 'keywords' && parts[2] === 'not') this.futureNot = true;
    if (!this.v0) return;
    if (parts[0] === 'rego' && parts[1] === 'v1' && parts.length === 2) {
      for (const k of FUTURE_KEYWORDS) this.keywords.add(k);
      this.requireV1Heads = true;
    } else if (parts[0] === 'future' && parts[1] === 'keywords') {
      if (parts.length === 2) for (const k of FUTURE_KEYWORDS) this.keywords.add(k);
      else if (parts.length === 3 && FUTURE_KEYWORDS.includes(parts[2]!)) this.keywords.add(parts[2]!);
    }
  }

  private parseImport(): Import {
    const t = this.next();
    if (!this.tok.nl && this.tok.kind !== 'ident') this.fail(this.describe(this.tok));
    const path = this.parseRefPath(true);
    const head = path[0]!;
    const root = head.type === 'var' ? head.name : '';
    if (!['data', 'input', 'future', 'rego'].includes(root)) {
      this.fail(`unexpected import path, must begin with one of: {data, future, input, rego}, got: ${root}`, t);
    }
    const imp: Import = { path: path.length === 1 ? head : { type: 'ref', head, path: path.slice(1), loc: head.loc }, loc: this.loc(t) };
    if (this.isKw('as') && this.cont()) {
      this.next();
      imp.alias = this.expectIdent().text;
    }
    this.checkSpecialImport(imp, path);
    this.importKeywords(imp);
    return imp;
  }

  /** OPA's futureImport / regoV1Import checks, with its messages, at the import path. */
  private checkSpecialImport(imp: Import, path: Term[]): void {
    const names = path.map((p) => (p.type === 'var' ? p.name : p.type === 'scalar' ? String(p.value) : '?'));
    const at = path[0]!.loc;
    if (names[0] === 'future') {
      if (names.length === 1 || names[1] !== 'keywords') throw new ParseError('invalid import, must be `future.keywords`', at);
      if (imp.alias !== undefined) throw new ParseError('`future` imports cannot be aliased', at);
      if (names.length === 3 && !FUTURE_KEYWORDS.includes(names[2]!) && names[2] !== 'not') {
        throw new ParseError(`unexpected keyword, must be one of [${[...FUTURE_KEYWORDS, 'not'].sort().join(' ')}]`, at);
      }
    } else if (names[0] === 'rego') {
      if (names.length !== 2 || names[1] !== 'v1') throw new ParseError(`invalid import \`${names.join('.')}\`, must be \`rego.v1\``, at);
      // in v1 the import is a no-op and OPA checks nothing more
      if (this.v0 && imp.alias !== undefined) throw new ParseError('`rego` imports cannot be aliased', at);
    }
  }

  /** `a.b["c"].d` as [var a, "b", "c", "d"] (ground refs only). */
  private parseRefPath(allowAs: boolean): Term[] {
    const first = this.expectIdent();
    const out: Term[] = [{ type: 'var', name: first.text, loc: this.loc(first) }];
    for (;;) {
      if (this.isOp('.') && !this.tok.nl) {
        this.next();
        const id = this.tok;
        if (id.kind !== 'ident') this.fail(`${this.describe(id)}: expected ident`);
        this.next();
        out.push({ type: 'scalar', value: id.text, loc: this.loc(id) });
      } else if (this.isOp('[') && !this.tok.nl) {
        this.next();
        const s = this.tok;
        if (s.kind !== 'string' && s.kind !== 'rawstring') this.fail(`${this.describe(s)}: expected string`);
        this.next();
        out.push({ type: 'scalar', value: s.text, loc: this.loc(s) });
        this.expectOp(']');
      } else break;
    }
    void allowAs;
    return out;
  }

  // -- rules ----------------------------------------------------------------
  /** One rule, or (v0) a rule with chained bodies `p { a } { b }`, which OPA reads as rules sharing one head. */
  private parseRules(): Rule[] {
    const rule = this.parseRule();
    const out = [rule];
    if (!this.v0 || this.requireV1Heads || rule.bodyless || rule.isDefault) return out;
    while (this.isOp('{')) {
      if (rule.else) this.fail('expected else keyword');
      const open = this.next();
      const body = this.withDepth(0, () => this.parseBody('}'));
      if (body.length === 0) this.fail('found empty body', open);
      this.expectOp('}');
      const loc = this.loc(open);
      out.push({ head: { ...rule.head, loc }, body, isDefault: false, bodyless: false, loc, annotations: [] });
    }
    return out;
  }

  private parseRule(): Rule {
    const start = this.tok;
    let isDefault = false;
    if (this.isKw('default')) {
      this.next();
      isDefault = true;
    }
    const head = this.parseHead(isDefault);
    const rule: Rule = { head, body: [], isDefault, bodyless: true, loc: this.loc(start), annotations: [] };
    if (isDefault) {
      if (head.value === undefined) this.fail('default rules must have a value', start);
      rule.body = [trueExpr(head.loc)];
      return rule;
    }
    // `if` may start the next line (`tests contains {…}⏎if {…}`): as a keyword it cannot begin a
    // rule, so OPA's parser (whose scanner skips newlines) reads it as this rule's body.
    const hasIf = this.isKw('if');
    if (hasIf) {
      this.next();
      rule.body = this.parseRuleBody();
      rule.bodyless = false;
    } else if (this.isOp('{') && !this.tok.nl) {
      if (this.requireV1Heads) this.fail('`if` keyword is required before rule body');
      const open = this.next();
      rule.body = this.withDepth(0, () => this.parseBody('}'));
      if (rule.body.length === 0) this.fail('found empty body', open);
      this.expectOp('}');
      rule.bodyless = false;
    } else {
      // A bare name is no rule in OPA (its parser reads the line as a query, and a var cannot
      // name a rule): `allow` alone, or v1's `allow if {` read as v0, is an error, never `allow = true`.
      if (head.ref.length === 1 && head.value === undefined && head.key === undefined && head.args === undefined) {
        this.fail('var cannot be used for rule name', start);
      }
      rule.body = [trueExpr(head.loc)];
    }
    // v0: `p[x] { … }` (no `if`, no value) is the partial set rule `p contains x`.
    if (this.v0 && !hasIf && head.key === undefined && head.value === undefined && head.args === undefined && head.ref.length === 2) {
      if (this.requireV1Heads) this.fail('`contains` keyword is required for partial set rules', start);
      head.key = head.ref[1]!;
      head.ref = [head.ref[0]!];
    }
    // else chain
    let cur = rule;
    while (this.isKw('else')) {
      if (head.args === undefined && head.key !== undefined) this.fail('else keyword cannot be used on multi-value rules');
      const et = this.next();
      const eh: RuleHead = { ref: head.ref, assign: head.assign, loc: this.loc(et) };
      if (head.args) eh.args = head.args;
      if (this.isOp(':=') || this.isOp('=')) {
        eh.assign = this.next().text === ':=';
        eh.value = this.parseTermIn(true);
      }
      const er: Rule = { head: eh, body: [trueExpr(eh.loc)], isDefault: false, bodyless: true, loc: this.loc(et), annotations: [] };
      if (this.isKw('if')) {
        this.next();
        er.body = this.parseRuleBody();
        er.bodyless = false;
      } else if (this.isOp('{') && !this.tok.nl) {
        if (this.requireV1Heads) this.fail('`if` keyword is required before rule body');
        const open = this.next();
        er.body = this.withDepth(0, () => this.parseBody('}'));
        if (er.body.length === 0) this.fail('found empty body', open);
        this.expectOp('}');
        er.bodyless = false;
      }
      cur.else = er;
      cur = er;
    }
    return rule;
  }

  private parseRuleBody(): Body {
    if (this.isOp('{')) {
      // `if { … }` is a body when it parses as one; otherwise (`if {x: 1 | …}`) it is a single term (OPA's rule).
      const save = this.pos;
      try {
        const open = this.next();
        const body = this.withDepth(0, () => this.parseBody('}'));
        if (body.length === 0) this.fail('found empty body', open);
        this.expectOp('}');
        return body;
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        this.pos = save;
        try {
          return this.withDepth(0, () => [this.parseLiteral()]);
        } catch {
          throw err;
        }
      }
    }
    return this.withDepth(0, () => [this.parseLiteral()]);
  }

  private parseHead(isDefault: boolean): RuleHead {
    const nameTok = this.tok;
    const first = this.expectIdent();
    const ref: Term[] = [{ type: 'var', name: first.text, loc: this.loc(first) }];
    const head: RuleHead = { ref, assign: false, loc: this.loc(nameTok) };
    for (;;) {
      if (this.isOp('.') && !this.tok.nl) {
        this.next();
        const id = this.tok;
        if (id.kind !== 'ident') this.fail(`${this.describe(id)}: expected ident`);
        this.next();
        ref.push({ type: 'scalar', value: id.text, loc: this.loc(id) });
      } else if (this.isOp('[') && !this.tok.nl) {
        this.next();
        const t = this.withDepth(1, () => this.parseTermIn(false));
        this.expectOp(']');
        ref.push(t);
      } else break;
    }
    if (this.isOp('(') && !this.tok.nl) {
      this.next();
      head.args = this.withDepth(1, () => this.parseTermList(')'));
      this.expectOp(')');
      if (head.args.length === 0 && !isDefault) {
        // f() is allowed in OPA (zero-arg functions).
      }
    }
    if (this.isKw('contains') && this.cont()) {
      if (head.args) this.fail('unexpected contains keyword: functions cannot use contains');
      this.next();
      head.key = this.parseTermIn(true);
      return head;
    }
    if ((this.isOp(':=') || this.isOp('=')) && this.cont()) {
      head.assign = this.next().text === ':=';
      head.value = this.parseTermIn(true);
    }
    return head;
  }

  // -- bodies ---------------------------------------------------------------
  private withDepth<T>(d: number, f: () => T): T {
    const saved = this.depth;
    this.depth = d;
    try {
      return f();
    } finally {
      this.depth = saved;
    }
  }

  /** Expressions separated by `;` or newlines, up to (not including) `close`. */
  private parseBody(close: string): Body {
    const body: Body = [];
    while (!this.isOp(close)) {
      if (this.atEOF()) this.fail(`unexpected eof token: expected ${close}`);
      body.push(this.parseLiteral());
      if (this.isOp(';')) {
        this.next();
        continue;
      }
      if (this.isOp(close)) break;
      if (!this.tok.nl) this.fail(`${this.describe(this.tok)}: expected \\n or ; or ${close}${this.futureHint(body[body.length - 1]!)}`);
    }
    return body;
  }

  /** OPA's hint when v0 code uses a future keyword it did not import (`some x in xs`, `every x in xs { … }`). */
  private futureHint(last: Expr): string {
    if (!this.v0 || this.tok.kind !== 'ident') return '';
    if (last.type === 'some' && this.tok.text === 'in' && !this.keywords.has('in')) {
      return ' (hint: `import future.keywords.in` for `some x in xs` expressions)';
    }
    if (last.type === 'term' && last.term.type === 'var' && last.term.name === 'every' && !this.keywords.has('every')) {
      return ' (hint: `import future.keywords.every` for `every x in xs { ... }` expressions)';
    }
    return '';
  }

  /** A query: literals separated by `;` or newlines up to EOF. */
  parseQueryBody(): Body {
    const body: Body = [];
    while (!this.atEOF()) {
      body.push(this.parseLiteral());
      // OPA parses a query as a sequence of statements, each one expression: `x := 1 y` is two
      // expressions, like `x := 1; y` (ParseBody over parseQuery with requireSemi).
      if (this.isOp(';')) this.next();
    }
    return body;
  }

  private parseLiteral(): Expr {
    const start = this.tok;
    const loc = this.loc(start);
    if (this.isKw('some')) {
      this.next();
      return this.parseSome(loc);
    }
    if (this.isKw('every')) {
      this.next();
      const e = this.parseEvery(loc);
      this.parseWiths(e.with);
      return e;
    }
    let negated = false;
    if (this.isKw('not')) {
      this.next();
      negated = true;
    }
    // OPA's parseLiteral: `some` and `every` cannot be negated.
    if (negated && (this.isKw('some') || this.isKw('every'))) this.fail(`unexpected ${this.tok.text} keyword: illegal negation of '${this.tok.text}'`);
    if (negated && this.futureNot && this.isOp('{') && !this.tok.nl) return this.parseNotBody(loc);
    const term = this.parseExprTerm();
    const e: Expr = { type: 'term', term, negated, with: [], loc };
    this.parseWiths(e.with);
    return e;
  }

  /**
   * `not { a; b }` (with `import future.keywords.not`): true when the body has no solution. Read as
   * `[true | a; b] == []`: the body's new variables stay inside it, as in a comprehension, and
   * the `with` modifiers after the closing brace apply to the whole.
   */
  private parseNotBody(loc: Loc): Expr {
    const open = this.next();
    const body = this.withDepth(0, () => this.parseBody('}'));
    if (body.length === 0) this.fail('found empty body', open);
    this.expectOp('}');
    const at = this.loc(open);
    const comp: Term = { type: 'arraycomp', term: { type: 'scalar', value: true, loc: at }, body, loc: at };
    const e: Expr = { type: 'term', term: { type: 'call', op: ['equal'], args: [comp, { type: 'array', items: [], loc: at }], loc: at }, negated: false, with: [], loc };
    this.parseWiths(e.with);
    return e;
  }

  private parseWiths(out: WithMod[]): void {
    while (this.isKw('with')) {
      const w = this.next();
      const target = this.withDepth(1, () => this.parseTermPostfix());
      if (!this.isKw('as')) this.fail(`${this.describe(this.tok)}: expected as keyword`);
      this.next();
      const value = this.parseTermIn(true);
      out.push({ target, value, loc: this.loc(w) });
    }
  }

  private parseSome(loc: Loc): Expr {
    // some x, y  |  some x in xs  |  some k, v in xs
    const terms: Term[] = [this.parseTermRelation()];
    while (this.isOp(',')) {
      this.next();
      terms.push(this.parseTermRelation());
    }
    if (this.isKw('in') && this.cont()) {
      this.next();
      if (terms.length > 2) this.fail('unexpected , token: expected at most two terms before in');
      const domain = this.parseTermRelation();
      const e: Expr = terms.length === 2
        ? { type: 'somein', key: terms[0]!, value: terms[1]!, domain, negated: false, with: [], loc }
        : { type: 'somein', value: terms[0]!, domain, negated: false, with: [], loc };
      this.parseWiths(e.with);
      return e;
    }
    // `some x in xs` may have been parsed as a member call when `in` was consumed by the term parser.
    if (terms.length === 1 && terms[0]!.type === 'call' && terms[0]!.op.length === 2 && terms[0]!.op[0] === 'internal') {
      const c = terms[0]!;
      const e: Expr = c.op[1] === 'member_3'
        ? { type: 'somein', key: c.args[0]!, value: c.args[1]!, domain: c.args[2]!, negated: false, with: [], loc }
        : { type: 'somein', value: c.args[0]!, domain: c.args[1]!, negated: false, with: [], loc };
      this.parseWiths(e.with);
      return e;
    }
    for (const t of terms) {
      if (t.type !== 'var') throw new ParseError('expected var in some declaration', t.loc);
    }
    return { type: 'some', vars: terms, negated: false, with: [], loc };
  }

  private parseEvery(loc: Loc): Expr & { type: 'every' } {
    const first = this.parseTermRelation();
    let key: Term | undefined;
    let value = first;
    if (this.isOp(',')) {
      this.next();
      key = first;
      value = this.parseTermRelation();
    }
    if (!this.isKw('in')) this.fail(`${this.describe(this.tok)}: expected \`x[, y] in xs { ... }\` expression`);
    this.next();
    const domain = this.parseTermRelation();
    // OPA (parseEvery): the key and the value are variables, and a body follows.
    if (key && key.type !== 'var') throw new ParseError(`${this.describe(this.tok)}: expected key to be a variable`, this.loc());
    if (value.type !== 'var') throw new ParseError(`${this.describe(this.tok)}: expected value to be a variable`, this.loc());
    if (!this.isOp('{')) this.fail(`${this.describe(this.tok)}: missing body`);
    const open = this.next();
    const body = this.withDepth(0, () => this.parseBody('}'));
    if (body.length === 0) this.fail('found empty body', open);
    this.expectOp('}');
    const e: Expr & { type: 'every' } = { type: 'every', value, domain, body, negated: false, with: [], loc };
    if (key) e.key = key;
    return e;
  }

  /** Top-level expression: `a := b`, `a = b`, `k, v in xs`, or an infix term. */
  private parseExprTerm(): Term {
    const lhs = this.parseTermIn(true);
    if ((this.isOp(':=') || this.isOp('=')) && this.cont()) {
      const op = this.next();
      const rhs = this.parseTermIn(true);
      return { type: 'call', op: [op.text === ':=' ? 'assign' : 'eq'], args: [lhs, rhs], loc: lhs.loc };
    }
    return lhs;
  }

  // -- terms ----------------------------------------------------------------
  parseTermIn(keyVal: boolean, noOr = false): Term {
    let lhs = this.parseTermRelation(noOr);
    if (keyVal && this.isOp(',') && this.cont()) {
      // `k, v in xs`: wherever OPA parses a whole infix term (expressions, `:=`/`=` operands, rule
      // values, `with … as`, parentheses), not inside collections or call arguments.
      const save = this.pos;
      this.next();
      const mhs = this.parseTermRelation(noOr);
      if (this.isKw('in') && this.cont()) {
        this.next();
        const rhs = this.parseTermRelation(noOr);
        lhs = { type: 'call', op: ['internal', 'member_3'], args: [lhs, mhs, rhs], loc: lhs.loc };
      } else {
        this.pos = save;
        return lhs;
      }
    }
    while (this.isKw('in') && this.cont()) {
      this.next();
      const rhs = this.parseTermRelation(noOr);
      lhs = { type: 'call', op: ['internal', 'member_2'], args: [lhs, rhs], loc: lhs.loc };
    }
    return lhs;
  }

  // Binary operators, loosest first; each level is left-associative over the next.
  private parseTermRelation(noOr = false): Term {
    return this.leftAssoc(() => this.parseTermOr(noOr), INFIX_LEVELS.relation);
  }

  private parseTermOr(noOr: boolean): Term {
    // Inside a set/object literal `|` starts a comprehension body, not a union.
    return this.leftAssoc(() => this.parseTermAnd(), noOr ? NONE : INFIX_LEVELS.or);
  }

  private parseTermAnd(): Term {
    return this.leftAssoc(() => this.parseTermArith(), INFIX_LEVELS.and);
  }

  private parseTermArith(): Term {
    return this.leftAssoc(() => this.parseTermFactor(), INFIX_LEVELS.arith);
  }

  private parseTermFactor(): Term {
    return this.leftAssoc(() => this.parseTermPostfix(), INFIX_LEVELS.factor);
  }

  /** `operand (op operand)*` for the operators in `ops` (token → builtin), as calls nested to the left. */
  private leftAssoc(operand: () => Term, ops: Readonly<Record<string, string>>): Term {
    let lhs = operand();
    while (this.tok.kind === 'op' && ops[this.tok.text] && this.cont()) {
      const op = this.next();
      const rhs = operand();
      lhs = { type: 'call', op: [ops[op.text]!], args: [lhs, rhs], loc: lhs.loc };
    }
    return lhs;
  }

  /** A primary term followed by `.x`, `[t]` and call suffixes. */
  parseTermPostfix(): Term {
    let t = this.parsePrimary();
    for (;;) {
      if (this.isOp('.') && !this.tok.nl) {
        this.next();
        const id = this.tok;
        if (id.kind !== 'ident') this.fail(`${this.describe(id)}: expected ident`);
        this.next();
        t = appendRef(t, { type: 'scalar', value: id.text, loc: this.loc(id) });
      } else if (this.isOp('[') && !this.tok.nl) {
        this.next();
        const k = this.withDepth(1, () => this.parseTermIn(false));
        this.expectOp(']');
        t = appendRef(t, k);
      } else if (this.isOp('(') && !this.tok.nl) {
        const name = namePath(t);
        if (!name) break;
        const open = this.next();
        const args = this.withDepth(1, () => this.parseTermList(')'));
        this.expectOp(')');
        if (name.length === 1 && name[0] === 'set' && args.length === 0) {
          t = { type: 'set', items: [], loc: t.loc };
        } else {
          t = { type: 'call', op: name, args, loc: t.loc };
        }
        void open;
      } else break;
    }
    return t;
  }

  /**
   * A template string (`$"…{expr}…"`, OPA 1.12) lowered as OPA lowers it: a
   * call to internal.template_string over its parts — literal text and scalar
   * constants as they are, every other expression as the set comprehension of
   * its values (`{v | v = expr with …}`), so an undefined one renders
   * `<undefined>` instead of making the string undefined.
   */
  private templateTerm(t: Token, loc: Loc): Term {
    const items: Term[] = [];
    for (const part of t.parts ?? []) {
      if (typeof part === 'string') {
        items.push({ type: 'scalar', value: part, loc });
        continue;
      }
      const sub: Parser = new Parser(this.file, part, { regoVersion: this.v0 ? 0 : 1 });
      sub.keywords = new Set(this.keywords);
      sub.futureNot = this.futureNot;
      const e = sub.parseLiteral();
      if (!sub.atEOF()) sub.fail(`${sub.describe(sub.tok)}: expected } to end the template expression`);
      if (e.type !== 'term' || e.negated) sub.fail('a template expression must be a term (optionally with `with` modifiers)', part[0]);
      if (e.with.length === 0 && e.term.type === 'scalar') {
        items.push(e.term);
        continue;
      }
      const v: Term = { type: 'var', name: `$tmpl$${++templateVars}`, loc: e.term.loc };
      const eq: Expr = { type: 'term', term: { type: 'call', op: ['eq'], args: [v, e.term], loc: e.term.loc }, negated: false, with: e.with, loc: e.loc, generated: true };
      items.push({ type: 'setcomp', term: v, body: [eq], loc: e.term.loc });
    }
    return { type: 'call', op: ['internal', 'template_string'], args: [{ type: 'array', items, loc }], loc };
  }

  private parseTermList(close: string): Term[] {
    const out: Term[] = [];
    while (!this.isOp(close)) {
      out.push(this.parseTermIn(false));
      if (this.isOp(',')) {
        this.next();
        continue;
      }
      if (!this.isOp(close)) this.fail(`${this.describe(this.tok)}: expected , or ${close}`);
    }
    return out;
  }

  private parsePrimary(): Term {
    const t = this.tok;
    const loc = this.loc(t);
    switch (t.kind) {
      case 'number':
        this.next();
        return { type: 'scalar', value: parseNumber(t.text), loc };
      case 'string':
      case 'rawstring':
        this.next();
        return { type: 'scalar', value: t.text, loc };
      case 'template':
        this.next();
        return this.templateTerm(t, loc);
      case 'ident': {
        if (t.text === 'null') {
          this.next();
          return { type: 'scalar', value: null, loc };
        }
        if (t.text === 'true' || t.text === 'false') {
          this.next();
          return { type: 'scalar', value: t.text === 'true', loc };
        }
        if (this.keywords.has(t.text) && !(t.text === 'contains' && this.isOp('(', this.peek()))) this.fail(this.describe(t));
        this.next();
        return { type: 'var', name: t.text, loc };
      }
      case 'op':
        break;
      default:
        this.fail(this.describe(t));
    }
    if (t.text === '-') {
      const n = this.peek();
      if (n.kind === 'number' && n.offset === t.offset + 1) {
        this.next();
        this.next();
        const v = parseNumber(n.text);
        return { type: 'scalar', value: typeof v === 'bigint' ? -v : -v, loc };
      }
      this.next();
      const operand = this.parseTermPostfix();
      return { type: 'call', op: ['minus'], args: [{ type: 'scalar', value: 0, loc }, operand], loc };
    }
    if (t.text === '(') {
      this.next();
      // A parenthesised term may be `k, v in xs` (OPA's parseTermInfixCall); collections and call arguments may not.
      const inner = this.withDepth(1, () => this.parseTermIn(true));
      this.expectOp(')');
      return inner;
    }
    if (t.text === '[') {
      this.next();
      return this.withDepth(1, () => {
        if (this.isOp(']')) {
          this.next();
          return { type: 'array', items: [], loc } as Term;
        }
        // A leading comma (`[, x]`) is accepted, as OPA does for backwards compatibility; then it is no comprehension.
        const lead = this.isOp(',') && this.next() !== undefined;
        const first = this.parseTermIn(false, !lead);
        if (this.isOp('|') && !lead) return { type: 'arraycomp', term: first, body: this.comprehensionBody(']'), loc } as Term;
        return { type: 'array', items: this.moreItems(first, ']'), loc } as Term;
      });
    }
    if (t.text === '{') {
      this.next();
      return this.withDepth(1, () => {
        if (this.isOp('}')) {
          this.next();
          return { type: 'object', items: [], loc } as Term;
        }
        const lead = this.isOp(',') && this.next() !== undefined;
        const first = this.parseTermIn(false, !lead);
        if (this.isOp(':')) {
          this.next();
          const v = this.parseTermIn(false, !lead);
          if (this.isOp('|') && !lead) return { type: 'objectcomp', key: first, value: v, body: this.comprehensionBody('}'), loc } as Term;
          const items: Array<[Term, Term]> = [[first, v]];
          while (this.isOp(',')) {
            this.next();
            if (this.isOp('}')) break;
            const k = this.parseTermIn(false);
            this.expectOp(':');
            items.push([k, this.parseTermIn(false)]);
          }
          this.expectOp('}');
          return { type: 'object', items, loc } as Term;
        }
        if (this.isOp('|') && !lead) return { type: 'setcomp', term: first, body: this.comprehensionBody('}'), loc } as Term;
        return { type: 'set', items: this.moreItems(first, '}'), loc } as Term;
      });
    }
    return this.fail(this.describe(t));
  }

  /** At `|` of a comprehension: its body, up to and including `close`. */
  private comprehensionBody(close: string): Body {
    this.next();
    const body = this.withDepth(0, () => this.parseBody(close));
    this.expectOp(close);
    return body;
  }

  /** The items after the first of an array or set literal, up to and including `close` (a trailing comma is allowed). */
  private moreItems(first: Term, close: string): Term[] {
    const items = [first];
    while (this.isOp(',')) {
      this.next();
      if (this.isOp(close)) break;
      items.push(this.parseTermIn(false));
    }
    this.expectOp(close);
    return items;
  }
}

/** The tokens from `i` spell `rego.v1`, the whole import path (a statement may follow on the same line). */
function importsRegoV1(tokens: Token[], i: number): boolean {
  const [a, dot, b, next] = [tokens[i], tokens[i + 1], tokens[i + 2], tokens[i + 3]];
  const pathGoesOn = next !== undefined && !next.nl && (isOpToken(next, '.') || isOpToken(next, '['));
  return a?.kind === 'ident' && a.text === 'rego' && isOpToken(dot, '.') && b?.kind === 'ident' && b.text === 'v1' && !pathGoesOn;
}

function isOpToken(t: Token | undefined, text: string): boolean {
  return t?.kind === 'op' && t.text === text;
}

function trueExpr(loc: Loc): Expr {
  return { type: 'term', term: { type: 'scalar', value: true, loc }, negated: false, with: [], loc };
}

function appendRef(t: Term, p: Term): Term {
  if (t.type === 'ref') return { type: 'ref', head: t.head, path: [...t.path, p], loc: t.loc };
  return { type: 'ref', head: t, path: [p], loc: t.loc };
}


export function parseNumber(text: string): number | bigint {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  const n = Number(text);
  if (!Number.isFinite(n)) {
    // 1e400 overflows a float but is an integer OPA compares exactly (1e400 > 1e399).
    return exactInteger(text) ?? n; // a non-integer overflow is rejected later with a clear error
  }
  if (Number.isInteger(n) && !Number.isSafeInteger(n) && !/[eE]-/.test(text)) {
    // e.g. 1e30: OPA keeps the literal's exact decimal value, so it is built from the digits rather than
    // from the float (BigInt(1e30) would be 1000000000000000019884624838657).
    const exact = exactInteger(text);
    if (exact !== undefined) return exact;
    try {
      return BigInt(n);
    } catch {
      return n;
    }
  }
  return n;
}

/** The exact integer a decimal literal with an exponent denotes (`1e30`, `1.5e20`), or undefined if it has a fraction. */
function exactInteger(text: string): bigint | undefined {
  const m = /^(-?)(\d+)(?:\.(\d*))?[eE]\+?(\d+)$/.exec(text);
  if (m === null) return undefined;
  const frac = m[3] ?? '';
  const shift = Number(m[4]) - frac.length;
  // A bound on the exponent keeps a literal like 1e999999 from allocating a huge integer.
  if (shift > 1000) return undefined;
  let digits = m[2] + frac;
  if (shift < 0) {
    const dropped = digits.slice(digits.length + shift);
    if (!/^0*$/.test(dropped)) return undefined;
    digits = digits.slice(0, digits.length + shift) || '0';
  }
  const v = BigInt(digits) * 10n ** BigInt(Math.max(shift, 0));
  return m[1] === '-' ? -v : v;
}

// -- annotations --------------------------------------------------------------

const SCOPES = ['rule', 'document', 'package', 'subpackages'];

/**
 * `# METADATA` blocks, by OPA's rules (ast/parser.go parseAnnotations): a
 * block starts at a comment in column 1 whose text starts with `METADATA`
 * and takes the comments that follow on consecutive lines, each in column 1,
 * up to the next `METADATA` comment — so a comment at the end of the rule
 * line below a block is not part of it. Each line loses one leading space;
 * the rest is YAML. A block belongs to the first statement (package, import
 * or rule) that starts on a later line; without `scope` it is `rule` (or
 * `document` with `entrypoint: true`) on a rule and `package` on the package,
 * and a scope that does not fit the statement is a parse error.
 */
function attachAnnotations(file: string, comments: Comment[], mod: Module): void {
  const isMeta = (c: Comment): boolean => c.col === 1 && c.text.trim().startsWith('METADATA');
  const statements: Array<{ line: number; rule?: Rule; kind: 'package' | 'import' | 'rule' }> = [
    { line: mod.packageLoc.line, kind: 'package' as const },
    ...mod.imports.map((i) => ({ line: i.loc.line, kind: 'import' as const })),
    ...mod.rules.map((r) => ({ line: r.loc.line, rule: r, kind: 'rule' as const })),
  ].sort((a, b) => a.line - b.line);
  for (let i = 0; i < comments.length; i++) {
    const c = comments[i]!;
    if (!isMeta(c)) continue;
    const lines: string[] = [];
    while (i + 1 < comments.length) {
      const n = comments[i + 1]!;
      if (n.col !== 1 || n.line !== comments[i]!.line + 1 || isMeta(n)) break;
      lines.push(n.text.startsWith(' ') ? n.text.slice(1) : n.text);
      i++;
    }
    const loc = { file, line: c.line, col: c.col };
    const yamlText = lines.join('\n');
    if (yamlText.trim() === '') throw new ParseError('expected METADATA block, found whitespace', loc);
    let data: unknown;
    try {
      data = parseYAML(yamlText, { uniqueKeys: true }) ?? {};
    } catch (err) {
      const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new ParseError(`yaml: ${msg}`, loc);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new ParseError('yaml: METADATA block must be a mapping', loc);
    }
    const fields = data as Record<string, unknown>;
    const target = statements.find((st) => st.line > c.line);
    let scope = typeof fields.scope === 'string' ? fields.scope : fields.scope === undefined ? '' : String(fields.scope);
    if (scope === '') {
      if (target?.kind === 'rule') scope = fields.entrypoint === true ? 'document' : 'rule';
      else if (target?.kind === 'package') scope = 'package';
      else if (target?.kind === 'import') scope = 'import';
    }
    if (!SCOPES.includes(scope)) {
      throw new ParseError(`invalid annotation scope '${scope}'. Use one of 'rule', 'document', 'package', or 'subpackages'`, loc);
    }
    const want = scope === 'rule' || scope === 'document' ? 'rule' : 'package';
    if (target?.kind !== want) {
      throw new ParseError(`annotation scope '${scope}' must be applied to ${want}${target ? ` (have ${target.kind})` : ''}`, loc);
    }
    if (fields.entrypoint === true && scope !== 'document' && scope !== 'package') {
      throw new ParseError(`annotation entrypoint applied to non-document or package scope '${scope}'`, loc);
    }
    const block: AnnotationBlock = { data: { ...fields, scope }, loc, attachLine: target.line };
    if (target.rule) target.rule.annotations.push(block);
    else mod.annotations.push(block);
  }
}

// -- entry points ---------------------------------------------------------------

export function parseModule(file: string, text: string, opts: ParseOptions = {}): Module {
  try {
    const { tokens, comments } = lex(file, text);
    return new Parser(file, tokens, opts).parseModule(comments);
  } catch (err) {
    if (err instanceof LexError) throw new ParseError(err.message, err.loc);
    throw err;
  }
}

export function parseQuery(text: string, file = 'query', opts: ParseOptions = {}): Query {
  try {
    const { tokens } = lex(file, text);
    const body = new Parser(file, tokens, opts).parseQueryBody();
    if (body.length === 0) throw new ParseError('empty query', { file, line: 1, col: 1 });
    return { body };
  } catch (err) {
    if (err instanceof LexError) throw new ParseError(err.message, err.loc);
    throw err;
  }
}
