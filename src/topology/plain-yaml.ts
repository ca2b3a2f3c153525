import jsyaml from 'js-yaml';
import { isScalar, Schema, type ScalarTag } from 'yaml';

/** The yaml library's core-schema tags that resolve plain scalars (null, bool, int, float), in its order. */
const yamlScalarTags = new Schema({ schema: 'core' }).tags.filter((t): t is ScalarTag & { test: RegExp } => 'test' in t && t.test instanceof RegExp);

/** What the yaml library makes of a plain scalar `text` by `tag` (a Scalar for some tags: its value). */
function resolve(tag: ScalarTag, text: string): unknown {
  const value: unknown = tag.resolve(text, () => undefined, { intAsBigInt: false });
  return isScalar(value) ? value.value : value;
}

/**
 * The YAML 1.2 core schema for js-yaml, made of the yaml library's own tags (their tests and
 * conversions), so a plain scalar resolves as yaml resolves it: `-0x1` and `0b11` stay strings,
 * where js-yaml's core schema would read numbers. js-yaml keeps one type per tag name, so the
 * tags of one name (int: octal, decimal, hex) make one type, tried in yaml's order.
 */
const coreSchema = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [...new Set(yamlScalarTags.map((t) => t.tag))].map((name) => {
    const tags = yamlScalarTags.filter((t) => t.tag === name);
    return new jsyaml.Type(name, {
      kind: 'scalar',
      resolve: (text: string) => tags.some((t) => t.test.test(text)),
      // js-yaml constructs only what `resolve` accepted, so one of the tags matches.
      construct: (text: string) => resolve(tags.find((t) => t.test.test(text)) as ScalarTag, text),
    });
  }),
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
