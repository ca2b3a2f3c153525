import jsyaml from 'js-yaml';

/**
 * The YAML 1.2 core schema as the yaml library resolves plain scalars (its
 * `schema/core` tests and conversions), for js-yaml: `-0x1` and `0b11` stay strings, as in yaml,
 * where js-yaml's own core schema would read numbers.
 */
const coreSchema = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    new jsyaml.Type('tag:yaml.org,2002:null', {
      kind: 'scalar',
      resolve: (s: string) => /^(?:~|[Nn]ull|NULL)?$/.test(s),
      construct: () => null,
    }),
    new jsyaml.Type('tag:yaml.org,2002:bool', {
      kind: 'scalar',
      resolve: (s: string) => /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s),
      construct: (s: string) => s[0] === 't' || s[0] === 'T',
    }),
    new jsyaml.Type('tag:yaml.org,2002:int', {
      kind: 'scalar',
      resolve: (s: string) => /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/.test(s),
      construct: (s: string) =>
        s.startsWith('0o') ? parseInt(s.slice(2), 8) : s.startsWith('0x') ? parseInt(s.slice(2), 16) : parseInt(s, 10),
    }),
    new jsyaml.Type('tag:yaml.org,2002:float', {
      kind: 'scalar',
      resolve: (s: string) =>
        /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s) ||
        /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s) ||
        /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s),
      construct: (s: string) =>
        s.slice(-3).toLowerCase() === 'nan' ? NaN : s.slice(-3).toLowerCase() === 'inf' ? (s[0] === '-' ? -Infinity : Infinity) : parseFloat(s),
    }),
  ],
});

/**
 * What the two parsers were seen to read differently (docs/decisions/topology-reading.md), each
 * sending the text to the yaml library: directives (`%YAML 1.1` changes the schema); tags,
 * anchors and aliases (the yaml path bounds their expansion and places their values); keys that
 * are not scalars, explicit (`? `), before a colon (`[a]: b`) or in a flow mapping (`{ [x] }`: a
 * collection after `{` or `,`), which js-yaml makes strings of and yaml reports; sequences
 * nested on one line (`- - a`: js-yaml takes the next line's `- b` for the inner sequence's);
 * `#` right after a quote, bracket, comma or colon (js-yaml takes a comment there, yaml wants
 * white space before it); a line ending in `\` (an escaped line break in a double-quoted scalar:
 * the two join the lines after it differently). A match inside a quoted string only costs speed.
 */
const unlike = [
  /^%/m,
  /(?:^|[\s,[{])[&*!]\S/m,
  /(?:^|[\s,[{])\?(?:\s|$)/m,
  /[\]}]\s*:(?:\s|$)/m,
  /[{,]\s*[[{]/,
  /(?:^|\s)-[ \t]+-(?:\s|$)/m,
  /[^\s\w./=&?%+-]#/,
  /\\\r?$/m,
];

/**
 * The plain data of a topology text, read by js-yaml with the yaml library's core schema: about
 * ten times faster than the yaml library's document, which keeps every node's position. Only
 * for texts both read alike (see {@link unlike}) and js-yaml reads without error or warning
 * (repeated keys are errors): undefined sends the text to the yaml library, whose document also
 * gives the errors their positions.
 */
export function plainYaml(text: string): { data: unknown } | undefined {
  if (unlike.some((pattern) => pattern.test(text))) return undefined;
  let warned = false;
  try {
    const data = jsyaml.load(text, {
      schema: coreSchema,
      onWarning: () => {
        warned = true;
      },
    });
    return warned ? undefined : { data: data ?? null };
  } catch {
    return undefined;
  }
}
