import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { plainYaml } from '../../src/topology/plain-yaml.js';
import { readDocument, readSource } from '../../src/topology/source.js';

/** Plain scalars the core schemas of js-yaml and yaml resolve differently, and their neighbours. */
const tricky = [
  '0o17', '-0x1', '0x1F', '0b11', '.inf', '-.Inf', '+.INF', '.NaN', '1_000', 'True', 'TRUE', 'tRue', 'yes', 'No', 'on',
  '~', 'null', 'Null', 'NULL', '012', '1e3', '1E-2', '+.5', '5.', '-7', '+0', '3.25', '2024-01-01', '2024-01-01T10:00:00Z',
  '1:20', 'a b', 'a#b', 'foo-bar', '${HOST:-localhost}', 'http://x:9/y', '/var/log/*.log', 'x & y', 'why?', '-', '--',
  '"quoted\\t x"', "'single ''q'''", '"${PORT}"', '12345678901234567890', 'ünï €', '"\\u00e9\\x41\\n"', '"a\\"b"',
  // Not valid everywhere: where yaml rejects them, js-yaml must not be taken at its word.
  'a: b', '[x', 'x]', '{', '"open', '@at', '`tick', '%pct', '|', '>', '- x', 'a, b', 'k:v',
];

type Value = string | Value[] | { [key: string]: Value };

const scalar = fc.oneof(fc.constantFrom(...tricky), fc.stringMatching(/^[a-z][a-z0-9_-]{0,6}$/));
const key = fc.oneof(fc.constantFrom('kind', 'inputs', 'count', '0x1F', '012', 'True', '~', '1e3', '"q k"'), fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/));
const { value } = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
}));

/** YAML text with the scalars written as they are (unquoted where they are plain), block or flow. */
function render(v: Value, indent: string, flow: boolean): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    if (flow || v.length === 0) return `[${v.map((item) => render(item, '', true)).join(', ')}]`;
    return v.map((item) => `\n${indent}- ${render(item, `${indent}  `, typeof item !== 'string')}`).join('');
  }
  const entries = Object.entries(v);
  if (flow || entries.length === 0) return `{ ${entries.map(([k, item]) => `${k}: ${render(item, '', true)}`).join(', ')} }`;
  return entries.map(([k, item]) => `\n${indent}${k}: ${render(item, `${indent}  `, false)}`).join('');
}

const texts = fc.oneof(
  fc.tuple(fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }), fc.boolean()).map(([v, flow]) => `${render(v, '', flow).trimStart()}\n`),
  fc
    .tuple(value, fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED') , fc.constantFrom('block', 'flow'))
    .map(([v, type, style]) =>
      stringify(v, { defaultStringType: type as 'PLAIN', collectionStyle: style as 'block', defaultKeyType: 'PLAIN', lineWidth: 20 }),
    ),
);

const env = { HOST: 'kafka', PORT: '9092' };

/** Line-level variations a hand-written file has: comments, blank lines, markers, CRLF, tabs, continued scalars. */
const noise = fc.record({
  comments: fc.array(fc.constantFrom(' # note', '  #x: y', ' #', '# ${X}'), { maxLength: 3 }),
  blank: fc.boolean(),
  start: fc.constantFrom('', '---\n', '--- # doc\n', '# head\n'),
  end: fc.constantFrom('', '...\n', '\n\n', '# tail'),
  crlf: fc.boolean(),
  tabs: fc.boolean(),
  trailing: fc.boolean(),
  fold: fc.boolean(),
});

type Noise = typeof noise extends fc.Arbitrary<infer T> ? T : never;

function vary(text: string, n: Noise): string {
  let lines = text.split('\n');
  lines = lines.map((line, i) => {
    let out = line;
    const comment = n.comments[i % Math.max(1, n.comments.length)];
    if (comment !== undefined && i % 2 === 0 && out.trim() !== '') out += comment;
    if (n.tabs) out = out.replace(/: /, ':\t');
    if (n.trailing) out += '  ';
    // A plain scalar continued on the next, more indented line.
    if (n.fold && /^\s*[a-z_]+: [a-z]+$/.test(line)) out += `\n${' '.repeat(line.length - line.trimStart().length + 2)}more words`;
    return out;
  });
  if (n.blank) lines.splice(Math.floor(lines.length / 2), 0, '');
  const joined = `${n.start}${lines.join('\n')}\n${n.end}`;
  return n.crlf ? joined.replaceAll('\n', '\r\n') : joined;
}

describe('plain YAML, read by js-yaml for speed', () => {
  it('reads a topology text to exactly the data, errors and substitutions of the yaml document, or leaves the text to it', () => {
    let plain = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.oneof(texts, fc.tuple(texts, noise).map(([text, n]) => vary(text, n))), (text) => {
        runs++;
        if (plainYaml(text) === undefined) return;
        plain++;
        const fast = readSource(text, 'topology.yaml', env);
        const full = readDocument(text, 'topology.yaml', env);
        expect({ data: fast.data, errors: fast.errors, fatal: fast.fatal }, text).toEqual({ data: full.data, errors: full.errors, fatal: full.fatal });
        expect(fast.map.wasSubstituted(['a']), text).toBe(full.map.wasSubstituted(['a']));
      }),
      { numRuns: 3000 },
    );
    // Many generated texts are plain (the rest use what is sent on, or are not YAML): the property is not vacuous.
    expect(plain).toBeGreaterThan(runs / 3);
  });

  it('leaves to the yaml library what the two read differently: tags, anchors, complex keys, directives, repeated keys', () => {
    for (const text of [
      'a: !!str 5\n',
      'a: &x [1]\nb: *x\n',
      '? [a, b]\n: c\n',
      '{[a]: b}\n',
      '%YAML 1.1\n---\na: yes\n',
      'a: 1\na: 2\n',
      'sources: { g: { kind: generator, mode: ${MODE:-once} } }\n',
    ])
      expect(plainYaml(text), text).toBeUndefined();
  });
});
