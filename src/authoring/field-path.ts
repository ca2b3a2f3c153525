/** A parsed field path: mapping keys and list indexes from the record. */
export type FieldPath = readonly (string | number)[];

const segment = /^([A-Za-z_$][\w$-]*)((?:\[\d+\])*)$/;

/**
 * Parses a field path as written in a cases file: names separated by dots, each optionally
 * followed by list indexes. Undefined when the text is not a path.
 *
 * @example
 * parseFieldPath('value.tags[0]'); // ['value', 'tags', 0]
 * parseFieldPath('value..x');      // undefined
 */
export function parseFieldPath(text: string): FieldPath | undefined {
  const parts: (string | number)[] = [];
  for (const piece of text.split('.')) {
    const m = segment.exec(piece);
    if (!m) return undefined;
    parts.push(m[1] as string);
    for (const index of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts;
}

/**
 * The value at `path` inside plain data; undefined where the path leads nowhere (a missing key,
 * an index past the end, or a step into a string or number).
 *
 * @example
 * valueAtPath({ value: { tags: ['a'] } }, ['value', 'tags', 0]); // 'a'
 */
export function valueAtPath(data: unknown, path: FieldPath): unknown {
  let current = data;
  for (const part of path) {
    if (typeof part === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[part];
    } else if (current !== null && typeof current === 'object' && !Array.isArray(current) && Object.hasOwn(current, part)) {
      current = (current as Record<string, unknown>)[part];
    } else {
      return undefined;
    }
  }
  return current;
}
