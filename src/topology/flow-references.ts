/**
 * `${NAME}` and `${NAME:-default}` as written in YAML text (one line, `$${` escapes excluded by
 * the caller's interpolation, which sees the `$$` and keeps it literal).
 */
const REFERENCE = /\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}\n]*)?\}/g;
/** Characters that end or split a plain scalar inside `{ }` or `[ ]`. */
const FLOW_SYNTAX = /[{}[\],:#]/g;
/** Each masked character C becomes U+E000 + C: a private-use character, so lengths stay. */
const MASK_BASE = 0xe000;
const MASKED = /[\uE000-\uE07F]/g;
const HAS_MASKED = /[\uE000-\uE07F]/;

/**
 * The text with the flow-syntax characters (`{ } [ ] , : #`) of every `${...}` reference replaced
 * by private-use characters of the same length, so that `{ mode: ${MODE:-once} }` parses as a
 * flow mapping holding one plain scalar, at the positions of the file as written. Undefined when
 * there is nothing to mask or the text already holds such characters (masking would be lossy).
 *
 * @example
 * maskFlowReferences('{ n: ${N:-1} }'); // '{ n: $\uE07BN\uE03A-1\uE07D }'
 */
export function maskFlowReferences(text: string): string | undefined {
  if (!text.includes('${') || HAS_MASKED.test(text)) return undefined;
  const masked = text.replace(REFERENCE, (ref) =>
    ref.replace(FLOW_SYNTAX, (c) => String.fromCharCode(MASK_BASE + c.charCodeAt(0))),
  );
  return masked === text ? undefined : masked;
}

/** Undoes {@link maskFlowReferences} in one parsed scalar. */
export function unmaskFlowReferences(value: string): string {
  return value.replace(MASKED, (c) => String.fromCharCode(c.charCodeAt(0) - MASK_BASE));
}
