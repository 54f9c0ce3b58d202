/**
 * strings.render_template (runner/rego/builtins/gotemplate.ts): the subset of
 * Go's text/template it supports renders as Go does over OPA's JSON form of
 * the variables; anything outside the subset is an error, never a guess.
 */
import { describe, it } from 'vitest';
import { expectErrors, expectRows } from './helpers.ts';

const R = 'strings.render_template';

describe('strings.render_template', () => {
  it("renders OPA's conformance cases", () => {
    expectRows([
      [R, ['{{.test}}', { test: 'hello world' }], 'hello world'],
      [R, ['{{.test}}', { test: 2023 }], '2023'],
      [R, ['{{range $i, $name := .hellonames}}{{if $i}},{{end}}hello {{$name}}{{end}}', { hellonames: ['rohan', 'john doe'] }], 'hello rohan,hello john doe'],
      // a key the data lacks renders <undefined> (OPA's choice over Go's <no value>)
      [R, ['{{.testvarnotprovided}}', { test: 'hello world' }], '<undefined>'],
      [R, ['test {{.foo}} {{.bar}} {{.baz}}', { baz: 1 }], 'test <undefined> <undefined> 1'],
    ]);
  });

  it('trim markers, comments, nested fields, if/else if/else, range with else, with, variables, pipes', () => {
    const doc = '### {{ .b.name }}\n\n{{ if (gt (len .b.args) 0) -}}\n#### Args\n{{ range $a := .b.args }}\n- {{ $a.name }}: {{ $a.type -}}\n{{ end }}\n{{ end }}\nReturns {{\n   .b.result\n}}\n';
    expectRows([
      [R, [doc, { b: { name: 'count', args: [{ name: 'x', type: 'any' }, { name: 'y', type: 'number' }], result: 'number' } }], '### count\n\n#### Args\n\n- x: any\n- y: number\n\nReturns number\n'],
      [R, [doc, { b: { name: 'now', args: [], result: 'number' } }], '### now\n\n\nReturns number\n'],
      [R, ['a {{- /* a comment */ -}} b', {}], 'ab'],
      [R, ['{{if eq .x "a"}}A{{else if eq .x "b"}}B{{else}}C{{end}}', { x: 'b' }], 'B'],
      [R, ['{{if eq .x "a"}}A{{else if eq .x "b"}}B{{else}}C{{end}}', { x: 'z' }], 'C'],
      [R, ['{{range .xs}}[{{.}}]{{else}}none{{end}}', { xs: [] }], 'none'],
      [R, ['{{range $k, $v := .m}}{{$k}}={{$v}};{{end}}', { m: { b: 2, a: 1 } }], 'a=1;b=2;'],
      [R, ['{{range .xs}}{{if eq . "stop"}}{{break}}{{end}}{{if eq . "skip"}}{{continue}}{{end}}{{.}}{{end}}', { xs: ['a', 'skip', 'b', 'stop', 'c'] }], 'ab'],
      [R, ['{{with .p}}{{.name}}{{else}}nobody{{end}}', { p: { name: 'ada' } }], 'ada'],
      [R, ['{{with .p}}{{.name}}{{else}}nobody{{end}}', {}], 'nobody'],
      [R, ['{{$x := .a}}{{$x}}{{$x = "z"}}{{$x}} {{$.a}}', { a: 'y' }], 'yz y'],
      [R, ['{{.a | len}} {{index .xs 1}} {{index .m "k"}} {{not .f}} {{and .a .b}} {{or .f .a}}', { a: 'héllo', xs: ['p', 'q'], m: { k: 'v' }, f: false, b: 'B' }], '6 q v true B héllo'],
    ]);
  });

  it('prints values as Go prints the JSON form: json.Number, <nil>, [a b], map[k:v]', () => {
    expectRows([
      [R, ['{{.n}} {{.f}} {{.z}} {{.t}} {{.xs}} {{.m}} {{.s}}', { n: 7, f: 1.5, z: null, t: true, xs: ['a', 1], m: { b: [1], a: 'x' }, s: ['only'] }], '7 1.5 <nil> true [a 1] map[a:x b:[1]] [only]'],
      // JSON numbers are json.Number, a string kind: equal to the string, and 0 is truthy
      [R, ['{{if eq .n "5"}}five{{end}} {{if .zero}}truthy{{end}} {{if 0}}no{{else}}zero literal is falsy{{end}}', { n: 5, zero: 0 }], 'five truthy zero literal is falsy'],
    ]);
  });

  it('errors where Go errors, and outside the subset, rather than guessing', () => {
    expectErrors([
      [R, ['{{gt .n 0}}', { n: 1 }], 'eval_builtin_error', 'strings.render_template: gt: incompatible types for comparison'],
      [R, ['{{printf "%d" .n}}', { n: 1 }], 'eval_builtin_error', 'strings.render_template: function "printf" not supported'],
      [R, ['{{define "x"}}a{{end}}', {}], 'eval_builtin_error', 'strings.render_template: {{define}} not supported'],
      [R, ['{{.a', {}], 'eval_builtin_error', 'strings.render_template: unclosed action'],
      [R, ['{{if .a}}x', {}], 'eval_builtin_error', 'strings.render_template: unexpected EOF'],
      [R, ['{{end}}', {}], 'eval_builtin_error', 'strings.render_template: unexpected {{end}}'],
      [R, ['{{break}}', {}], 'eval_builtin_error', 'strings.render_template: {{break}} outside {{range}}'],
      [R, ['{{$nope}}', {}], 'eval_builtin_error', 'strings.render_template: undefined variable "$nope"'],
      [R, ['{{.a.b}}', { a: 'str' }], 'eval_builtin_error', 'strings.render_template: can\'t evaluate field b in type string'],
    ]);
  });
});
